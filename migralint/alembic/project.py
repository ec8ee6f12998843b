"""Alembic version folders: which `.py` files are revisions, and their order.

A file is a revision when it assigns `revision` and `down_revision` at module level
(how `alembic revision` writes every one), wherever it lies: a `versions/` folder under
a `script_location`, a package path, or a plugin's own tree. A `versions/` folder with
its subfolders is one version set (a subfolder named after a database is a set of its
own), any other folder is one; each set is ordered by its revision graph and read once
per run.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from migralint.alembic.autocommit_evidence import concurrent_outside_autocommit
from migralint.alembic.environment import NESTING, Environment, find_environment, script_folders
from migralint.alembic.graph import Graph, build_graph
from migralint.alembic.revision import Problem, Revision, read_revision
from migralint.sources.files import InputError, read_file, read_head
from migralint.sources.layout import read_folder

_REVISION_ID = re.compile(r"^revision\s*(?::[^=\n]*)?=\s*[\"']([^\"']+)[\"']", re.MULTILINE)
_MARKER = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=", re.MULTILINE)
_HEAD_BYTES = 8192
_LONG_HEAD_BYTES = 256 * 1024  # when the first bytes end inside the module docstring
_NOT_REVISIONS = frozenset({"env.py", "__init__.py", "setup.py", "conftest.py"})
MAX_REVISION_BYTES = 4 << 20


def _has_identifiers(name: str, head: str) -> bool:
    """Whether a file (its name and first bytes) is an Alembic revision."""
    if not name.endswith(".py") or name in _NOT_REVISIONS:
        return False
    return {m[1] for m in _MARKER.finditer(head)} == {"revision", "down_revision"}


def revision_file_at(path: Path) -> bool:
    """Whether the `.py` file at `path` is an Alembic revision: its identifiers are in
    its first bytes, or after a docstring longer than those (then read further)."""
    head = _head(path, _HEAD_BYTES)
    if _has_identifiers(path.name, head):
        return True
    inside_docstring = head.count('"""') % 2 == 1 or head.count("'''") % 2 == 1
    return inside_docstring and _has_identifiers(path.name, _head(path, _LONG_HEAD_BYTES))


def _head(path: Path, size: int) -> str:
    return read_head(os.fspath(path), size).decode("utf-8", "replace")


@dataclass(frozen=True)
class VersionSet:
    """One folder's revisions: the graph (with its order and problems), and env.py."""

    folder: Path
    graph: Graph
    revisions: tuple[Revision, ...]
    environment: Environment
    stamps: dict[Path, tuple[int, int] | None] = field(default_factory=dict)  # mtime, size

    def read_as_now(self, path: Path) -> bool:
        """Whether the file is unchanged since the set was read."""
        return self.stamps.get(path.resolve()) == _stamp(path)

    def unchanged(self) -> bool:
        """Whether no `.py` file of the set (nor env.py) was added, removed or edited
        since it was read: one `stat` per file, no reading."""
        return self.stamps == _stamps(self.folder)

    def position(self, path: Path) -> int:
        """The file's place in the upgrade order (files the graph cannot place go last)."""
        return self._order.get(path.resolve(), len(self._order))

    def revision_at(self, path: Path) -> Revision | None:
        return self._by_path.get(path.resolve())

    def problems_at(self, path: Path) -> list[Problem]:
        """The graph's problems reported on the revision file `path`."""
        target = path.resolve()
        return [p.problem for p in self.graph.problems if p.revision.path.resolve() == target]

    def transaction(self, dialect: str) -> tuple[str | None, str]:
        """(transaction mode, what says so) for the set's revisions: env.py's, and on
        the connection its caller hands it, what the revisions show of that connection
        (migralint/alembic/autocommit_evidence.py)."""
        mode, reason = self.environment.transaction(dialect)
        if mode is not None or dialect != "postgres":
            return mode, reason
        caller = f"{self.environment.name()} runs on the connection its caller hands it"
        evidence = self._concurrent_outside_autocommit
        if evidence is not None:
            revision, line = evidence
            return "none", (
                f"{caller}, and {revision.path.name} line {line} builds or drops an index "
                "CONCURRENTLY outside autocommit_block(), which PostgreSQL refuses in a "
                "transaction: that connection is AUTOCOMMIT"
            )
        mode, reason = replace(self.environment, connection_from_caller=False).transaction(dialect)
        return mode, (
            f"{caller}, in a transaction unless the caller makes it AUTOCOMMIT, which no "
            f"revision needs (none builds an index CONCURRENTLY outside autocommit_block()); "
            f"{reason}"
        )

    @cached_property
    def _concurrent_outside_autocommit(self) -> tuple[Revision, int] | None:
        return concurrent_outside_autocommit(self.revisions)

    @cached_property
    def _order(self) -> dict[Path, int]:
        return {r.path.resolve(): i for i, r in enumerate(self.graph.ordered)}

    @cached_property
    def _by_path(self) -> dict[Path, Revision]:
        return {r.path.resolve(): r for r in self.revisions}


def set_root(folder: Path) -> Path:
    """The folder whose revisions form one graph with those of `folder`: the `versions`
    folder at most `NESTING` levels above it (Alembic's recursive_version_locations),
    or the innermost folder named after a database below that (a per-dialect tree);
    else `folder` itself."""
    chain = [folder, *folder.parents][: NESTING + 1]
    versions = next((i for i, p in enumerate(chain) if p.name == "versions"), None)
    if versions is None:
        return folder
    return next((p for p in chain[:versions] if tree_dialect(p.name)), chain[versions])


def tree_dialect(name: str) -> str | None:
    """The database a folder named `name` is a per-dialect version tree of, else None."""
    return read_folder(Path(name), ()).dialect


def _python_files(root: Path) -> list[os.DirEntry[str]]:
    """`.py` files under `root`, not descending into hidden, cache or per-dialect folders
    (those are sets of their own)."""
    found: list[os.DirEntry[str]] = []
    stack = [root]
    while stack:
        try:
            with os.scandir(stack.pop()) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if not entry.name.startswith((".", "__")) and not tree_dialect(entry.name):
                    stack.append(Path(entry.path))
            elif entry.name.endswith(".py") and entry.is_file():
                found.append(entry)
    return sorted(found, key=lambda e: e.path)


def read_version_set(root: Path) -> VersionSet:
    """Read every revision of the set rooted at `root` (statically) and order them."""
    revisions = []
    stamps = _stamps(root)
    for entry in _python_files(root):
        path = Path(entry.path)
        if not revision_file_at(path):
            continue
        try:
            text = read_file(os.fspath(path), MAX_REVISION_BYTES).decode("utf-8", "replace")
        except InputError:
            continue  # the engine reports the file itself when it lints it
        revisions.append(read_revision(path, text))
    graph = build_graph(revisions, lambda: _ids_beside(root))
    return VersionSet(root, graph, tuple(revisions), find_environment(root), stamps)


def _ids_beside(root: Path) -> frozenset[str]:
    """Revision ids of the revisions in the folders beside `root` (below its parent)."""
    inside = os.fspath(root.resolve()) + os.sep
    found = set()
    for entry in _python_files(root.parent):
        path = Path(entry.path)
        if os.fspath(path.resolve()).startswith(inside) or not revision_file_at(path):
            continue
        m = _REVISION_ID.search(_head(path, _LONG_HEAD_BYTES))
        if m:
            found.add(m[1])
    return frozenset(found)


def set_files(root: Path) -> list[Path]:
    """Every file a revision of the set rooted at `root` is read with: its `.py` files
    and the env.py that may run them (environment.script_folders), resolved, in a
    stable order."""
    found = dict.fromkeys(Path(e.path).resolve() for e in _python_files(root))
    for folder in script_folders(root):
        found.setdefault((folder / "env.py").resolve())
    return list(found)


def _stamps(root: Path) -> dict[Path, tuple[int, int] | None]:
    """(mtime, size) of every file of the set rooted at `root` (`set_files`)."""
    return {path: _stamp(path) for path in set_files(root)}


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


_READ: dict[Path, VersionSet] = {}  # every set this process read, by its root


class VersionSets:
    """Version sets read on demand, each once: discovery keeps one per run, the front
    end one per run (the engine's Linter). A set another run (discovery's) read is taken when
    none of its files changed since; a set is read again when the file being linted is
    not the one the set read (it was edited since)."""

    def __init__(self) -> None:
        self._sets: dict[Path, VersionSet] = {}

    def of(self, folder: Path, file: Path | None = None) -> VersionSet:
        """The version set the revisions of `folder` belong to."""
        root = set_root(folder)
        key = root.resolve()
        found = self._sets.get(key)
        if found is None:
            found = _READ.get(key)
            if found is None or not found.unchanged():
                found = read_version_set(root)
        elif file is not None and not found.read_as_now(file):
            found = read_version_set(root)
        self._sets[key] = _READ[key] = found
        return found
