"""A file given on its own is judged after the migrations of its set that come before it.

`migralint check migrations/0042_x.sql` (the pre-commit case) must give that file the
verdicts a run over `migrations/` gives it: a widening of a column an earlier file
created is instant there, and an error without that history. So the earlier files of
its set are found (the set's folder walked as a folder run walks it) and replayed into
the catalog first, without being reported.

An alternative path (a Cadence squash folder, from version A to B) is a set of its own,
always judged after its history: the ups of the set it branches from up to A, replayed
into its catalog first, unreported; nothing of it is replayed into that set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from migralint.config import Settings
from migralint.sources.discover import discover
from migralint.sources.layout import MigrationFile


def with_earlier(
    files: Sequence[MigrationFile], given: Sequence[str | Path], settings: Settings
) -> Iterator[tuple[MigrationFile, bool]]:
    """The files to replay in order, each with whether it is reported: the discovered
    `files`, each file that was given by its own path preceded by its set's earlier
    migrations that were not given (replayed into its catalog, not reported)."""
    keys = _Keys()
    alone = {keys.of(Path(p)) for p in given if Path(p).is_file()}
    taken = {keys.of(f.path) for f in files}
    sets: dict[Path, _Walked] = {}
    branched: set[Path] = set()
    for file in files:
        if file.branches_from is not None and file.set_root not in branched:
            branched.add(file.set_root)
            for earlier in _history(file.branches_from, settings, sets, keys):
                yield replace(earlier, set_root=file.set_root), False
        if keys.of(file.path) in alone:
            for earlier, key in _earlier(file, settings, sets, keys):
                if key not in taken:
                    taken.add(key)
                    yield replace(earlier, set_root=file.set_root), False
        yield file, True


@dataclass(frozen=True)
class _Walked:
    """A set's folder as a folder run walks it: its ups in order with their resolved
    paths, where each walked file sits among them (resolved once per set, so many
    given files cost one walk, not one scan each), and how many of each set's ups
    were already handed out (each file's earlier ups extend the last file's)."""

    ups: dict[Path, list[tuple[MigrationFile, str]]]  # by set root, in order
    place: dict[str, tuple[Path, int]]  # a walked file's key → (its set root, ups before it)
    handed: dict[Path, int]  # set root → ups already returned by `_earlier`


def _earlier(
    file: MigrationFile, settings: Settings, sets: dict[Path, _Walked], keys: _Keys
) -> list[tuple[MigrationFile, str]]:
    """The migrations a folder run over the file's set applies before it, but downs and
    verify scripts (they change no catalog: the engine replays only ups), with their
    keys; those returned for an earlier file of the set are not returned again."""
    walked_set = _walked(file.set_root, settings, sets, keys)
    here = walked_set.place.get(keys.of(file.path))
    if here is None:
        return []
    root, before = here
    handed = walked_set.handed.get(root, 0)
    walked_set.handed[root] = max(handed, before)
    return walked_set.ups[root][handed:before]


def _history(
    branch: tuple[Path, tuple[Any, ...]],
    settings: Settings,
    sets: dict[Path, _Walked],
    keys: _Keys,
) -> list[MigrationFile]:
    """The ups of the set an alternative path branches from that sort before its key."""
    root, before = branch
    return [
        f for f, _ in _walked(root, settings, sets, keys).ups.get(root, []) if f.sort_key < before
    ]


def _walked(root: Path, settings: Settings, sets: dict[Path, _Walked], keys: _Keys) -> _Walked:
    """The set folder `root` walked as a folder run walks it, once per run."""
    if root not in sets:
        found = discover(
            [root],
            exclude=settings.exclude,
            fresh_install_globs=settings.fresh_install,
            dialect=settings.dialect,
        )
        ups: dict[Path, list[tuple[MigrationFile, str]]] = {}
        place: dict[str, tuple[Path, int]] = {}
        for walked in found.files:
            key = keys.of(walked.path)
            in_set = ups.setdefault(walked.set_root, [])
            place.setdefault(key, (walked.set_root, len(in_set)))
            if walked.direction not in ("down", "verify"):
                in_set.append((walked, key))
        sets[root] = _Walked(ups, place, {})
    return sets[root]


class _Keys:
    """A file's identity for this run: its resolved path, each folder resolved once
    from its parent's (a file or folder that is a symlink is resolved whole)."""

    def __init__(self) -> None:
        self._folders: dict[str, str] = {}

    def of(self, path: Path) -> str:
        text = str(path.absolute())  # not normalised: `link/..` is the link's target's parent
        try:
            return self._resolved(text)
        except (OSError, RuntimeError):  # a loop or an unreadable folder: compare as given
            return text

    def _resolved(self, text: str, folder: bool = False) -> str:
        if folder and text in self._folders:
            return self._folders[text]
        parent, name = os.path.split(text)
        if parent == text or name in ("", ".", "..") or os.path.islink(text):
            found = str(Path(text).resolve())
        else:
            found = os.path.join(self._resolved(parent, folder=True), name)
        if folder:
            self._folders[text] = found
        return found
