"""A file given on its own is judged after the migrations of its set that come before it.

`migralint check migrations/0042_x.sql` (the pre-commit case) must give that file the
verdicts a run over `migrations/` gives it: a widening of a column an earlier file
created is instant there, and an error without that history. So the earlier files of
its set are found (the set's folder walked as a folder run walks it) and replayed into
the catalog first, without being reported.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from migralint.config import Settings
from migralint.sources.discover import discover
from migralint.sources.layout import MigrationFile


def with_earlier(
    files: Sequence[MigrationFile], given: Sequence[str | Path], settings: Settings
) -> Iterator[tuple[MigrationFile, bool]]:
    """The files to replay in order, each with whether it is reported: the discovered
    `files`, each file that was given by its own path preceded by its set's earlier
    migrations that were not given (replayed into its catalog, not reported)."""
    alone = {_key(Path(p)) for p in given if Path(p).is_file()}
    taken = {_key(f.path) for f in files}
    sets: dict[Path, list[MigrationFile]] = {}
    for file in files:
        if _key(file.path) in alone:
            for earlier in _earlier(file, settings, sets):
                if _key(earlier.path) not in taken:
                    taken.add(_key(earlier.path))
                    yield replace(earlier, set_root=file.set_root), False
        yield file, True


def _earlier(
    file: MigrationFile, settings: Settings, sets: dict[Path, list[MigrationFile]]
) -> list[MigrationFile]:
    """The migrations a folder run over the file's set applies before it, but downs."""
    if file.set_root not in sets:
        found = discover(
            [file.set_root], exclude=settings.exclude, fresh_install_globs=settings.fresh_install
        )
        sets[file.set_root] = list(found.files)
    walked = sets[file.set_root]
    here = next((f for f in walked if _key(f.path) == _key(file.path)), None)
    if here is None:
        return []
    in_set = [f for f in walked if f.set_root == here.set_root]
    # a down file changes no catalog (the engine replays only ups): not read at all
    return [f for f in in_set[: in_set.index(here)] if f.direction != "down"]


def _key(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a loop or an unreadable folder: compare as given
        return path.absolute()
