"""Front ends: what turns a migration file's bytes into a `Migration`.

A front end is registered here by name, with the files it reads and the module that
implements it; the module is imported only when a file needs it, so `migralint rules`
or `--version` never load sqlglot. The SQL front end reads every file no other front
end claims. To add one (Alembic: `*.py` revisions), write a module with a class that
has `name` and `read(file, data, reading) -> Migration` (the `FrontEnd` protocol) and
register it before "sql".
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from migralint.config import Settings
from migralint.sources.layout import MigrationFile

if TYPE_CHECKING:
    from migralint.migration import Migration
    from migralint.sql import ops
    from migralint.sql.statements import Statement

StatementReader = Callable[["Statement", str, str], "list[ops.Op]"]


@dataclass(frozen=True, slots=True)
class Reading:
    """What a front end is told besides the bytes: the dialect to read, the settings
    (run-context globs, time budget), when reading must stop (time.monotonic()), and
    for the SQL front end the statement reader (None: `sql.parse.parse_statement`;
    the engine passes its own name for it, through which tests inject reader bugs), and
    the run it belongs to (the engine's Linter), for what a front end keeps per run."""

    dialect: str
    settings: Settings
    deadline: float | None = None
    parse: StatementReader | None = None
    run: object = None


class FrontEnd(Protocol):
    """Turns one file's bytes into a Migration; never raises for bad input (a bad file
    is a Migration with a `problem`, a bad statement an `Unparsed` Op)."""

    name: str

    def read(self, file: MigrationFile, data: bytes, reading: Reading) -> Migration: ...


@dataclass(frozen=True, slots=True)
class Registered:
    name: str
    reads: Callable[[MigrationFile], bool]  # does this front end read the file?
    implementation: str  # "module:Class"


def _any_file(file: MigrationFile) -> bool:
    return True


def _alembic_revision(file: MigrationFile) -> bool:
    return file.tool == "alembic"


FRONT_ENDS: tuple[Registered, ...] = (
    Registered("alembic", _alembic_revision, "migralint.frontends.alembic:AlembicFrontEnd"),
    Registered("sql", _any_file, "migralint.frontends.sql:SqlFrontEnd"),
)
_loaded: dict[str, FrontEnd] = {}


def front_end_for(file: MigrationFile) -> FrontEnd:
    """The first registered front end that reads the file, loaded on first use."""
    entry = next(e for e in FRONT_ENDS if e.reads(file))
    if entry.name not in _loaded:
        module, _, name = entry.implementation.partition(":")
        _loaded[entry.name] = getattr(importlib.import_module(module), name)()
    return _loaded[entry.name]
