"""One Alembic revision file read statically: its identifiers and its functions.

The file is parsed with `ast` and never imported: `revision`, `down_revision`,
`branch_labels` and `depends_on` come from module-level assignments, which is how
`alembic revision` writes them, with the constants of the project's modules they name
(`branch_labels = (cli.EXPAND_BRANCH,)`). A file that does not parse, or whose
revision identifiers are not readable, is a `Revision` with `problem` set, so the rest
of the project is read. A `branch_labels` that cannot be read is no problem: labels
do not order the graph, and one that is set (not None) still labels its branch.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from migralint.alembic.models import class_names
from migralint.alembic.values import Scope, assignments


@dataclass(frozen=True)
class Problem:
    """Why a revision file cannot be (fully) read, at a 1-based line and column."""

    message: str
    line: int = 1
    column: int = 1


@dataclass(frozen=True)
class Revision:
    """A revision file: `down_revisions` is empty for a root, two or more for a merge."""

    path: Path
    text: str
    revision: str | None
    down_revisions: tuple[str, ...] = ()
    branch_labels: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    module: ast.Module | None = field(default=None, repr=False, compare=False)
    problem: Problem | None = None
    unread_branch_labels: bool = False

    @property
    def labelled(self) -> bool:
        """Whether the revision sets `branch_labels` (read or not)."""
        return bool(self.branch_labels) or self.unread_branch_labels


def read_revision(path: Path, text: str) -> Revision:
    """The revision `text` (the contents of `path`) declares; never raises."""
    try:
        module = ast.parse(text, filename=str(path))
    except SyntaxError as error:
        where = Problem(
            f"Python syntax error: {error.msg}", error.lineno or 1, max(1, error.offset or 1)
        )
        return Revision(path, text, None, problem=where)
    except (ValueError, RecursionError, MemoryError) as error:
        return Revision(path, text, None, problem=Problem(f"cannot parse the file: {error}"))
    scope = Scope(class_names(module, path) | assignments(module.body))
    revision = scope.value(scope.lookup("revision"))
    if not isinstance(revision, str) or not revision:
        line = assignment_line(module, "revision")
        found = Problem("`revision` is not a literal string: not an Alembic revision", line)
        return Revision(path, text, None, module=module, problem=found)
    read = {n: _identifiers(scope, n) for n in ("down_revision", "branch_labels", "depends_on")}
    unread = [n for n, value in read.items() if value is None and n != "branch_labels"]
    problem = None
    if unread:
        problem = Problem(
            f"`{unread[0]}` is not a literal string, tuple or None: the graph around this "
            "revision cannot be read",
            assignment_line(module, unread[0]),
        )
    return Revision(
        path,
        text,
        revision,
        read["down_revision"] or (),
        read["branch_labels"] or (),
        read["depends_on"] or (),
        module,
        problem,
        unread_branch_labels=read["branch_labels"] is None,
    )


def _identifiers(scope: Scope, name: str) -> tuple[str, ...] | None:
    """A revision identifier's value as a tuple of strings; None when not literal."""
    node = scope.lookup(name)
    if node is None:
        return ()
    value = scope.value(node)
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
        return tuple(v for v in value if isinstance(v, str))
    return None


def assignment_line(module: ast.Module, name: str) -> int:
    for node in module.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return node.lineno
    return 1
