"""Lint migration sets from the cache where nothing they depend on changed, else across cores.

A migration set replays in order into one catalog, so it is the unit of work: sets are
independent of each other and run in parallel (`parallel.ordered_map`), a set's files
in order in one process. Two kinds of entry (`cache.key` over everything they depend
on: the code and rule packs, the settings, the file as the layout classified it, its
bytes, and the names in its folder and the one above, where its down file would be):

- a file's `Migration` (what the front end read), whatever came before it: a file
  that did not change is not parsed again, even when an earlier one changed;
- a set's verdicts, one `Linted` per reported file, keyed over all of its files in
  order, since every later file may read what an earlier one built: when no file of
  the set changed, nothing is read, replayed or judged.

A set with a file that cannot be read, or that was not linted to its end (out of time,
an internal error), keeps no results: its findings say why, and may not come next time.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from migralint.cache import Cache, code_version, key
from migralint.migration import Migration
from migralint.parallel import ordered_map
from migralint.schema import Catalog
from migralint.sources.files import InputError
from migralint.sources.layout import MigrationFile

if TYPE_CHECKING:
    from migralint.engine import Linted, Linter


@dataclass(frozen=True, slots=True)
class Job:
    """A file to lint in `dialect`; `reported` False: only replayed (an earlier file of
    a set whose later file was given alone); `new_migration` False: what the file
    before it created still counts as new (both ship in one deploy)."""

    file: MigrationFile
    dialect: str
    reported: bool = True
    new_migration: bool = True


Result = tuple[Migration, "Linted"] | None  # None for a file only replayed


@dataclass(frozen=True)
class Linters:
    """What the work needs: the linter with the rules, one without (for files only
    replayed: same settings, same contents), and the cache."""

    judged: Linter
    replayed: Linter
    cache: Cache


def lint_in_sets(linters: Linters, jobs: Sequence[Job]) -> list[Result]:
    """The results of `jobs` (grouped by set, as `discover` returns them), in order."""
    sets = _sets(jobs)
    names = _Listings()
    keyed = [_SetKeys.of(linters, [jobs[i] for i in members], names) for members in sets]
    found = [_hit(linters.cache, k, [jobs[i] for i in m]) for k, m in zip(keyed, sets, strict=True)]
    todo = [n for n, value in enumerate(found) if value is None]
    if todo:
        work = _SetLint(linters)
        items = [(keyed[n], [jobs[i] for i in sets[n]]) for n in todo]
        sizes = [keyed[n].size for n in todo]
        for n, results in zip(todo, ordered_map(work, items, sizes), strict=True):
            found[n] = results
    ordered: list[Result] = [None] * len(jobs)
    for members, results in zip(sets, found, strict=True):
        for i, result in zip(members, results, strict=True):  # type: ignore[arg-type]
            ordered[i] = result
    return ordered


@dataclass(frozen=True)
class _SetKeys:
    """The cache keys of one set: its results' (None: not cacheable) and each file's
    Migration's; and its size in bytes, to share the work out."""

    whole: str | None
    files: tuple[str | None, ...]
    size: int

    @classmethod
    def of(cls, linters: Linters, jobs: Sequence[Job], names: _Listings) -> _SetKeys:
        if not linters.cache.enabled:  # no keys: nor a second read of each file for them
            return cls(None, (None,) * len(jobs), sum(_size(job.file.path) for job in jobs))
        settings, contents = linters.judged.settings, linters.judged.contents
        base = [code_version(tuple(settings.rule_paths)), repr(settings)]
        files: list[str | None] = []
        size = 0
        for job in jobs:
            try:
                data = contents.read(job.file)
            except InputError:
                files.append(None)
                continue
            size += len(data)
            folders = names.around(job.file.path)  # whether its down file exists
            files.append(key(*base, repr(job.file), job.dialect, *folders, data))
        whole = None
        if all(files):
            roles = "".join(f"{job.reported:d}{job.new_migration:d}" for job in jobs)
            whole = key(*base, roles, *files)  # type: ignore[arg-type]  # all str
        return cls(whole, tuple(files), size)


class _SetLint:
    """Reads (or takes from the cache) and judges one set's files in order, into a
    fresh catalog; keeps what it read and, when it all went through, the results."""

    def __init__(self, linters: Linters) -> None:
        self.linters = linters

    def __call__(self, item: tuple[_SetKeys, Sequence[Job]]) -> list[Result]:
        keys, jobs = item
        cache, catalog = self.linters.cache, Catalog()
        results: list[Result] = []
        for job, entry in zip(jobs, keys.files, strict=True):
            linter = self.linters.judged if job.reported else self.linters.replayed
            migration = cache.get(entry) if entry else None
            if not isinstance(migration, Migration):
                migration = linter.read(job.file, job.dialect)
                if entry and migration.unfinished is None and migration.failure is None:
                    cache.put(entry, migration)
            linted = linter.judge(migration, catalog, job.new_migration)
            results.append((migration, linted) if job.reported else None)
        verdicts = [r[1] if r is not None else None for r in results]
        if keys.whole and all(v is None or v.unfinished is None for v in verdicts):
            cache.put(keys.whole, verdicts)  # the Migrations are in their own entries
        return results


def _size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _sets(jobs: Sequence[Job]) -> list[list[int]]:
    """Indexes of `jobs` grouped by migration set and dialect, in order of appearance."""
    groups: dict[tuple[Path, str], list[int]] = {}
    for i, job in enumerate(jobs):
        groups.setdefault((job.file.set_root, job.dialect), []).append(i)
    return list(groups.values())


def _hit(cache: Cache, keys: _SetKeys, jobs: Sequence[Job]) -> list[Result] | None:
    """The set's results from the cache: its verdicts, one `Linted` per reported file
    (None for one only replayed), and each reported file's Migration; None if any of
    it is missing or is not what it should be."""
    from migralint.engine import Linted

    verdicts = cache.get(keys.whole) if keys.whole else None
    if not isinstance(verdicts, list) or len(verdicts) != len(jobs):
        return None
    results: list[Result] = []
    for job, entry, verdict in zip(jobs, keys.files, verdicts, strict=True):
        if not job.reported:
            results.append(None)
            continue
        migration = cache.get(entry) if entry else None
        if not (isinstance(verdict, Linted) and isinstance(migration, Migration)):
            return None
        results.append((migration, verdict))
    return results


class _Listings:
    """The names in a folder, read once per run: a file's key holds those of its folder
    and the one above (diesel's), so a down file added or removed beside it counts."""

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}

    def around(self, path: Path) -> tuple[str, str]:
        folder = os.path.dirname(os.path.abspath(path))
        return self._names(folder), self._names(os.path.dirname(folder))

    def _names(self, folder: str) -> str:
        if folder not in self._seen:
            try:
                self._seen[folder] = folder + "\0" + "\0".join(sorted(os.listdir(folder)))
            except OSError:
                self._seen[folder] = folder
        return self._seen[folder]
