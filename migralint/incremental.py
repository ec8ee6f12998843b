"""Lint migration sets from the cache where nothing they depend on changed, else across cores.

A migration set replays in order into one catalog, so it is the unit of work: sets are
independent of each other and run in parallel (`parallel.ordered_map`), a set's files
in order in one process. Two kinds of entry (`cache.key` over everything they depend
on: the code and rule packs, the settings, the file as the layout classified it, its
bytes, and whether its down file exists):

- a file's `Migration` (what the front end read), whatever came before it: a file
  that did not change is not parsed again, even when an earlier one changed;
- a set's results, one `(Migration, Linted)` per reported file, keyed over all of its
  files in order, since every later file may read what an earlier one built: when no
  file of the set changed, nothing is read, replayed or judged.

A set with a file that cannot be read, or that was not linted to its end (out of time,
an internal error), keeps no results: its findings say why, and may not come next time.
"""

from __future__ import annotations

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
from migralint.sources.pairs import down_facts

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
    keyed = [_SetKeys.of(linters, [jobs[i] for i in members]) for members in sets]
    found = [linters.cache.get(k.whole) if k.whole else None for k in keyed]
    todo = [n for n, value in enumerate(found) if not _fits(value, sets[n], jobs)]
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
    def of(cls, linters: Linters, jobs: Sequence[Job]) -> _SetKeys:
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
            downs = down_facts(job.file.path, job.file.tool, job.file.direction)
            files.append(key(*base, repr(job.file), job.dialect, repr(downs), data))
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
        finished = all(r is None or r[1].unfinished is None for r in results)
        if keys.whole and finished:
            cache.put(keys.whole, results)
        return results


def _sets(jobs: Sequence[Job]) -> list[list[int]]:
    """Indexes of `jobs` grouped by migration set and dialect, in order of appearance."""
    groups: dict[tuple[Path, str], list[int]] = {}
    for i, job in enumerate(jobs):
        groups.setdefault((job.file.set_root, job.dialect), []).append(i)
    return list(groups.values())


def _fits(found: object, members: Sequence[int], jobs: Sequence[Job]) -> bool:
    """A cached value is a set's results: (Migration, Linted) per reported file, else None."""
    from migralint.engine import Linted

    if not isinstance(found, list) or len(found) != len(members):
        return False
    return all(
        isinstance(r, tuple)
        and isinstance(r[0], Migration)
        and isinstance(r[1], Linted)
        and jobs[i].reported
        if r is not None
        else not jobs[i].reported
        for i, r in zip(members, found, strict=True)
    )
