"""One revision file → the parts the engine judges: the upgrade's Ops and the
downgrade's, each split where an `autocommit_block` leaves the transaction.

Graph problems of the revision and a file that cannot be read come first, as Ops of
their own; env.py's settings (and, when it sets no lock_timeout, its EnvironmentRun)
open every part; the file's `# migralint:` directives (alembic/comments.py) suppress
findings on the `op.` calls they sit at, or on the whole file.
"""

from __future__ import annotations

import ast
import itertools
from dataclasses import dataclass, replace
from pathlib import Path

from migralint import directives
from migralint.alembic.comments import RevisionComments
from migralint.alembic.environment_run import environment_run
from migralint.alembic.ops import EnvironmentRun, RevisionGraphProblem, UnreadableRevision
from migralint.alembic.project import VersionSet
from migralint.alembic.render import Renderer
from migralint.alembic.revision import Revision, read_revision
from migralint.alembic.source import PythonSource
from migralint.alembic.walker import Emitted, Walker
from migralint.config import DEFAULT_PG_VERSION
from migralint.sql import ops
from migralint.sql.statements import Comment

AUTOCOMMIT_REASON = "op.get_context().autocommit_block(): outside the transaction"
_FUNCTIONS = (("up", "upgrade"), ("down", "downgrade"))


@dataclass(frozen=True)
class Piece:
    """An Op and the suppressions written at it."""

    op: ops.Op
    suppressions: tuple[directives.Suppression, ...] = ()


@dataclass(frozen=True)
class Part:
    """A run of Ops of one direction that shares one transaction mode."""

    direction: str
    transaction: str | None  # None: the caller of env.py decides
    transaction_reason: str
    pieces: tuple[Piece, ...]
    file_suppressions: tuple[directives.Suppression, ...] = ()
    comments: tuple[Comment, ...] = ()  # every `#` comment of the file


def revision_parts(
    path: Path,
    text: str,
    dialect: str,
    version_set: VersionSet,
    pg_version: int = DEFAULT_PG_VERSION[0],
    render: bool = False,
) -> list[Part]:
    """The parts of the revision `text` (the contents of `path`), for `dialect` (and the
    PostgreSQL major version, which decides which type changes rewrite); `render`: the
    Ops of the SQL Alembic's offline mode writes (this runs the file's code)."""
    source = PythonSource(str(path), text)
    revision = _revision(path, text, version_set)
    found_comments = tuple(source.comments())
    comments = RevisionComments(found_comments)
    mode, reason = version_set.transaction(dialect)
    leading = [Piece(op) for op in _problems(revision, version_set, str(path))]
    if revision.module is None:
        return [Part("up", mode, reason, tuple(leading), comments.whole_file, found_comments)]
    walker = Walker(source, revision.module, dialect, pg_version)
    renderer = Renderer(path, text, dialect, version_set.folder) if render else None
    env_run = environment_run(path, version_set, dialect, pg_version)
    settings = [Piece(op) for op in version_set.environment.settings()]
    settings += [Piece(EnvironmentRun(loc=env_run.loc))] if env_run is not None else []
    parts: list[Part] = []
    for direction, name in _FUNCTIONS:
        end = _end(revision.module, name, str(path))
        emitted = _emitted(walker, renderer, name, _start(revision.module, name))
        runs = itertools.groupby(emitted, key=_outside) if emitted else [(None, [])]
        for outside, run in runs:
            pieces = (*settings, *(Piece(e.op, comments.at(e.op.loc)) for e in run))
            run_mode, run_reason = ("none", outside) if outside else (mode, reason)
            whole_file = comments.whole_file
            parts.append(Part(direction, run_mode, run_reason, pieces, whole_file, found_comments))
        parts[-1] = _with_end(parts[-1], end)
    leading += [Piece(env_run)] if env_run is not None and env_run.revisions else []
    parts[0] = replace(parts[0], pieces=(*leading, *parts[0].pieces))
    return parts


def _revision(path: Path, text: str, version_set: VersionSet) -> Revision:
    """The revision as the version set read it, when it read this text; else read now."""
    known = version_set.revision_at(path)
    return known if known is not None and known.text == text else read_revision(path, text)


def _emitted(walker: Walker, renderer: Renderer | None, name: str, line: int) -> list[Emitted]:
    """The function's Ops: rendered when asked, read statically when that fails."""
    rendered = renderer.function(name, line) if renderer is not None else None
    if isinstance(rendered, list):
        return rendered
    failure = [Emitted(rendered)] if rendered is not None else []
    return failure + walker.function(name)


def _outside(emitted: Emitted) -> str | None:
    """Why the Op runs outside the transaction; None inside it."""
    if not emitted.autocommit:
        return None
    return emitted.outside or AUTOCOMMIT_REASON


def _with_end(part: Part, end: ops.EndOfFile) -> Part:
    return replace(part, pieces=(*part.pieces, Piece(end)))


def _problems(revision: Revision, version_set: VersionSet, path: str) -> list[ops.Op]:
    found: list[ops.Op] = []
    if revision.problem is not None:
        p = revision.problem
        loc = ops.Location(path, p.line, p.column, p.line, p.column)
        if revision.module is None:
            found.append(ops.Unparsed(loc=loc, error=p.message, line=p.line, column=p.column))
        else:
            found.append(UnreadableRevision(loc=loc, message=p.message))
    for problem in version_set.problems_at(revision.path):
        found.append(RevisionGraphProblem.at(path, problem.message, problem.line))
    return found


def _end(module: ast.Module, function: str, path: str) -> ops.EndOfFile:
    """An EndOfFile at the last line of the function (or of the file)."""
    node = _definition(module, function)
    line = (node.end_lineno or node.lineno) if node is not None else 1
    return ops.EndOfFile(loc=ops.Location(path, line, 1, line, 1))


def _start(module: ast.Module, function: str) -> int:
    """The line the function is defined at (or the file's last statement)."""
    node = _definition(module, function)
    return node.lineno if node is not None else 1


def _definition(module: ast.Module, function: str) -> ast.stmt | None:
    """The module-level `def function` (the last one wins), else the last statement."""
    nodes = [n for n in module.body if isinstance(n, ast.FunctionDef) and n.name == function]
    return nodes[-1] if nodes else (module.body[-1] if module.body else None)
