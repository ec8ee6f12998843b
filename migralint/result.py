"""What a lint run gives back: its findings, an account of every file, and its
Migrations, which a cache hit leaves in the cache until one is asked for (a report never
asks). Light to import: a run answered from the cache builds one without the engine."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, overload

from migralint.cache import Cache
from migralint.findings import Finding, Severity

if TYPE_CHECKING:
    from migralint.config import Settings
    from migralint.engine import Linter
    from migralint.fileinfo import FileInfo
    from migralint.incremental import Verdict
    from migralint.migration import Migration
    from migralint.rule import RuleSpec
    from migralint.sources.layout import MigrationFile


@dataclass(frozen=True)
class Stored:
    """A Migration kept in the cache's bundle `pack` with its file's key `entry`,
    unpickled when first asked for; if it was lost since, the file is read again (by
    `linter`, else with `settings`)."""

    cache: Cache
    pack: str
    entry: str
    file: MigrationFile
    dialect: str
    settings: Settings
    linter: Linter | None = None

    def __call__(self) -> Migration:
        from migralint.engine import Linter
        from migralint.migration import Migration

        found = self.cache.bundle(self.pack).get(str(self.file.path), self.entry)
        if isinstance(found, Migration):
            return found

        return (self.linter or Linter([], self.settings)).read(self.file, self.dialect)


class Migrations(Sequence["Migration"]):
    """The Migrations of a run, in order; those a cache hit answered are unpickled
    when first asked for (a report never asks)."""

    def __init__(self) -> None:
        self._items: list[Migration | Callable[[], Migration]] = []

    def append(self, item: Migration | Callable[[], Migration]) -> None:
        self._items.append(item)

    @overload
    def __getitem__(self, index: int) -> Migration: ...
    @overload
    def __getitem__(self, index: slice) -> list[Migration]: ...
    def __getitem__(self, index: int | slice) -> Migration | list[Migration]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        item = self._items[index]
        if callable(item):
            item = self._items[index] = item()
        return item

    def __len__(self) -> int:
        return len(self._items)

    def stored(self) -> tuple[tuple[str, str, MigrationFile, str], ...] | None:
        """Each Migration's cache bundle, entry, file and dialect, none loaded (None:
        one is not in the cache)."""
        items = self._items
        if not all(isinstance(item, Stored) for item in items):
            return None
        return tuple((i.pack, i.entry, i.file, i.dialect) for i in items)  # type: ignore[union-attr]

    def __iter__(self) -> Iterator[Migration]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"Migrations({len(self)} files)"


@dataclass
class LintResult:
    """Findings plus an account of every file: linted, or skipped and why; the
    Migrations read and the rules run, so that formats never read a file."""

    findings: list[Finding] = field(default_factory=list)
    files_linted: int = 0
    skipped: dict[str, str] = field(default_factory=dict)  # path → reason
    missing: tuple[str, ...] = ()
    unusable: tuple[tuple[str, str], ...] = ()  # given paths that cannot be used: (path, why)
    sources: dict[str, str] = field(default_factory=dict)  # path → the text that was linted
    contexts: list[FileInfo] = field(default_factory=list)  # how each migration runs
    migrations: Migrations = field(default_factory=Migrations)  # every file linted, in order
    rules: tuple[RuleSpec, ...] = ()  # the rules that judged them
    not_run: tuple[MigrationFile, ...] = ()  # files their tool's manifest does not list

    def fails(self, at: Severity = Severity.ERROR) -> bool:
        return any(f.severity >= at for f in self.findings)

    def add(self, verdict: Verdict, migration: Migration | Callable[[], Migration]) -> None:
        """Account for one linted (or unreadable) migration: its verdict, and its
        Migration (or how to load it from the cache)."""
        linted = verdict.linted
        self.migrations.append(migration)
        self.findings.extend(linted.findings)
        self.contexts.extend(verdict.contexts)
        if verdict.text is not None:
            self.sources[verdict.path] = verdict.text
        if linted.unfinished:
            self.skipped[verdict.path] = linted.unfinished
        else:
            self.files_linted += 1
