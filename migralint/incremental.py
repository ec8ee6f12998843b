"""Lint migration sets from the cache where nothing they depend on changed, else across cores.

A migration set replays in order into one catalog, so it is the unit of work: sets are
independent of each other and run in parallel (`parallel.ordered_map`), a set's files
in order in one process. Four kinds of entry (`cache.key` over everything they depend
on: the code and rule packs, the settings, the file as the layout classified it, its
bytes, and what the run context reads beside it: whether its down file exists):

- a file's `Migration` (what the front end read), whatever came before it: a file
  that did not change is not parsed again, even when an earlier one changed; a set's
  Migrations are kept in one `Bundle` entry (by path, each with its file's key), as
  writing a file per Migration cost more than reading them;
- a set's verdicts, one `Verdict` per reported file (its findings and what a report
  shows of it), keyed over all of its files in order, since every later file may read
  what an earlier one built: when no file of the set changed, nothing is read,
  replayed or judged, and no Migration is unpickled until one is asked for;
- the catalog a set's first files build (before its last file, after it, and after
  every `CHECKPOINT_EVERY` files): a file given alone (the pre-commit case: the newest,
  one just added, or one edited among them) starts from the nearest one before it
  instead of replaying every earlier file;
- a set's file keys by each file's stat (size, mtime, ctime, inode), like ruff's and
  git's index: a re-run reads no file to know that none changed. It is written only
  when every file is older than `SETTLED_SECONDS`, so that a file rewritten within
  one tick of the clock, with the same size, is never taken for the old one.

A set with a file that cannot be read, or that was not linted to its end (out of time,
an internal error), keeps no results: its findings say why, and may not come next time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from migralint.cache import SETTLED_SECONDS, Cache, code_version, file_stat, key, settled
from migralint.context import FileInfo
from migralint.migration import Migration
from migralint.parallel import in_worker, ordered_map
from migralint.result import Stored
from migralint.schema import Catalog
from migralint.sources.contents import DiskContents
from migralint.sources.files import InputError
from migralint.sources.layout import MigrationFile
from migralint.sources.pairs import down_facts

if TYPE_CHECKING:
    from migralint.engine import Linted, Linter

CHECKPOINT_EVERY = 32  # files: a file given alone replays fewer earlier ones than this


@dataclass(frozen=True, slots=True)
class Job:
    """A file to lint in `dialect`; `reported` False: only replayed (an earlier file of
    a set whose later file was given alone); `new_migration` False: what the file
    before it created still counts as new (both ship in one deploy)."""

    file: MigrationFile
    dialect: str
    reported: bool = True
    new_migration: bool = True


@dataclass(frozen=True, slots=True)
class Verdict:
    """One reported file, judged: its findings, and what a report shows of the file
    (`LintResult.add`), without its Ops."""

    linted: Linted
    path: str
    text: str | None
    contexts: tuple[FileInfo, ...]

    @classmethod
    def of(cls, migration: Migration, linted: Linted) -> Verdict:
        return cls(linted, migration.path, migration.text, migration.contexts)


Result = tuple[Verdict, "Migration | Callable[[], Migration]"] | None  # None: only replayed
# what a set's work gives back: a Migration kept in the cache by its entry's key, so a
# worker does not send it back through a pipe, nor a hit unpickle it ("" from a worker:
# not in the cache, read again if asked for; pickling every Op cost more than that)
_Done = tuple[Verdict, "Migration | str"] | None


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
    linters.cache.forget_bundles()  # an earlier run's workers may have written them
    keyed = [_SetKeys.of(linters, [jobs[i] for i in members]) for members in sets]
    found = [_hit(linters.cache, k, len(m)) for k, m in zip(keyed, sets, strict=True)]
    todo = [n for n, value in enumerate(found) if value is None]
    if todo:
        work = _SetLint(linters)
        items = [(keyed[n], [jobs[i] for i in sets[n]]) for n in todo]
        sizes = [keyed[n].size for n in todo]
        dialects = {job.dialect for job in jobs}
        done = ordered_map(work, items, sizes, prepare=lambda: _preload(dialects))
        for n, results in zip(todo, done, strict=True):
            found[n] = results
    ordered: list[Result] = [None] * len(jobs)
    for members, results, keys in zip(sets, found, keyed, strict=True):
        for i, done in zip(members, results, strict=True):  # type: ignore[arg-type]
            if done is not None:
                verdict, migration = done
                if isinstance(migration, str):
                    job, judged = jobs[i], linters.judged
                    migration = Stored(
                        linters.cache,
                        keys.pack or "",
                        migration,
                        job.file,
                        job.dialect,
                        judged.settings,
                        judged,
                    )
                ordered[i] = (verdict, migration)
    return ordered


def _preload(dialects: set[str]) -> None:
    """Before the workers fork: the statement readers and sqlglot, which a run large
    enough to share out reads some statement with, imported once instead of per worker."""
    from migralint.sql.parse import preload

    preload(dialects)


@dataclass(frozen=True)
class _SetKeys:
    """The cache keys of one set: its results' (None: not cacheable), its Migrations'
    bundle's and each file's Migration's; and its size in bytes, to share the work out."""

    whole: str | None
    pack: str | None
    files: tuple[str | None, ...]
    size: int
    catalogs: tuple[str, ...] = ()  # the catalog after each first n files (none: not cached)

    @classmethod
    def of(cls, linters: Linters, jobs: Sequence[Job]) -> _SetKeys:
        stats = [file_stat(job.file.path) for job in jobs]
        size = sum(s[0] if s else 0 for s in stats)
        cache = linters.cache
        if not cache.enabled:  # no keys: nor a read of each file for them
            return cls(None, None, (None,) * len(jobs), size)
        settings = linters.judged.settings
        base = [code_version(tuple(settings.rule_paths)), repr(settings)]
        first = jobs[0]
        pack = key(*base, "migrations", str(first.file.set_root), first.dialect)
        sets: dict[Path, str] = {}  # an Alembic version set's digest, once per set
        named = [key(repr(job.file), job.dialect, *_beside(job.file, sets)) for job in jobs]
        by_stat = None
        if isinstance(linters.judged.contents, DiskContents) and all(stats):
            by_stat = key(*base, "stat", *named, *(repr(s) for s in stats))
        files = cache.get(by_stat) if by_stat else None
        if not (isinstance(files, tuple) and len(files) == len(jobs)):
            pairs = zip(named, jobs, strict=True)
            files = tuple(_file_key(linters, base, name, job) for name, job in pairs)
            if by_stat and settled(stats, SETTLED_SECONDS):
                cache.put(by_stat, files)
        if not all(files):
            return cls(None, pack, files, size)
        roles = "".join(f"{job.reported:d}{job.new_migration:d}" for job in jobs)
        whole = key(*base, roles, *files)  # type: ignore[arg-type]  # all str
        catalogs = _catalog_keys(base, jobs, files)  # type: ignore[arg-type]  # all str
        return cls(whole, pack, files, size, catalogs)


def _catalog_keys(base: list[str], jobs: Sequence[Job], files: Sequence[str]) -> tuple[str, ...]:
    """The key of the catalog after each first n jobs: over the ups among them, since a
    down changes no catalog and each file starts a new migration (none: one does not,
    `new_migration` False, and the files before it then count)."""
    if not all(job.new_migration for job in jobs):
        return ()
    catalogs = [key(*base, "catalog")]
    for job, entry in zip(jobs, files, strict=True):
        catalogs.append(catalogs[-1] if _down(job) else key(catalogs[-1], entry))
    return tuple(catalogs)


def _down(job: Job) -> bool:
    return job.file.direction == "down"


def _file_key(linters: Linters, base: list[str], name: str, job: Job) -> str | None:
    """The key of the file's Migration: its bytes and what they are (None: unreadable)."""
    try:
        data = linters.judged.contents.read(job.file)
    except InputError:
        return None
    return key(*base, name, data)


def _beside(file: MigrationFile, sets: dict[Path, str]) -> tuple[str, ...]:
    """What a file's Migration depends on beside its bytes and name: the run context's
    down facts; for an Alembic revision, the bytes of every file of its version set and
    of env.py (its graph, its project-wide findings and its settings are read there)."""
    facts = repr(down_facts(file.path, file.tool, file.direction))
    if file.tool != "alembic":
        return (facts,)
    if file.set_root not in sets:
        sets[file.set_root] = _version_set_digest(file.set_root)
    return facts, sets[file.set_root]


def _version_set_digest(root: Path) -> str:
    from migralint.alembic.project import set_files

    parts: list[str | bytes] = []
    for path in set_files(root):
        try:
            parts += [str(path), path.read_bytes()]
        except OSError:
            parts += [str(path), "missing"]
    return key(*parts)


class _SetLint:
    """Reads (or takes from the cache) and judges one set's files in order, into a
    fresh catalog; keeps what it read and, when it all went through, the verdicts."""

    def __init__(self, linters: Linters) -> None:
        self.linters = linters

    def __call__(self, item: tuple[_SetKeys, Sequence[Job]]) -> list[_Done]:
        keys, jobs = item
        cache, catalog = self.linters.cache, Catalog()
        bundle = cache.bundle(keys.pack) if keys.pack else None
        start = _restored(cache, keys, jobs, catalog)
        results: list[_Done] = [None] * start
        clean = True  # every file so far read and judged to its end: the catalog is cacheable
        kept_after = _checkpoints(jobs)
        shipped = in_worker()
        for n, (job, entry) in enumerate(zip(jobs, keys.files, strict=True)):
            if n < start:
                continue
            linter = self.linters.judged if job.reported else self.linters.replayed
            path = str(job.file.path)
            migration = bundle.get(path, entry) if bundle and entry else None
            kept = entry if isinstance(migration, Migration) else None  # in the cache
            if not isinstance(migration, Migration):
                migration = linter.read(job.file, job.dialect)
                if bundle and entry and migration.unfinished is None and migration.failure is None:
                    bundle.add(path, entry, migration)
                    kept = entry
            linted = linter.judge(migration, catalog, job.new_migration)
            handle = kept or ("" if shipped else migration)
            done = (Verdict.of(migration, linted), handle) if job.reported else None
            results.append(done)
            clean = clean and migration.failure is None and linted.unfinished is None
            if clean and keys.catalogs and n in kept_after:
                cache.put(keys.catalogs[n + 1], vars(catalog))
        if bundle:
            bundle.save()
        verdicts = [r[0] if r is not None else None for r in results]
        if keys.whole and all(v is None or v.linted.unfinished is None for v in verdicts):
            cache.put(keys.whole, verdicts)  # the Migrations are in their bundle
        return results


def _checkpoints(jobs: Sequence[Job]) -> set[int]:
    """The files after which the catalog is kept: the last two ups (a file given alone
    is most often the newest), and every CHECKPOINT_EVERY-th up (for one edited among
    the earlier ones; counted in ups, which a file given alone is replayed after)."""
    ups = [n for n, job in enumerate(jobs) if not _down(job)]
    return {*ups[-2:], *ups[CHECKPOINT_EVERY - 1 :: CHECKPOINT_EVERY]}


def _restored(cache: Cache, keys: _SetKeys, jobs: Sequence[Job], catalog: Catalog) -> int:
    """How many of the files only replayed before the first reported one need not be:
    the catalog the most of them build that is in the cache, into `catalog` (0: none)."""
    first = next((n for n, job in enumerate(jobs) if job.reported), len(jobs))
    if not (first and keys.catalogs):
        return 0
    kept = sorted((n + 1 for n in _checkpoints(jobs[:first])), reverse=True)
    for start in dict.fromkeys([first, *kept]):  # the nearest first; catalogs[n]: n files
        state = cache.get(keys.catalogs[start])
        if isinstance(state, dict):
            vars(catalog).update(state)
            return start
    return 0


def _sets(jobs: Sequence[Job]) -> list[list[int]]:
    """Indexes of `jobs` grouped by migration set and dialect, in order of appearance."""
    groups: dict[tuple[Path, str], list[int]] = {}
    for i, job in enumerate(jobs):
        groups.setdefault((job.file.set_root, job.dialect), []).append(i)
    return list(groups.values())


def _hit(cache: Cache, keys: _SetKeys, jobs: int) -> list[_Done] | None:
    """The set's results from the cache: its verdicts (None for a file only replayed),
    each with its Migration's entry; None if any is missing or not what it should be."""
    verdicts = cache.get(keys.whole) if keys.whole else None
    if not isinstance(verdicts, list) or len(verdicts) != jobs:
        return None
    if not all(v is None or isinstance(v, Verdict) for v in verdicts):
        return None
    pairs = zip(verdicts, keys.files, strict=True)  # every entry is a str: `whole` is set
    return [(v, entry) if v is not None else None for v, entry in pairs]  # type: ignore[misc]
