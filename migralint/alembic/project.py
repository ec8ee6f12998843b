"""Alembic version folders: which `.py` files are revisions, and their order.

A file is a revision when it assigns `revision` and `down_revision` at module level
(how `alembic revision` writes every one), wherever it lies: a `versions/` folder under
a `script_location`, a package path, or a plugin's own tree. Each folder is one
version set, ordered by its revision graph; a folder is read once per run.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from migralint.alembic.environment import Environment, find_environment
from migralint.alembic.graph import Graph, build_graph
from migralint.alembic.revision import Revision, read_revision
from migralint.sources.files import InputError, read_file, read_head

_MARKER = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=", re.MULTILINE)
_HEAD_BYTES = 8192
_NOT_REVISIONS = frozenset({"env.py", "__init__.py", "setup.py", "conftest.py"})
MAX_REVISION_BYTES = 4 << 20


def is_revision(name: str, head: str) -> bool:
    """Whether a file (its name and first bytes) is an Alembic revision."""
    if not name.endswith(".py") or name in _NOT_REVISIONS:
        return False
    return {m[1] for m in _MARKER.finditer(head)} == {"revision", "down_revision"}


def head_of(path: Path) -> str:
    return read_head(os.fspath(path), _HEAD_BYTES).decode("utf-8", "replace")


@dataclass(frozen=True)
class VersionSet:
    """One folder's revisions: the graph (with its order and problems), and env.py."""

    folder: Path
    graph: Graph
    revisions: tuple[Revision, ...]
    environment: Environment

    def position(self, path: Path) -> int:
        """The file's place in the upgrade order (files the graph cannot place go last)."""
        names = [r.path.name for r in self.graph.ordered]
        return names.index(path.name) if path.name in names else len(names)


def read_version_set(folder: Path) -> VersionSet:
    """Read every revision of `folder` (statically) and order them."""
    revisions = []
    try:
        names = sorted(e.name for e in os.scandir(folder) if e.is_file())
    except OSError:
        names = []
    for name in names:
        path = folder / name
        if not is_revision(name, head_of(path)):
            continue
        try:
            text = read_file(os.fspath(path), MAX_REVISION_BYTES).decode("utf-8", "replace")
        except InputError:
            continue  # the engine reports the file itself when it lints it
        revisions.append(read_revision(path, text))
    return VersionSet(folder, build_graph(revisions), tuple(revisions), find_environment(folder))


class VersionSets:
    """Version sets read on demand, each folder once (discovery and the engine share it)."""

    def __init__(self) -> None:
        self._sets: dict[Path, VersionSet] = {}

    def of(self, folder: Path) -> VersionSet:
        key = folder.resolve()
        if key not in self._sets:
            self._sets[key] = read_version_set(folder)
        return self._sets[key]
