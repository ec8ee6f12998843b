"""The answer of a whole `check` run, kept for the next run of the same command.

A run's findings depend on the files it read and on which files and folders exist, so
its entry (`cache.key` over the code, the settings, the rule options, the working
folder and the given paths) keeps, beside the result, the stat of everything a run
over the same paths looks at: every folder it walks (a given folder and every set
folder its files' earlier migrations are looked for in, as discovery walks them: not
into dot-folders nor folders git ignores), each with the regular files in it, and every
folder above those up to the repository's top (the nearest holding `.git`), with its
files (manifests, `.gitignore`, configuration) and the repository's `info/exclude`.

A folder's mtime changes when an entry is added, removed or renamed in it, a file's
size, mtime or ctime when it is written: when none of the stats differ, nothing a run
reads differs, and the stored result is the run's answer without discovering, keying,
reading or judging anything, nor loading the rule pack. Only results that are the same
on every run are kept: not when a file ran out of time, met a bug of ours or could
not be read, nor (like the per-set stat keys) when anything watched changed within
`incremental.SETTLED_SECONDS`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from migralint.cache import (
    SETTLED_SECONDS,
    Cache,
    Stat,
    code_version,
    file_stat,
    key,
    packed,
    settled,
    unpacked,
)
from migralint.findings import Finding
from migralint.gitignore import GitIgnore, exclude_file
from migralint.result import LintResult, Migrations, Stored

if TYPE_CHECKING:
    from migralint.config import Settings
    from migralint.fileinfo import FileInfo
    from migralint.migration import Migration
    from migralint.sources.layout import MigrationFile

_UNSTABLE = frozenset({"time budget exceeded", "internal error", "unreadable"})
# tools whose manifests name files and folders anywhere (Liquibase's includes resolve
# against every folder above a changelog, sqitch.conf may move its folders): what they
# read is not known to be watched, so their runs keep no answer
_FOLLOWS_REFERENCES = frozenset({"liquibase", "sqitch"})


@dataclass(frozen=True)
class Watched:
    """The folders and files a run looked at, each with its stat then (`folder_stat`,
    `file_stat`), in flat tuples: one entry, read in one go."""

    folders: tuple[str, ...]
    folder_stats: tuple[Stat, ...]
    files: tuple[str, ...]
    file_stats: tuple[Stat, ...]

    def unchanged(self) -> bool:
        return all(
            folder_stat(p) == s for p, s in zip(self.folders, self.folder_stats, strict=True)
        ) and all(file_stat(p) == s for p, s in zip(self.files, self.file_stats, strict=True))

    def settled(self) -> bool:
        """Nothing changed within SETTLED_SECONDS (read when it runs: tests move it)."""
        return settled((*self.folder_stats, *self.file_stats), SETTLED_SECONDS)


@dataclass(frozen=True)
class Answer:
    """What a report needs of a run: its result without the rules and Migrations
    (`stored`: each Migration's cache bundle, entry, file and dialect, packed: unpacked only
    when a Migration is asked for), and the settings with the command line's rule
    options folded in."""

    watched: Watched
    settings: Settings
    findings: tuple[Finding, ...]
    files_linted: int
    skipped: dict[str, str]
    missing: tuple[str, ...]
    unusable: tuple[tuple[str, str], ...]
    sources: dict[str, str]
    contexts: tuple[FileInfo, ...]
    not_run: tuple[MigrationFile, ...]
    stored: bytes
    count: int  # of Migrations


class Rerun:
    """One `check` command's entry in the cache."""

    def __init__(
        self, cache: Cache, targets: Sequence[Path], settings: Settings, options: Iterable[str]
    ) -> None:
        self.cache = cache
        self.targets = [os.path.abspath(t) for t in targets]
        self.entry = key(
            code_version(tuple(settings.rule_paths)),
            "rerun",
            repr(settings),
            *options,
            os.getcwd(),
            *map(os.fspath, targets),
        )

    def lookup(self) -> tuple[Settings, LintResult] | None:
        """The settings and result of the last identical run, if nothing it looked at changed."""
        answer = self.cache.get(self.entry) if self.cache.enabled else None
        if not isinstance(answer, Answer) or not answer.watched.unchanged():
            return None
        migrations = Migrations()
        later = _Later(self.cache, answer)
        for n in range(answer.count):
            migrations.append(functools.partial(later.load, n))
        result = LintResult(
            findings=list(answer.findings),
            files_linted=answer.files_linted,
            skipped=answer.skipped,
            missing=answer.missing,
            unusable=answer.unusable,
            sources=answer.sources,
            contexts=list(answer.contexts),
            migrations=migrations,
            not_run=answer.not_run,
        )
        return answer.settings, result

    def store(self, settings: Settings, result: LintResult) -> None:
        """Keep the run's answer, when it is the same on every run over the same files."""
        stored = result.migrations.stored()
        if not self.cache.enabled or stored is None or _UNSTABLE & set(result.skipped.values()):
            return
        if any(info.tool in _FOLLOWS_REFERENCES for info in result.contexts):
            return
        roots = {info.set_root for info in result.contexts if info.set_root}
        watched = watch(self.targets, sorted(roots))
        folders = set(watched.folders)
        if not watched.settled() or any(
            os.path.dirname(os.path.abspath(path)) not in folders for path in _reported(result)
        ):
            return
        self.cache.put(
            self.entry,
            Answer(
                watched,
                settings,
                tuple(result.findings),
                result.files_linted,
                result.skipped,
                result.missing,
                result.unusable,
                result.sources,
                tuple(result.contexts),
                result.not_run,
                packed(stored),
                len(stored),
            ),
        )


def _reported(result: LintResult) -> Iterator[str]:
    """Every file the run read or reported: each must sit in a watched folder."""
    yield from result.sources
    yield from result.skipped
    yield from (info.path for info in result.contexts)
    yield from (str(file.path) for file in result.not_run)


class _Later:
    """A hit's Migrations: their entries unpacked when the first one is asked for."""

    def __init__(self, cache: Cache, answer: Answer) -> None:
        self.cache = cache
        self.answer = answer

    @functools.cached_property
    def stored(self) -> tuple[tuple[str, str, MigrationFile, str], ...]:
        return unpacked(self.answer.stored)  # type: ignore[return-value]

    def load(self, n: int) -> Migration:
        pack, entry, file, dialect = self.stored[n]
        return Stored(self.cache, pack, entry, file, dialect, self.answer.settings)()


def watch(targets: Sequence[str], set_roots: Sequence[str]) -> Watched:
    """The stats of what a run over `targets` looks at (see the module's docstring)."""
    seen = _Seen({}, {})
    for target in targets:
        _above(target, seen)
    walked: set[tuple[int, int]] = set()  # (device, inode): a symlink loop is walked once
    for root in [t for t in targets if os.path.isdir(t)] + list(set_roots):
        _above(root, seen)
        _walk(root, seen, walked)
    folders, files = seen
    return Watched(tuple(folders), tuple(folders.values()), tuple(files), tuple(files.values()))


class _Seen(NamedTuple):
    folders: dict[str, Stat]
    files: dict[str, Stat]


def _walk(root: str, seen: _Seen, walked: set[tuple[int, int]]) -> None:
    """Every folder under `root` discovery may enter, with its files."""
    ignore = GitIgnore(root)
    stack = [root]
    while stack:
        folder = stack.pop()
        st = folder_stat(folder)
        if st is None or (st[4], st[3]) in walked:
            continue
        walked.add((st[4], st[3]))
        for entry in _listed(folder, st, seen):
            if not entry.name.startswith(".") and not _ignored(ignore, entry):
                stack.append(entry.path)


def _ignored(ignore: GitIgnore, entry: os.DirEntry[str]) -> bool:
    """As discovery asks it: a symlink to a folder is asked about as a file."""
    return ignore.ignored(entry.path, entry.is_dir(follow_symlinks=False))


def _above(path: str, seen: _Seen) -> None:
    """`path`'s folders up to the repository's top (else the root), each with its files;
    a folder that does not exist (a missing given path) is watched for appearing."""
    folder = os.path.dirname(path)
    while folder not in seen.folders:
        _listed(folder, folder_stat(folder), seen)
        if os.path.lexists(os.path.join(folder, ".git")):
            exclude = exclude_file(folder)
            seen.files[exclude] = file_stat(exclude)
            return
        parent = os.path.dirname(folder)
        if parent == folder:
            return
        folder = parent


def _listed(folder: str, st: Stat, seen: _Seen) -> list[os.DirEntry[str]]:
    """Record the folder and the stat of each file in it; its subfolders."""
    seen.folders[folder] = st
    try:
        with os.scandir(folder) as it:
            entries = list(it)
    except OSError:
        return []
    subfolders = []
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            subfolders.append(entry)
        else:
            seen.files[entry.path] = file_stat(entry.path)
    return subfolders


def folder_stat(path: str) -> Stat:
    """A folder's stat as its listing depends on it: its mtime (an entry added, removed or
    renamed), inode and device; not its size nor its ctime, which a chmod or a backup
    tool's xattr moves."""
    st = file_stat(path)
    return st and (0, st[1], 0, st[3], st[4])
