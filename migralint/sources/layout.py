"""What a migration file's name and folder say: its tool, set, order, direction, dialect.

Pure name/path logic. The facts that need the disk (a file's first bytes for the dbmate
marker, Prisma's lock file, the project manifest that names the migration runner, the
tool manifest that lists the files that run: a `sqitch.plan`, an `atlas.sum`, a Liquibase
master changelog, a temporal-sql-tool `manifest.json`) are asked of a `Probe` that the
caller supplies.

Every `sort_key` has the same shape, `(phase, version, sub, relative path)` with
`phase: int`, `version: tuple[int, ...]`, `sub: int`, `relative path: str`, so any two
keys compare without a type error, even across tools sharing one folder.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, Protocol

from migralint.sources import atlas, liquibase, sqitch, temporal

Direction = Literal["up", "down", "repeatable", "verify"]
TransactionMode = Literal["per-file", "implicit", "none"]

SNIFF_BYTES = 4096
"""How much of an otherwise unrecognised `.sql` file `Probe.head` must return."""

CANDIDATE_SUFFIXES = (".sql", ".sql.postgres", ".sql.sqlite", ".sql.mysql")
"""File-name endings (lower case) that a directory walk picks up; `.py` files are looked
at too, and taken only when they are Alembic revisions (see `migralint.alembic`)."""

# phases of a sort key: set-up files and before-callbacks, the versioned timeline,
# Flyway repeatables, then after-callbacks and unversioned files
_SETUP, _VERSIONED, _REPEATABLE, _AFTER = 0, 1, 2, 3

_ENGINES = {
    "postgres": "postgres",
    "postgresql": "postgres",
    "pgsql": "postgres",
    "pg": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
    "sqlite3": "sqlite",
    "h2": "h2",
    "cockroach": "cockroach",
    "cockroachdb": "cockroach",
    "mssql": "tsql",
    "sqlserver": "tsql",
}

_FLYWAY = re.compile(r"([VUB])(\d+(?:[._]\d+)*)__.*(?i:\.sql)")
_FLYWAY_REPEATABLE = re.compile(r"R__.*(?i:\.sql)")
_FLYWAY_SEPARATOR = re.compile(r"[._]")
_FLYWAY_CALLBACK = re.compile(
    r"(before|after)(?:Each)?(?:Migrate|Undo|Clean|Info|Validate|Baseline|Repair|Repeatables"
    r"|Versioned|Connect)(?:Statement)?(?:Applied|Error)?(?:__.*)?(?i:\.sql)"
)
_FLYWAY_KIND = {"B": 0, "V": 1, "U": 2}  # a baseline precedes, an undo follows, its version
_UP_DOWN = re.compile(r"(\d+)_(.+)\.(up|down)\.sql", re.IGNORECASE)
_ENGINE_SUFFIX = re.compile(r".*__([a-z0-9]+)\.sql", re.IGNORECASE)
_LEADING_NUMBER = re.compile(r"\d+")
_VERSION_FOLDER = re.compile(r"v?\d+(?:[._-]\d+)*", re.IGNORECASE)
_FRESH_NAME = re.compile(
    r"(?<![a-z0-9])(?:baseline|base[_-]?schema|init(?:ial)?[_-]?schema|schema[_-]?dump)"
    r"|^full\.sql(?:\.|$)",
    re.IGNORECASE,
)
_DBMATE_UP = re.compile(r"^--\s*migrate:up\b(.*)$", re.MULTILINE)
_DBMATE_SECTION = re.compile(r"^--\s*migrate:(up|down)\b(.*)$", re.MULTILINE)
_GOOSE_SECTION = re.compile(r"^--\s*\+goose\s+(up|down)\b()", re.MULTILINE | re.IGNORECASE)
_GOOSE_NO_TRANSACTION = re.compile(r"^--\s*\+goose\s+NO\s+TRANSACTION\b", re.M | re.I)
_PRISMA_PROVIDER = re.compile(r'^\s*provider\s*=\s*"([^"]*)"', re.MULTILINE)
_SCHEMA_DUMP = re.compile(
    r"^--\s*(?:PostgreSQL database dump|Dumped (?:from database version|by pg_dump)"
    r"|MySQL dump|MariaDB dump|Name: [^;\n]+; Type: [^;\n]+; Schema: )"
    r"|^/\*!\d{5} SET "
    r"|\APRAGMA foreign_keys=OFF;\s*BEGIN TRANSACTION;",
    re.MULTILINE | re.IGNORECASE,
)
_PG_DUMP_PREAMBLE = ("SET standard_conforming_strings", "SET check_function_bodies")


@dataclass(frozen=True, slots=True)
class MigrationFile:
    """One migration file and how its migration tool treats it."""

    path: Path  # the file as found (joined onto the path the user gave)
    set_root: Path  # directory of the migration set; one set replays into one catalog
    sort_key: tuple[Any, ...]  # the tool's application order inside the set
    tool: str  # flyway | golang-migrate | sqlx | morph | dbmate | goose | prisma | diesel | popx
    # | synapse | sqitch | atlas | liquibase | temporal-sql-tool | plain
    direction: Direction
    dialect: str | None  # postgres | mysql | sqlite | h2 | cockroach | tsql | None
    transaction: TransactionMode | None  # None: unknown, configuration decides
    fresh_install: bool  # builds a schema from nothing (baseline, full dump)
    version: str  # version text from the name, "" if none
    transaction_reason: str = ""  # what says how the tool runs it ("" when unknown)
    fresh_reason: str = ""  # what says it is a fresh install ("" when it is not)
    not_run: str = ""  # why its tool never runs it ("not in sqitch.plan"; "" when it does)
    # an alternative path (a squash folder): the set whose ups sorting before the key are
    # its history, replayed into its own catalog first
    branches_from: tuple[Path, tuple[Any, ...]] | None = None


class Probe(Protocol):
    """The file reads classification needs; the caller decides how (and caches)."""

    def head(self, path: Path) -> str:
        """The first `SNIFF_BYTES` of `path`, decoded leniently ("" if unreadable)."""
        ...

    def prisma_dialect(self, migrations_dir: Path) -> str | None:
        """The dialect of `migrations_dir/migration_lock.toml` (see `prisma_lock_dialect`)."""
        ...

    def runner(self, folder: Path) -> str | None:
        """The runner of `<version>_<name>.up.sql` files that the nearest project
        manifest above `folder` names (see `manifest_runner`), else None."""
        ...

    def sqitch(self, folder: Path) -> sqitch.Project | None:
        """The Sqitch project (sqitch.conf or sqitch.plan) at or above `folder`, else None."""
        ...

    def atlas_sum(self, folder: Path) -> atlas.Sum | None:
        """The `atlas.sum` of `folder`, read (None when it has none)."""
        ...

    def liquibase(self, folder: Path) -> Changelogs | None:
        """The readable Liquibase master changelogs nearest at or above `folder`."""
        ...

    def temporal(self, folder: Path, version: temporal.VersionFolder) -> temporal.Manifest:
        """The `manifest.json` of the version folder `folder`, read."""
        ...


@dataclass(frozen=True, slots=True)
class Changelogs:
    """What a folder's Liquibase master changelogs run: each SQL file (its normalised
    path) → its place and entry; the files below `root` they do not name never run."""

    root: Path
    master: str  # the (first) master changelog's name
    entries: dict[str, tuple[int, liquibase.Entry]]


@dataclass(frozen=True, slots=True)
class Folder:
    """What a directory's path and entry names say about the files inside it."""

    path: Path
    dialect: str | None  # from the nearest folder named after an engine
    popx: bool  # a sibling carries an ory/popx dialect/autocommit infix or a 20-digit version
    synapse_root: bool  # holds `delta/` or `full_schemas/`: a synapse `schema/<db>` folder
    flyway_root: Path  # the folder above any per-release (version-named) folders
    flyway_prefix: str  # this folder relative to `flyway_root`, with a trailing "/" or ""
    flyway_configured: frozenset[str] = frozenset()  # `X.sql` names that have `X.sql.conf`
    diesel_metadata: bool = False  # holds a diesel `metadata.toml`
    atlas_sum: bool = False  # holds an Atlas `atlas.sum`
    temporal_manifest: bool = False  # holds a temporal-sql-tool `manifest.json`
    beside_versioned: bool = False  # holds a `versioned/` folder (temporal-sql-tool's)


_NO_TRANSACTION = re.compile(
    r"^\s*executeInTransaction\s*=\s*false\s*$", re.MULTILINE | re.IGNORECASE
)


_FLYWAY_WRAPS = "flyway runs each file in a transaction"

MANIFESTS = ("Cargo.toml", "go.mod")
"""Project manifests that say which library runs `<version>_<name>.up.sql` files."""
_RUNNERS = {
    "Cargo.toml": (re.compile(r"^\s*sqlx\b", re.MULTILINE), "sqlx"),
    "go.mod": (re.compile(r"\bgithub\.com/mattermost/morph\b"), "morph"),
}
# The first bytes of a file that the runner then runs outside a transaction.
_OUT_OF_TRANSACTION = {"sqlx": "-- no-transaction", "morph": "-- morph:nontransactional"}


def manifest_runner(manifest: str, text: str) -> str | None:
    """sqlx for a Cargo.toml that depends on it, morph for a go.mod that requires it:
    both run each `.up.sql` file in a transaction of its own, unlike golang-migrate,
    whose names they share."""
    found = _RUNNERS.get(manifest)
    return found[1] if found is not None and found[0].search(text) else None


def _up_down_runs(
    runner: str | None, popx: bool, autocommit: bool, probe: Probe, path: Path
) -> tuple[str, TransactionMode, str]:
    """(tool, transaction, reason) of a `<version>_<name>.up|down.sql` file."""
    if runner is not None:
        return (runner, *_runner_transaction(runner, probe.head(path)))
    if not popx:
        return (
            "golang-migrate",
            "implicit",
            "golang-migrate sends the file as one multi-statement query",
        )
    if autocommit:
        return "popx", "none", "popx: autocommit in the file name"
    return "popx", "per-file", "popx runs each file in a transaction"


def _runner_transaction(runner: str, head: str) -> tuple[TransactionMode, str]:
    """sqlx runs a file without a transaction when it starts with `-- no-transaction`
    (morph: when its first line is `-- morph:nontransactional`), else in one."""
    marker = _OUT_OF_TRANSACTION[runner]
    if head.startswith(marker) if runner == "sqlx" else head.lstrip().startswith(marker):
        return "none", f"{marker} at the start of the file"
    return "per-file", f"{runner} runs each file in a transaction"


_DIESEL_NO_TRANSACTION = re.compile(r"^\s*run_in_transaction\s*=\s*false\s*(?:#.*)?$", re.MULTILINE)


def _flyway_transaction(
    path: Path, name: str, folder: Folder, probe: Probe
) -> tuple[TransactionMode, str]:
    """Flyway wraps each file in a transaction unless its `.sql.conf` says otherwise."""
    if name in folder.flyway_configured:
        conf = probe.head(path.with_name(name + ".conf"))
        if _NO_TRANSACTION.search(conf):
            return "none", f"{name}.conf: executeInTransaction=false"
    return "per-file", _FLYWAY_WRAPS


def _diesel_transaction(folder: Folder, probe: Probe) -> tuple[TransactionMode, str]:
    """diesel wraps each up.sql/down.sql in a transaction unless the migration's
    `metadata.toml` says `run_in_transaction = false`."""
    if folder.diesel_metadata and _DIESEL_NO_TRANSACTION.search(
        probe.head(folder.path / "metadata.toml")
    ):
        return "none", "metadata.toml: run_in_transaction = false"
    return "per-file", "diesel runs each up.sql and down.sql in a transaction"


_SQITCH_RUNS = (
    "sqitch runs each script with psql --file: no transaction but the script's own BEGIN … COMMIT"
)
_SQITCH_DIRECTIONS: dict[str, Direction] = {"deploy": "up", "verify": "verify", "revert": "down"}


def _sqitch_file(
    project: sqitch.Project | None, path: Path, folder: Folder
) -> MigrationFile | None:
    """A deploy, verify or revert script of a readable Sqitch project, in its plan's
    order (one the plan does not name never runs); None for any other file."""
    if project is None or project.plan.problem is not None:
        return None
    script = project.script(path)
    if script is None:
        return None
    kind, name = script
    place = project.plan.scripts.get(name)
    return MigrationFile(
        path=path,
        set_root=project.top,
        sort_key=(
            _VERSIONED,
            (place,) if place is not None else (),
            sqitch.SCRIPT_KINDS.index(kind),
            f"{kind}/{name}",
        ),
        tool="sqitch",
        direction=_SQITCH_DIRECTIONS[kind],
        dialect=project.dialect or _name_dialect(path.name) or folder.dialect,
        transaction="none",
        fresh_install=False,
        version=name,
        transaction_reason=_SQITCH_RUNS,
        not_run="" if place is not None else f"not in {project.plan_path.name}",
    )


def _atlas_file(listed: atlas.Sum, path: Path, head: str, dialect: str | None) -> MigrationFile:
    """A file of an Atlas migration folder, in its atlas.sum's order; one the sum does
    not list is not a migration."""
    place = listed.files.get(path.name)
    mode = atlas.txmode(head)
    transaction: TransactionMode = "none" if mode == "none" else "per-file"
    reason = (
        f"-- atlas:txmode {mode}"
        if mode in ("none", "file")
        else "atlas runs each file in a transaction (--tx-mode file, its default)"
    )
    checkpoint = atlas.is_checkpoint(head)
    return MigrationFile(
        path=path,
        set_root=path.parent,
        sort_key=(_VERSIONED, (place,) if place is not None else (), 0, path.name),
        tool="atlas",
        direction="up",
        dialect=dialect,
        transaction=transaction,
        fresh_install=checkpoint or _is_fresh_name(path.name),
        version=_leading_number(path.name),
        transaction_reason=reason,
        fresh_reason="an Atlas checkpoint (-- atlas:checkpoint)"
        if checkpoint
        else _fresh_name_reason(path.name),
        not_run="" if place is not None else f"not in {atlas.SUM}",
    )


def _temporal_file(
    folder: Folder, path: Path, dialect: str | None, probe: Probe
) -> MigrationFile | None:
    """A file of a temporal-sql-tool schema: in a version folder of `versioned/`, in
    version order, then its manifest's (one it does not list never runs); in a Cadence
    squash folder, a set of its own; setup-schema's `schema.sql` beside `versioned/`.
    None for any other file."""
    parent, name = folder.path.name, path.name
    in_versioned = folder.path.parent.name == temporal.VERSIONED
    dialect = dialect or folder.dialect
    if name == temporal.SETUP_SCHEMA and folder.beside_versioned:
        return _temporal(path, folder.path, (_SETUP, (), 0, name), dialect, fresh=_SETUP_SCHEMA)
    version = temporal.version_folder(parent)
    if version is None:
        if not (in_versioned and temporal.skipped_folder(parent)):
            return None
        key = (_AFTER, (), 0, f"{parent}/{name}")
        return _temporal(path, folder.path.parent, key, dialect, not_run=_NO_VERSION)
    if not (in_versioned or folder.temporal_manifest):
        return None
    manifest = probe.temporal(folder.path, version) if folder.temporal_manifest else None
    listed = manifest.files if manifest is not None and manifest.problem is None else None
    place = listed.index(name) if listed is not None and name in listed else None
    key = (_VERSIONED, version.order, place or 0, f"{parent}/{name}")
    reason = temporal.RUNS
    if listed is None:
        why = "has no manifest.json" if manifest is None else "has a manifest.json it refuses"
        reason += f"; {parent} {why} (the tool stops there): all its files linted"
    not_run = f"not in {parent}/{temporal.MANIFEST}" if listed is not None and place is None else ""
    if version.start is None:
        return _temporal(path, folder.path.parent, key, dialect, version, reason, not_run=not_run)
    reason += (
        f"; squash folder {parent}: a shortcut from {version.start} to {version.version}, "
        f"judged after the versions up to {version.start}, not replayed into those after"
    )
    start = temporal.version_order(version.start)
    fresh = f"a squash folder from {version.start}: the whole schema" if not any(start) else ""
    squash = _temporal(path, folder.path, key, dialect, version, reason, fresh, not_run)
    return replace(squash, branches_from=(folder.path.parent, (_VERSIONED, start, math.inf)))


_SETUP_SCHEMA = "temporal-sql-tool setup-schema's initial schema (beside versioned/)"
_NO_VERSION = "in a folder named like a version that is none: the tool skips it"


def _temporal(
    path: Path,
    set_root: Path,
    sort_key: tuple[Any, ...],
    dialect: str | None,
    version: temporal.VersionFolder | None = None,
    reason: str = temporal.RUNS,
    fresh: str = "",
    not_run: str = "",
) -> MigrationFile:
    """A temporal-sql-tool file: an up, its statements each run on its own."""
    return MigrationFile(
        path=path,
        set_root=set_root,
        sort_key=sort_key,
        tool=temporal.TOOL,
        direction="up",
        dialect=dialect,
        transaction="none",
        fresh_install=bool(fresh),
        version=version.version if version is not None else "",
        transaction_reason=reason,
        fresh_reason=fresh,
        not_run=not_run,
    )


_LIQUIBASE_RUNS = "liquibase runs each changeset in a transaction"


def _liquibase_file(
    changelogs: Changelogs, path: Path, dialect: str | None, probe: Probe
) -> MigrationFile:
    """A SQL file below a Liquibase master changelog: in its order, as an up, or a down
    (a `sqlFile` of a `<rollback>`); one it does not name never runs."""
    found = changelogs.entries.get(os.path.normpath(path))
    place, entry = found if found is not None else (None, None)
    transaction: TransactionMode = "per-file"
    reason = _LIQUIBASE_RUNS
    if entry is not None and not entry.in_transaction:
        transaction, reason = "none", f"{entry.changelog.name}: runInTransaction false"
    relative = os.path.relpath(path, changelogs.root)
    return MigrationFile(
        path=path,
        set_root=changelogs.root,
        sort_key=(_VERSIONED, (place,) if place is not None else (), 0, relative),
        tool="liquibase",
        direction="down" if entry is not None and entry.direction == "down" else "up",
        dialect=dialect,
        transaction=transaction,
        fresh_install=_is_fresh_name(path.name),
        version=_leading_number(path.name),
        transaction_reason=reason,
        fresh_reason=_fresh_name_reason(path.name),
        not_run="" if entry is not None else f"not in {changelogs.master}",
    )


def is_candidate(name: str) -> bool:
    """Whether a directory walk should pick up a file with this name."""
    return name.lower().endswith(CANDIDATE_SUFFIXES) or name.endswith(".py")


def read_folder(path: Path, names: Iterable[str]) -> Folder:
    """Folder-level facts from the path and the names of its entries (files and dirs)."""
    dialect = next(
        (_ENGINES[p.lower()] for p in reversed(path.parts) if p.lower() in _ENGINES), None
    )
    names = set(names)
    root, prefix = path, ""
    while root.name and _VERSION_FOLDER.fullmatch(root.name):
        prefix = f"{root.name}/{prefix}"
        root = root.parent
    return Folder(
        path=path,
        dialect=dialect,
        popx=any(_is_popx_name(n) for n in names),
        synapse_root="delta" in names or "full_schemas" in names,
        flyway_root=root,
        flyway_prefix=prefix,
        flyway_configured=frozenset(n[: -len(".conf")] for n in names if n.endswith(".sql.conf")),
        diesel_metadata="metadata.toml" in names,
        atlas_sum=atlas.SUM in names,
        temporal_manifest=temporal.MANIFEST in names,
        beside_versioned=temporal.VERSIONED in names,
    )


def classify(folder: Folder, name: str, probe: Probe) -> MigrationFile:
    """Describe the file `name` inside `folder`; anything unrecognised is "plain"."""
    path = folder.path / name
    dialect = _name_dialect(name)
    parent, grandparent = folder.path.name, folder.path.parent.name

    if (sqitch_file := _sqitch_file(probe.sqitch(folder.path), path, folder)) is not None:
        return sqitch_file
    if name.lower().endswith(".sql") and (changelogs := probe.liquibase(folder.path)):
        return _liquibase_file(changelogs, path, dialect or folder.dialect, probe)
    if (versioned := _temporal_file(folder, path, dialect, probe)) is not None:
        return versioned

    if parent.isdecimal() and grandparent in ("delta", "full_schemas"):
        full = grandparent == "full_schemas"
        return MigrationFile(
            path=path,
            set_root=folder.path.parent.parent,
            sort_key=(
                _SETUP if full else _VERSIONED,
                (int(parent),),
                0,
                f"{grandparent}/{parent}/{name}",
            ),
            tool="synapse",
            direction="up",
            dialect=dialect or folder.dialect,
            transaction="per-file",
            fresh_install=full or _is_fresh_name(name),
            version=parent,
            transaction_reason="synapse runs each delta file in a transaction",
            fresh_reason="a synapse full schema" if full else _fresh_name_reason(name),
        )

    if name == "migration.sql" and (parent[:1].isdecimal() or grandparent == "migrations"):
        root = folder.path.parent
        return MigrationFile(
            path=path,
            set_root=root,
            sort_key=(_VERSIONED, (), 0, f"{parent}/{name}"),
            tool="prisma",
            direction="up",
            dialect=folder.dialect or probe.prisma_dialect(root),
            transaction="implicit",
            fresh_install=_is_fresh_name(parent),
            version=_leading_number(parent),
            transaction_reason="prisma sends the file as one multi-statement query",
            fresh_reason=_fresh_name_reason(parent),
        )

    if name in ("up.sql", "down.sql"):
        version = parent.split("_", 1)[0] if parent[:1].isdecimal() else ""
        digits = "".join(c for c in version if c.isdecimal())
        transaction, reason = _diesel_transaction(folder, probe)
        return MigrationFile(
            path=path,
            set_root=folder.path.parent,
            sort_key=(
                _VERSIONED,
                (int(digits),) if digits else (),
                int(name == "down.sql"),
                f"{parent}/{name}",
            ),
            tool="diesel",
            direction="up" if name == "up.sql" else "down",
            dialect=folder.dialect,
            transaction=transaction,
            fresh_install=_is_fresh_name(parent),
            version=version,
            transaction_reason=reason,
            fresh_reason=_fresh_name_reason(parent),
        )

    if m := _UP_DOWN.fullmatch(name):
        version, label, direction = m[1], m[2], m[3].lower()
        modifiers = [t.lower() for t in label.split(".")[1:]]
        autocommit = "autocommit" in modifiers
        popx = folder.popx or autocommit or len(version) == 20
        down = direction == "down"
        runner = None if popx else probe.runner(folder.path)
        tool, transaction, reason = _up_down_runs(runner, popx, autocommit, probe, path)
        return MigrationFile(
            path=path,
            set_root=folder.path,
            # popx takes an engine-specific file before the all-engines one of a version
            sort_key=(_VERSIONED, (int(version),), 2 * down + (dialect is None), name),
            tool=tool,
            direction="down" if down else "up",
            dialect=dialect or folder.dialect,
            transaction=transaction,
            fresh_install=_is_fresh_name(name),
            version=version,
            transaction_reason=reason,
            fresh_reason=_fresh_name_reason(name),
        )

    if m := _FLYWAY.fullmatch(name):
        kind, version = m[1], m[2]
        transaction, reason = _flyway_transaction(path, name, folder, probe)
        return MigrationFile(
            path=path,
            set_root=folder.flyway_root,
            sort_key=(
                _VERSIONED,
                _version_parts(version),
                _FLYWAY_KIND[kind],
                folder.flyway_prefix + name,
            ),
            tool="flyway",
            direction="down" if kind == "U" else "up",
            dialect=dialect or folder.dialect,
            transaction=transaction,
            fresh_install=kind == "B" or _is_fresh_name(name),
            version=version.replace("_", "."),
            transaction_reason=reason,
            fresh_reason="a Flyway baseline (B…)" if kind == "B" else _fresh_name_reason(name),
        )

    if _FLYWAY_REPEATABLE.fullmatch(name):
        return MigrationFile(
            path=path,
            set_root=folder.flyway_root,
            sort_key=(_REPEATABLE, (), 0, folder.flyway_prefix + name),
            tool="flyway",
            direction="repeatable",
            dialect=dialect or folder.dialect,
            transaction="per-file",
            fresh_install=_is_fresh_name(name),
            version="",
            transaction_reason=_FLYWAY_WRAPS,
            fresh_reason=_fresh_name_reason(name),
        )

    if m := _FLYWAY_CALLBACK.fullmatch(name):
        return MigrationFile(
            path=path,
            set_root=folder.flyway_root,
            sort_key=(_SETUP if m[1] == "before" else _AFTER, (), 0, folder.flyway_prefix + name),
            tool="flyway",
            direction="repeatable",
            dialect=dialect or folder.dialect,
            transaction="per-file",
            fresh_install=False,
            version="",
            transaction_reason=_FLYWAY_WRAPS,
        )

    version = _leading_number(name)
    if version:
        phase, number = _VERSIONED, (int(version),)
    else:
        phase, number = (_SETUP if folder.synapse_root else _AFTER), ()
    tool, transaction, reason = "plain", None, ""
    head = probe.head(path) if name.lower().endswith(".sql") else ""
    if version and name.lower().endswith(".sql") and probe.runner(folder.path) == "sqlx":
        tool = "sqlx"  # `<version>_<name>.sql`: sqlx's migrations without a down
        transaction, reason = _runner_transaction(tool, head)
    elif m := _DBMATE_UP.search(head):
        tool = "dbmate"
        transaction, reason = _dbmate_transaction(m[1], "up")
    elif _GOOSE_SECTION.search(head):
        tool = "goose"
        transaction, reason = _goose_transaction(head)
    elif liquibase.FORMATTED.match(head):
        tool, transaction, reason = "liquibase", "per-file", _LIQUIBASE_RUNS
    elif folder.atlas_sum and (listed := probe.atlas_sum(folder.path)) and not listed.problem:
        return _atlas_file(listed, path, head, dialect or folder.dialect)
    return MigrationFile(
        path=path,
        set_root=folder.path,
        sort_key=(phase, number, 0, name),
        tool=tool,
        direction="up",
        dialect=dialect or folder.dialect,
        transaction=transaction,
        fresh_install=_is_fresh_name(name),
        version=version,
        transaction_reason=reason,
        fresh_reason=_fresh_name_reason(name),
    )


@dataclass(frozen=True, slots=True)
class Section:
    """One direction of a file that holds both (dbmate, goose), linted on its own.

    `text` is the file up to the section's end with everything before the section
    blanked (newlines kept), so lines and columns are the file's own."""

    direction: Direction
    text: str
    transaction: TransactionMode
    transaction_reason: str


def sections(tool: str, text: str) -> list[Section] | None:
    """The up and down sections of a dbmate or goose file, the changesets of a Liquibase
    formatted SQL changelog (None for other tools, or a file without markers). What
    precedes the first marker belongs to the first section."""
    if tool == "liquibase":
        return _changeset_sections(text) if liquibase.FORMATTED.match(text) else None
    marker = {"dbmate": _DBMATE_SECTION, "goose": _GOOSE_SECTION}.get(tool)
    if marker is None:
        return None
    found = list(marker.finditer(text))
    if not found:
        return None
    parts = []
    for i, m in enumerate(found):
        start = 0 if i == 0 else m.start()
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        direction: Direction = "down" if m[1].lower() == "down" else "up"
        if tool == "dbmate":
            transaction, reason = _dbmate_transaction(m[2], direction)
        else:
            transaction, reason = _goose_transaction(text)
        blank = re.sub(r"[^\n]", " ", text[:start])
        parts.append(Section(direction, blank + text[start:end], transaction, reason))
    return parts


def _changeset_sections(text: str) -> list[Section] | None:
    """Each changeset of a formatted SQL changelog as an up section, followed by its
    `--rollback` SQL as a down section; one transaction each (the engine judges the
    parts of one file as one migration: what the first creates is new to the others)."""
    parts = []
    for changeset in liquibase.changesets(text):
        transaction: TransactionMode = "per-file" if changeset.in_transaction else "none"
        reason = (
            "liquibase runs each changeset in a transaction"
            if changeset.in_transaction
            else "--changeset … runInTransaction:false"
        )
        blank = re.sub(r"[^\n]", " ", text[: changeset.start])
        up = blank + text[changeset.start : changeset.end]
        parts.append(Section("up", up, transaction, reason))
        if changeset.rollback:
            parts.append(Section("down", changeset.rollback, transaction, reason))
    return parts or None


def _dbmate_transaction(options: str, direction: str) -> tuple[TransactionMode, str]:
    """dbmate runs each section in a transaction unless its marker says
    `transaction:false`."""
    if "transaction:false" in options:
        return "none", f"-- migrate:{direction} transaction:false"
    return "per-file", "dbmate runs each section in a transaction"


def _goose_transaction(text: str) -> tuple[TransactionMode, str]:
    """goose runs each section in a transaction unless the file says NO TRANSACTION."""
    if _GOOSE_NO_TRANSACTION.search(text):
        return "none", "-- +goose NO TRANSACTION"
    return "per-file", "goose runs each section in a transaction"


def prisma_lock_dialect(text: str) -> str | None:
    """The dialect named by a Prisma `migration_lock.toml` (`provider = "postgresql"`)."""
    m = _PRISMA_PROVIDER.search(text)
    return _ENGINES.get(m[1].lower()) if m else None


def looks_like_schema_dump(head: str) -> bool:
    """Whether a file's first bytes look like pg_dump / mysqldump / sqlite `.dump` output."""
    return bool(_SCHEMA_DUMP.search(head)) or all(s in head for s in _PG_DUMP_PREAMBLE)


def _is_popx_name(name: str) -> bool:
    m = _UP_DOWN.fullmatch(name)
    if not m:
        return False
    modifiers = {t.lower() for t in m[2].split(".")[1:]}
    return len(m[1]) == 20 or "autocommit" in modifiers or not modifiers.isdisjoint(_ENGINES)


def _name_dialect(name: str) -> str | None:
    """Dialect from an infix (`x.postgres.up.sql`) or suffix (`x.sql.sqlite`, `x___H2.sql`)."""
    tokens = name.lower().split(".")
    for token in reversed(tokens[1:]):
        if token in _ENGINES:
            return _ENGINES[token]
    m = _ENGINE_SUFFIX.fullmatch(name)
    return _ENGINES.get(m[1].lower()) if m else None


def _version_parts(version: str) -> tuple[int, ...]:
    """Flyway version parts, compared numerically; trailing zeros do not count (1.0 == 1)."""
    parts = [int(p) for p in _FLYWAY_SEPARATOR.split(version)]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _leading_number(name: str) -> str:
    m = _LEADING_NUMBER.match(name)
    return m[0] if m else ""


def _is_fresh_name(name: str) -> bool:
    return bool(_FRESH_NAME.search(name))


def _fresh_name_reason(name: str) -> str:
    return f"its name ({name})" if _is_fresh_name(name) else ""
