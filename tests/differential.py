"""The differential proof of `migralint plan --from`: a plan must do what the file does.

For every migration of a set that `plan --from` changes, the history before it is
replayed on a real PostgreSQL (one template database per step, so a file costs a
template copy, not a replay), rows are generated into the tables the file names, and
the original file and the generated phases, each run as its tool runs it, are compared.
Catalogs (tables, columns, constraints, indexes, triggers, views, sequences, functions,
types, policies, by their definitions) and data (row counts, a hash of the rows and of
every column) must be equal; the downs, run in reverse, must give back the state before
the planned phases (after the kept statements, whose down is the user's) unless the
plan's summary says they do not. A plan whose own guard stops it in the database before it
changes anything (triggers on UPDATE, a generated column, a NOT NULL domain: facts the
migrations do not give the planner) is a refusal at run time, not a failure.

What cannot match between two runs is not compared: columns by position, values of
defaults that are volatile or read the clock (their NULLs are), dates and times from
the day of the proof on (they compare as `now`), data a file draws at random (a note),
sequence positions after the downs, and which row gets which id where the file fills a
sequence column by an INSERT … SELECT without ORDER BY (PostgreSQL promises no scan
order: the rows it inserts are compared without their drawn ids, with a note).
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import functools
import re
import signal
import subprocess
import tempfile
import traceback
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import psycopg
import sqlglot
from postgres import psql_binary
from psycopg import sql
from sqlglot import exp

from migralint.config import Settings
from migralint.plan import from_file
from migralint.plan.from_file_partitions import PartitionedCatalog
from migralint.sources.discover import discover
from migralint.sources.layout import MigrationFile
from migralint.sql.names import QNAME, identifier, table_name
from migralint.sql.split import split_statements

Mode = Literal["transaction", "implicit", "autocommit"]
"""How a tool sends a file: in one transaction (Flyway, diesel, dbmate), as one
multi-statement query (golang-migrate, Prisma), or statement by statement in autocommit
(non-transactional files: run by psql)."""

OUTCOMES = ("equal", "different", "failed", "cannot-replay", "kept", "refused", "crashed")
PROVEN = OUTCOMES[:4]  # the outcomes of a file whose plan was written

# The format each layout's plans are written in, and run as; diesel and Prisma have no
# writer, so their plans are written and run as golang-migrate files.
FORMAT_OF_TOOL = {
    "flyway": "flyway",
    "dbmate": "dbmate",
    "plain": "sql",
    "golang-migrate": "golang-migrate",
    "popx": "golang-migrate",
    "diesel": "golang-migrate",
    "prisma": "golang-migrate",
}

ROWS = 1100  # more than one default backfill batch (1000)

# A plan summary saying that its downs do not give everything back.
_DISCLAIMER = re.compile(
    r"not restored|cannot (?:restore|re-create)|not re-imposed|irreversible", re.IGNORECASE
)
# SQL value functions that read the clock (written without parentheses), and calls.
_CLOCK = re.compile(
    r"\b(?:CURRENT_TIMESTAMP|CURRENT_TIME|CURRENT_DATE|LOCALTIMESTAMP|LOCALTIME)\b", re.IGNORECASE
)
_STARTED = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=1)).date()
_RUN_DEPENDENT_CALLS = frozenset(
    {
        "random",
        "gen_random_uuid",
        "gen_random_bytes",
        "uuid_generate_v1",
        "uuid_generate_v1mc",
        "uuid_generate_v4",
        "clock_timestamp",
        "timeofday",
        "now",
        "statement_timestamp",
        "transaction_timestamp",
    }
)
_CALL = re.compile(r"([A-Za-z_][\w$]*)\s*\(")
_DBMATE_SECTION = re.compile(r"^--\s*migrate:(up|down)\b([^\n]*)$", re.MULTILINE)
_NO_TRANSACTION = re.compile(r"^\s*executeInTransaction\s*=\s*false\s*$", re.M | re.I)


@dataclass(frozen=True)
class Script:
    """SQL and how its tool sends it."""

    name: str
    text: str
    mode: Mode


# What a tool creates before it runs the first migration, where migrations use it:
# diesel's bookkeeping table (diesel_migrations' CREATE_MIGRATIONS_TABLE; lemmy puts a
# trigger on it).
TOOL_SETUP = {
    "diesel": Script(
        "diesel's __diesel_schema_migrations",
        "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (\n"
        "    version VARCHAR(50) PRIMARY KEY NOT NULL,\n"
        "    run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP\n);",
        "transaction",
    )
}


@dataclass(frozen=True)
class Step:
    """One written phase: its up and its down."""

    name: str
    up: Script
    down: Script
    kept: bool  # the statements `--from` kept as written (their down is the user's)


@dataclass
class FileResult:
    path: Path
    outcome: str  # one of OUTCOMES
    detail: str = ""  # the reason, the error or the differences
    notes: list[str] = field(default_factory=list)  # unfilled tables, data retries, downs


@dataclass
class SetReport:
    root: Path
    results: list[FileResult] = field(default_factory=list)
    history_error: str = ""  # the first history file that fails on PostgreSQL

    def counts(self) -> dict[str, int]:
        """planned (a plan was written), then one count per outcome."""
        counts = {o: sum(r.outcome == o for r in self.results) for o in OUTCOMES}
        return {"planned": sum(counts[o] for o in PROVEN), **counts}

    def line(self) -> str:
        return " ".join(f"{k}={v}" for k, v in self.counts().items())


class Cluster:
    """A throwaway PostgreSQL server reached through its socket folder: databases to copy
    and run on. Durability is switched off: copies and drops are most of the work."""

    def __init__(self, host: str, timeout: float = 0) -> None:
        self.host = host
        self.timeout = timeout  # statement_timeout in seconds, 0 for none
        self._admin = self.connect("postgres")
        for setting in ("fsync", "full_page_writes", "synchronous_commit"):
            self._admin.execute(f"ALTER SYSTEM SET {setting} = off")
        self._admin.execute("SELECT pg_reload_conf()")
        self._psql = str(psql_binary())

    def connect(self, dbname: str) -> psycopg.Connection[Any]:
        options = f"-c statement_timeout={int(self.timeout * 1000)} -c client_min_messages=error"
        return psycopg.connect(
            host=self.host, user="postgres", dbname=dbname, autocommit=True, options=options
        )

    def create(self, template: str | None = None) -> str:
        name = f"d_{uuid.uuid4().hex[:12]}"
        source = (
            sql.SQL(" TEMPLATE {}").format(sql.Identifier(template)) if template else sql.SQL("")
        )
        self._admin.execute(sql.SQL("CREATE DATABASE {}{}").format(sql.Identifier(name), source))
        return name

    def drop(self, name: str) -> None:
        self._admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )

    def run(self, conn: psycopg.Connection[Any], dbname: str, script: Script) -> str:
        """Send `script` as its tool does; the error PostgreSQL gives, naming the script,
        or "" when it ran."""
        try:
            if script.mode == "autocommit":
                self._psql_file(dbname, script.text)
            elif script.mode == "implicit":
                conn.execute(script.text.encode())
            else:
                with conn.transaction():
                    conn.execute(script.text.encode())
        except psycopg.Error as error:
            return f"{script.name}: {_first_line(str(error))}"
        return ""

    def _psql_file(self, dbname: str, text: str) -> None:
        with tempfile.NamedTemporaryFile("w", suffix=".sql", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            env = {"PGOPTIONS": f"-c statement_timeout={int(self.timeout * 1000)}"}
            command = [self._psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.host]
            done = subprocess.run(
                [*command, "-U", "postgres", "-d", dbname, "-f", f.name],
                capture_output=True,
                text=True,
                env=env,
                check=False,
            )
        if done.returncode != 0:
            message = re.sub(r"^psql:[^:]*:\d+: ", "", done.stderr.strip().splitlines()[0])
            raise psycopg.Error(message)

    def close(self) -> None:
        self._admin.close()


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else message


# ---------------------------------------------------------------------------------------
# Migration sets: which files run, in which order, how


def migration_sets(root: Path) -> list[list[MigrationFile]]:
    """The PostgreSQL up migrations under `root`, per set, in the tool's order.

    Flyway baselines, repeatables and callbacks are left out (a history replays the
    versioned files); popx takes a version's engine-specific file instead of the
    all-engines one.
    """
    sets: dict[Path, list[MigrationFile]] = {}
    for m in discover([root]).files:
        if m.direction != "up" or m.dialect not in (None, "postgres"):
            continue
        if m.tool == "flyway" and not m.path.name.startswith("V"):
            continue
        taken = sets.setdefault(m.set_root, [])
        if m.tool == "popx" and taken and taken[-1].version == m.version:
            continue
        taken.append(m)
    return [files for files in sets.values() if files]


def history_script(m: MigrationFile) -> Script:
    """A migration file as its tool sends it, named by its path in the set."""
    text = m.path.read_text(encoding="utf-8", errors="replace")
    name = m.path.relative_to(m.set_root).as_posix()
    if m.tool == "dbmate":
        sections = dbmate_sections(text)
        up_text, no_transaction = sections.get("up", ("", False))
        return Script(name, up_text, "autocommit" if no_transaction else "transaction")
    modes: dict[str | None, Mode] = {"per-file": "transaction", "implicit": "implicit"}
    return Script(name, text, modes.get(m.transaction, "autocommit"))


def dbmate_sections(text: str) -> dict[str, tuple[str, bool]]:
    """dbmate's `-- migrate:up` / `-- migrate:down` sections: (SQL, transaction:false)."""
    marks = list(_DBMATE_SECTION.finditer(text))
    sections: dict[str, tuple[str, bool]] = {}
    for mark, after in zip(marks, [*marks[1:], None], strict=True):
        body = text[mark.end() : after.start() if after else len(text)]
        sections[mark[1]] = (body, "transaction:false" in mark[2])
    return sections


# ---------------------------------------------------------------------------------------
# Planning: run `migralint plan --from` and read back what it wrote


@dataclass(frozen=True)
class Planned:
    outcome: Literal["planned", "kept", "refused", "crashed"]
    detail: str  # the refusal, the traceback's last line, or the plan's summary
    steps: tuple[Step, ...] = ()


def plan_file(path: Path, fmt: str, out: Path) -> Planned:
    """`migralint plan --from path --format fmt --out out`, and the phases it wrote."""
    from click.testing import CliRunner

    from migralint.cli import main

    result = CliRunner().invoke(
        main, ["plan", "--from", str(path), "--format", fmt, "--out", str(out)]
    )
    output, error = result.output.strip(), result.exception
    if isinstance(error, TimeoutError):
        raise error
    if error is not None and not isinstance(error, SystemExit):
        where = traceback.extract_tb(error.__traceback__)[-1]
        return Planned(
            "crashed", f"{type(error).__name__}: {error} ({where.filename}:{where.lineno})"
        )
    if result.exit_code != 0:
        return Planned("refused", output.splitlines()[-1] if output else f"exit {result.exit_code}")
    if not out.is_dir() or not any(out.iterdir()):
        notes = [  # the statements kept, without the closing "nothing planned" line
            line
            for line in output.splitlines()
            if "kept as written" in line and "nothing planned" not in line
        ]
        last = (output.splitlines() or [""])[-1].removeprefix(f"{path}: ")
        # a flagged statement kept for the user to plan by hand is a refusal with its reason
        by_hand = any("plan it by hand" in line for line in notes)
        return Planned("refused" if by_hand else "kept", "\n".join(notes) or last)
    summary = "\n".join(line for line in output.splitlines() if not line.startswith("wrote "))
    return Planned("planned", summary, tuple(written_steps(out, fmt)))


def written_steps(out: Path, fmt: str) -> list[Step]:
    """The phases a writer put in `out`, in version order, each as its tool runs it."""
    if fmt == "dbmate":
        return [_dbmate_step(p) for p in sorted(out.glob("*.sql"), key=_version)]
    if fmt == "flyway":
        return [
            Step(
                up.name,
                _flyway_script(up),
                _flyway_script(up.with_name("U" + up.name[1:])),
                "_kept" in up.name,
            )
            for up in sorted(out.glob("V*.sql"), key=_version)
        ]
    mode: Mode = "implicit" if fmt == "golang-migrate" else "autocommit"
    suffix = ".up.sql" if fmt == "golang-migrate" else ".sql"
    ups = [p for p in out.glob(f"*{suffix}") if not p.name.endswith(".down.sql")]
    steps = []
    for up in sorted(ups, key=_version):
        down = up.with_name(up.name[: -len(suffix)] + ".down.sql")
        steps.append(
            Step(
                up.name,
                Script(up.name, up.read_text(), mode),
                Script(down.name, down.read_text(), mode),
                "_kept" in up.name,
            )
        )
    return steps


def _version(path: Path) -> tuple[int, ...]:
    digits = re.match(r"[VU]?(\d+(?:[._]\d+)*)", path.name)
    return tuple(int(p) for p in re.split(r"[._]", digits[1])) if digits else ()


def _flyway_script(path: Path) -> Script:
    conf = path.with_name(path.name + ".conf")
    off = conf.exists() and _NO_TRANSACTION.search(conf.read_text())
    return Script(path.name, path.read_text(), "autocommit" if off else "transaction")


def _dbmate_step(path: Path) -> Step:
    sections = dbmate_sections(path.read_text())
    scripts = {
        d: Script(f"{path.name} ({d})", text, "autocommit" if off else "transaction")
        for d, (text, off) in sections.items()
    }
    return Step(path.name, scripts["up"], scripts["down"], "_kept" in path.name)


class ReplayOnce:
    """`plan --from`'s replay of the migrations before a file (from_file.replayed), done
    once per set as the harness walks it in order: the catalog is carried from one file
    to the next and each plan gets a copy. Replaying the whole history for every file made
    a set of n files cost n²/2 file reads; the catalog is the same one (test_differential
    checks it against the plain replay)."""

    def __init__(self) -> None:
        self._key: tuple[tuple[Path, ...], Settings] | None = None
        self._files: list[MigrationFile] = []
        self._at: dict[Path, int] = {}  # a file's resolved path → its place in _files
        self._done = 0  # files of _files replayed into _catalog
        self._catalog = PartitionedCatalog()

    def __call__(
        self, paths: Sequence[Path], settings: Settings, before: Path
    ) -> PartitionedCatalog:
        from migralint.engine import Linter

        stop = self._at.get(before.resolve())
        if self._key != (tuple(paths), settings) or stop is None or stop < self._done:
            self._key = (tuple(paths), settings)
            self._files = discover(paths, exclude=settings.exclude).files
            self._at = {m.path.resolve(): i for i, m in reversed(list(enumerate(self._files)))}
            self._done, self._catalog = 0, PartitionedCatalog()
            stop = self._at.get(before.resolve())
        stop = len(self._files) if stop is None else stop
        replay = Linter([], settings)
        try:
            for m in self._files[self._done : stop]:
                if (settings.dialect or m.dialect or "postgres") == "postgres":
                    replay.lint_file(m, "postgres", self._catalog)
        except BaseException:  # a deadline mid-replay: the catalog is half way
            self._key = None
            raise
        self._done = stop
        return copy.deepcopy(self._catalog)


@contextlib.contextmanager
def replaying_once() -> Iterator[ReplayOnce]:
    """`plan --from` replays through one ReplayOnce meanwhile."""
    original, from_file.replayed = from_file.replayed, ReplayOnce()
    try:
        yield from_file.replayed
    finally:
        from_file.replayed = original


# ---------------------------------------------------------------------------------------
# Data: rows generated into the tables a file names


@dataclass(frozen=True)
class _Column:
    name: str
    type: str  # format_type: the declared type, domain or array included
    base: str  # the base type's name (pg_type.typname), domains resolved
    kind: str  # typtype of the base type (of the element for an array): b, e, …
    array: bool
    typmod: int
    not_null: bool
    has_default: bool
    automatic: bool  # identity, generated or a sequence default: always left to PostgreSQL
    unique: bool  # part of a unique index


_TABLE_COLUMNS = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod),
       coalesce(et.typname, bt.typname), coalesce(et.typtype, bt.typtype), et.oid IS NOT NULL,
       CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END,
       a.attnotnull OR t.typnotnull, a.atthasdef OR t.typdefault IS NOT NULL,
       a.attidentity <> '' OR a.attgenerated <> ''
         OR coalesce(pg_get_expr(d.adbin, d.adrelid), '') LIKE 'nextval(%%',
       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisunique
               AND a.attnum = ANY (i.indkey))
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
LEFT JOIN pg_type et ON et.oid = bt.typelem AND bt.typcategory = 'A'
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""

_FOREIGN_KEYS = """
SELECT c.confrelid, c.confrelid::regclass::text,
       ARRAY(SELECT attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute ON attrelid = c.conrelid AND attnum = k.n ORDER BY k.i),
       ARRAY(SELECT attname FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute ON attrelid = c.confrelid AND attnum = k.n ORDER BY k.i)
FROM pg_constraint c WHERE c.conrelid = %s AND c.contype = 'f'
"""

_USER_TABLES = """
SELECT c.oid, c.relname, c.oid::regclass::text FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = c.oid AND e.deptype = 'e')
"""

# (values, rows): varied values with NULLs and long texts, gentle ones (defaults used,
# short numeric texts), then only the required columns; fewer rows last.
_ATTEMPTS = (("varied", ROWS), ("gentle", ROWS), ("minimal", ROWS), ("minimal", 20), ("minimal", 1))
LEVELS = ("varied", "gentle", "empty")


def named_tables(conn: psycopg.Connection[Any], text: str) -> list[tuple[int, str, str]]:
    """(oid, regclass, name) of the user tables whose name occurs in `text`."""
    found = []
    for oid, name, regclass in conn.execute(_USER_TABLES).fetchall():
        if re.search(rf"(?<![\w$]){re.escape(name)}(?![\w$])", text, re.IGNORECASE):
            found.append((oid, regclass, name))
    return sorted(found, key=lambda t: t[1])


def fill(conn: psycopg.Connection[Any], text: str, level: str) -> list[str]:
    """Insert rows into every table `text` names (and empty tables they reference first);
    the notes say which tables could not be filled, or were left with only the rows they
    held (from the history, or from triggers on the tables filled before them)."""
    if level == "empty":
        return []
    tables = {oid: regclass for oid, regclass, _ in named_tables(conn, text)}
    order: list[int] = []
    _parents_first(conn, list(tables), order, set(), tables)
    attempts = _ATTEMPTS[[a[0] for a in _ATTEMPTS].index(level) :]
    notes = []
    for oid in order:
        error = _fill_table(conn, oid, attempts)
        held = _has_rows(conn, tables[oid]) if error else False
        if error and held:
            notes.append(f"could not add rows to {tables[oid]}, which has rows already: {error}")
        elif error:
            notes.append(f"could not fill {tables[oid]}: {error}")
    return notes


def _has_rows(conn: psycopg.Connection[Any], regclass: str) -> bool:
    found = conn.execute(
        sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(sql.SQL(regclass))
    ).fetchone()
    return bool(found and found[0])


def _parents_first(
    conn: psycopg.Connection[Any],
    oids: list[int],
    order: list[int],
    seen: set[int],
    names: dict[int, str],
) -> None:
    """Append `oids` to `order`, each after the empty tables its foreign keys reference."""
    for oid in oids:
        if oid in seen:
            continue
        seen.add(oid)
        for parent, regclass, _, _ in conn.execute(_FOREIGN_KEYS, (oid,)).fetchall():
            if parent != oid and not _has_rows(conn, regclass):
                names.setdefault(parent, regclass)
                _parents_first(conn, [parent], order, seen, names)
        order.append(oid)


def _fill_table(
    conn: psycopg.Connection[Any], oid: int, attempts: tuple[tuple[str, int], ...]
) -> str:
    """Insert rows by the first attempt that PostgreSQL accepts; the first error if none."""
    columns = [_Column(*row) for row in conn.execute(_TABLE_COLUMNS, (oid,)).fetchall()]
    keys = conn.execute(_FOREIGN_KEYS, (oid,)).fetchall()
    [regclass] = conn.execute("SELECT %s::regclass::text", (oid,)).fetchone() or [""]
    first = ""
    for values, rows in attempts:
        statement = _insert(regclass, columns, keys, values, rows)
        if statement is None:
            first = first or "a required column has a type the generator does not know"
            continue
        try:
            with conn.transaction():
                conn.execute(statement)
            return ""
        except psycopg.Error as error:
            first = first or _first_line(str(error))
    return first


def _insert(
    regclass: str, columns: list[_Column], keys: list[Any], values: str, rows: int
) -> str | None:
    """INSERT … SELECT over generate_series(1, rows) AS g; None if a required value is
    impossible."""
    ctes, joins, from_key = [], [], {}
    for i, (_, parent, mine, theirs) in enumerate(keys):
        alias = f"fk{i}"
        picked = ", ".join(f"p.{_q(c)} AS v{j}" for j, c in enumerate(theirs))
        not_null = " AND ".join(f"p.{_q(c)} IS NOT NULL" for c in theirs)
        ctes.append(
            f"{alias} AS (SELECT {picked}, row_number() OVER () - 1 AS n FROM {parent} AS p "
            f"WHERE {not_null})"
        )
        joins.append(
            f"LEFT JOIN {alias} ON {alias}.n = g % greatest((SELECT count(*) FROM {alias}), 1)"
        )
        for j, c in enumerate(mine):
            from_key.setdefault(c, f"{alias}.v{j}")
    names, exprs = [], []
    for c in columns:
        if c.automatic or (values != "varied" and c.has_default):
            continue
        if values == "minimal" and not c.not_null:
            continue
        expr = from_key.get(c.name) or _value(c, values)
        if expr is None:
            if c.not_null:
                return None
            continue
        if values == "varied" and not (c.not_null or c.unique or c.name in from_key):
            expr = f"CASE WHEN g % 7 = 0 THEN NULL ELSE {expr} END"
        names.append(_q(c.name))
        exprs.append(f"({expr})::{c.type}")
    with_ = f"WITH {', '.join(ctes)} " if ctes else ""
    if not names:
        return f"{with_}INSERT INTO {regclass} SELECT FROM generate_series(1, {rows}) AS g"
    return (
        f"{with_}INSERT INTO {regclass} ({', '.join(names)}) SELECT {', '.join(exprs)} "
        f"FROM generate_series(1, {rows}) AS g {' '.join(joins)}"
    )


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_NUMBERS = {"int2": 10_000, "int4": 100_000, "int8": 100_000, "oid": 100_000}
_SCALARS = {
    "bool": "g % 2 = 0",
    "float4": "(g % 1000) * 1.25 - 3",
    "float8": "(g % 1000) * 1.25 - 3",
    "money": "(g % 1000)::numeric::money",
    "date": "date '2020-01-01' + g",
    "timestamp": "timestamp '2020-01-01' + g * interval '61 minutes'",
    "timestamptz": "timestamptz '2020-01-01 00:00+00' + g * interval '61 minutes'",
    "time": "time '00:00' + g * interval '1 second'",
    "timetz": "(time '00:00' + g * interval '1 second')::timetz",
    "interval": "g * interval '1 second'",
    "uuid": "md5(g::text)::uuid",
    "json": "json_build_object('n', g, 's', md5(g::text))",
    "jsonb": "jsonb_build_object('n', g, 's', md5(g::text))",
    "bytea": "decode(md5(g::text), 'hex')",
    "inet": "('10.' || g / 65536 % 256 || '.' || g / 256 % 256 || '.' || g % 256)",
    "cidr": "('10.' || g / 65536 % 256 || '.' || g / 256 % 256 || '.' || g % 256 || '/32')",
    "xml": "'<v>' || g || '</v>'",
    "tsvector": "to_tsvector('simple', 'w' || g)",
}
_TEXTS = ("text", "varchar", "bpchar", "name", "citext")


def _value(c: _Column, values: str) -> str | None:
    """A value of the column's type for row g, unique in g where the column is."""
    scalar = _scalar(c, values)
    if scalar is None or not c.array:
        return scalar
    return f"ARRAY[{scalar}]"


def _scalar(c: _Column, values: str) -> str | None:
    varied = values == "varied"
    if c.kind == "e":
        enum = f"enum_range(NULL::{c.type.removesuffix('[]')})"
        return f"({enum})[1 + g % array_length({enum}, 1)]"
    if c.base in _NUMBERS:
        if c.unique:
            return f"{_NUMBERS[c.base]} + g" if varied else "1000 + g"
        return f"(g * 7919) % {_NUMBERS[c.base]} - 5" if varied else "g % 10 + 1"
    if c.base == "numeric":
        digits = ((c.typmod - 4) >> 16) - ((c.typmod - 4) & 0xFFFF) if c.typmod > 4 else 9
        if digits <= 0:
            return "0"
        bound = 10 ** min(digits, 6)
        return f"(1000 + g) % {bound}" if c.unique or not varied else f"(g * 7919) % {bound} - 5"
    if c.base in _TEXTS:
        if not varied:
            return "g::text"
        return (
            "g || '-' || substr(md5(g::text) || md5((g + 1)::text), 1, (g * 37) % 60)"
            " || CASE WHEN g % 5 = 0 THEN 'é' ELSE '' END"
        )
    return _SCALARS.get(c.base)


# ---------------------------------------------------------------------------------------
# Ids drawn in scan order: an INSERT … SELECT with no ORDER BY hands out a sequence's
# values in whatever order the scan returns rows, which PostgreSQL does not promise (a
# plan's backfill rewrites the rows it scans): the ids it draws cannot be paired.

_INSERT_QUERY = re.compile(
    rf"^\s*(?:WITH\b.*\bINSERT\s+INTO\b|INSERT\s+INTO\s+{QNAME}\s*(?:\([^()]*\)\s*)?[(\s]*"
    r"(?:SELECT|WITH)\b)",
    re.IGNORECASE | re.DOTALL,
)


@functools.lru_cache(maxsize=64)
def unordered_inserts(text: str) -> dict[str, frozenset[str]]:
    """table name → the columns that the file's INSERT … SELECTs without ORDER BY (over
    a FROM or a set operation: more than one row) name; a sequence-filled column none of
    them names draws its values in scan order."""
    found: dict[str, frozenset[str]] = {}
    for statement in split_statements(text).statements:
        if not _INSERT_QUERY.match(statement.text):
            continue
        try:
            tree = sqlglot.parse_one(statement.text, read="postgres")
        except sqlglot.errors.SqlglotError:
            continue  # not read: compared exactly
        query = tree.expression if isinstance(tree, exp.Insert) else None
        while isinstance(query, exp.Subquery) and not query.args.get("order"):
            query = query.this
        many = isinstance(query, exp.SetOperation) or (
            isinstance(query, exp.Select) and query.args.get("from_") is not None
        )
        if not many or query.args.get("order") or not isinstance(tree.this, exp.Schema):
            continue  # ordered, one row, or no column list (every column from the query)
        table = table_name(tree.this).name
        named = frozenset(identifier(c) for c in tree.this.expressions)
        found[table] = found.get(table, named) & named
    return found


# ---------------------------------------------------------------------------------------
# Snapshots: the catalog and the data as {object: definition}, to compare

_USER = "{n}.nspname NOT IN ('pg_catalog', 'information_schema') AND {n}.nspname NOT LIKE 'pg\\_%%'"
_NOT_EXTENSION = "NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = {o} AND e.deptype = 'e')"
_REL = "JOIN pg_class c ON c.oid = {rel} JOIN pg_namespace n ON n.oid = c.relnamespace"
_USER_REL = f"{_USER.format(n='n')} AND {_NOT_EXTENSION.format(o='c.oid')}"

CATALOG: dict[str, str] = {
    "schema": f"""SELECT nspname, '' FROM pg_namespace n WHERE {_USER.format(n="n")}""",
    "extension": "SELECT extname, extversion FROM pg_extension",
    "table": f"""
        SELECT c.oid::regclass::text, concat_ws(' ', 'kind=' || c.relkind::text,
            CASE c.relpersistence WHEN 'u' THEN 'UNLOGGED' END,
            CASE WHEN c.relrowsecurity THEN 'ROW LEVEL SECURITY' END,
            CASE WHEN c.relforcerowsecurity THEN 'FORCE ROW LEVEL SECURITY' END,
            'options=' || array_to_string(c.reloptions, ','), 'acl=' || c.relacl::text,
            'partition by ' || pg_get_partkeydef(c.oid),
            'partition of ' || (SELECT i.inhparent::regclass::text FROM pg_inherits i
                                WHERE i.inhrelid = c.oid AND c.relispartition)
                || ' ' || pg_get_expr(c.relpartbound, c.oid),
            'comment=' || obj_description(c.oid, 'pg_class'))
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'f') AND {_USER_REL}""",
    "view": f"""
        SELECT c.oid::regclass::text, concat_ws(' ', 'kind=' || c.relkind::text,
            'options=' || array_to_string(c.reloptions, ','), pg_get_viewdef(c.oid))
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('v', 'm') AND {_USER_REL}""",
    "column": f"""
        SELECT c.oid::regclass::text || '.' || quote_ident(a.attname),
            concat_ws(' ', format_type(a.atttypid, a.atttypmod),
                CASE WHEN a.attnotnull THEN 'NOT NULL' END,
                CASE WHEN a.attgenerated = 's' THEN 'GENERATED ALWAYS AS ('
                    || pg_get_expr(d.adbin, d.adrelid) || ') STORED'
                    ELSE 'DEFAULT ' || pg_get_expr(d.adbin, d.adrelid) END,
                CASE a.attidentity WHEN 'a' THEN 'GENERATED ALWAYS AS IDENTITY'
                    WHEN 'd' THEN 'GENERATED BY DEFAULT AS IDENTITY' END,
                'COLLATE ' || (SELECT quote_ident(collname) FROM pg_collation co
                    WHERE co.oid = a.attcollation AND a.attcollation <> t.typcollation),
                'comment=' || col_description(c.oid, a.attnum))
        FROM pg_attribute a {_REL.format(rel="a.attrelid")}
        JOIN pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'f', 'v', 'm')
          AND {_USER_REL}""",
    "constraint": f"""
        SELECT coalesce(co.conrelid::regclass::text, co.contypid::regtype::text)
                || '.' || quote_ident(co.conname),
            pg_get_constraintdef(co.oid)
        FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace
        WHERE {_USER.format(n="n")} AND {_NOT_EXTENSION.format(o="co.oid")}""",
    "index": f"""
        SELECT i.indexrelid::regclass::text, concat_ws(' ', pg_get_indexdef(i.indexrelid),
            CASE WHEN NOT i.indisvalid THEN 'INVALID' END,
            CASE WHEN i.indisclustered THEN 'CLUSTERED' END,
            CASE WHEN i.indisreplident THEN 'REPLICA IDENTITY' END)
        FROM pg_index i {_REL.format(rel="i.indrelid")} WHERE {_USER_REL}""",
    "trigger": f"""
        SELECT tg.tgrelid::regclass::text || '.' || quote_ident(tg.tgname),
            pg_get_triggerdef(tg.oid) || ' enabled=' || tg.tgenabled::text
        FROM pg_trigger tg {_REL.format(rel="tg.tgrelid")}
        WHERE NOT tg.tgisinternal AND {_USER_REL}""",
    "sequence": f"""
        SELECT c.oid::regclass::text, concat_ws(' ', format_type(s.seqtypid, NULL),
            'start ' || s.seqstart, 'increment ' || s.seqincrement, 'min ' || s.seqmin,
            'max ' || s.seqmax, 'cache ' || s.seqcache, CASE WHEN s.seqcycle THEN 'CYCLE' END,
            'last ' || pg_sequence_last_value(c.oid),
            'owned by ' || (SELECT d.refobjid::regclass::text || '.' || quote_ident(a.attname)
                FROM pg_depend d JOIN pg_attribute a
                  ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass
                  AND d.deptype IN ('a', 'i')))
        FROM pg_sequence s {_REL.format(rel="s.seqrelid")} WHERE {_USER_REL}""",
    "function": f"""
        SELECT p.oid::regprocedure::text, md5(pg_get_functiondef(p.oid))
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE p.prokind IN ('f', 'p') AND {_USER.format(n="n")}
          AND {_NOT_EXTENSION.format(o="p.oid")}""",
    "type": f"""
        SELECT t.oid::regtype::text, CASE t.typtype
            WHEN 'e' THEN 'enum ' || (SELECT string_agg(quote_literal(enumlabel), ', '
                ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = t.oid)
            ELSE concat_ws(' ', 'domain', format_type(t.typbasetype, t.typtypmod),
                CASE WHEN t.typnotnull THEN 'NOT NULL' END, 'DEFAULT ' || t.typdefault) END
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE t.typtype IN ('e', 'd') AND {_USER.format(n="n")}
          AND {_NOT_EXTENSION.format(o="t.oid")}""",
    "policy": f"""
        SELECT pol.polrelid::regclass::text || '.' || quote_ident(pol.polname),
            concat_ws(' ', pol.polcmd::text, CASE WHEN pol.polpermissive THEN 'PERMISSIVE' END,
                pol.polroles::text, 'USING ' || pg_get_expr(pol.polqual, pol.polrelid),
                'WITH CHECK ' || pg_get_expr(pol.polwithcheck, pol.polrelid))
        FROM pg_policy pol {_REL.format(rel="pol.polrelid")} WHERE {_USER_REL}""",
}

Snapshot = dict[str, str]
Shot = Callable[[psycopg.Connection[Any]], Snapshot]  # a snapshot for one proof


def snapshot(
    conn: psycopg.Connection[Any], text: str, drawn: dict[int, int] | None = None
) -> Snapshot:
    """The catalog, and the data of the tables `text` names: {"kind object": definition}.

    `drawn`, sequence oid → its last value before the file ran (sequence_positions), tells
    the ids the file drew from the others."""
    found: Snapshot = {}
    for kind, query in CATALOG.items():
        for name, definition in conn.execute(query).fetchall():
            found[f"{kind} {name}"] = definition or ""
    unordered = unordered_inserts(text)
    for oid, regclass, relname in named_tables(conn, text):
        found.update(_data(conn, oid, regclass, unordered.get(relname), drawn or {}))
    return found


def sequence_positions(conn: psycopg.Connection[Any]) -> dict[int, int]:
    """sequence oid → its last value, for those that gave one out."""
    rows = conn.execute(
        "SELECT seqrelid::int, pg_sequence_last_value(seqrelid) FROM pg_sequence"
    ).fetchall()
    return {oid: value for oid, value in rows if value is not None}


_DATA_COLUMNS = """
SELECT a.attname, coalesce(pg_get_expr(d.adbin, d.adrelid), ''),
       a.atttypid IN ('date'::regtype, 'timestamp'::regtype, 'timestamptz'::regtype),
       coalesce(pg_get_serial_sequence(a.attrelid::regclass::text, a.attname)::regclass::oid,
                (SELECT dep.refobjid FROM pg_depend dep
                 JOIN pg_class s ON s.oid = dep.refobjid AND s.relkind = 'S'
                 WHERE dep.classid = 'pg_attrdef'::regclass AND dep.objid = d.oid
                 LIMIT 1))::int
FROM pg_attribute a
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attname
"""


def _data(
    conn: psycopg.Connection[Any],
    oid: int,
    regclass: str,
    named: frozenset[str] | None,
    drawn: dict[int, int],
) -> Snapshot:
    """Row count, a hash of the rows (columns by name) and a hash of each column. A column
    whose default differs per run (it calls a function that is not immutable, other than
    nextval, or reads the clock) is compared by its NULLs only; a date or time from the
    day of the proof on (written from now()) compares as `now`. Where the file's unordered
    INSERT … SELECTs into the table leave a sequence-filled column out (`named`: the
    columns all of them name), the rows are hashed once more with the values drawn
    after `drawn` replaced: `unpaired rows`."""
    columns = conn.execute(_DATA_COLUMNS, (oid,)).fetchall()
    calls = {name for _, default, _, _ in columns for name in _CALL.findall(default)} - {"nextval"}
    varying = {
        name
        for (name,) in conn.execute(
            "SELECT proname FROM pg_proc WHERE provolatile <> 'i' AND proname = ANY (%s)",
            (list(calls),),
        ).fetchall()
    }
    cells = [
        f"({_q(c)} IS NULL)::text"
        if _CLOCK.search(default) or varying & set(_CALL.findall(default))
        else f"CASE WHEN {_q(c)} >= '{_STARTED}' THEN 'now' ELSE quote_nullable({_q(c)}::text) END"
        if temporal
        else f"quote_nullable({_q(c)}::text)"
        for c, default, temporal, _ in columns
    ]
    unpaired = [
        f"CASE WHEN {_q(c)}::numeric > {drawn.get(sequence, _NONE_DRAWN)} THEN 'drawn' "
        f"ELSE {cell} END"
        if named is not None and sequence is not None and c not in named
        else cell
        for (c, _, _, sequence), cell in zip(columns, cells, strict=True)
    ]
    hashes = [f"md5(string_agg({cell}, ',' ORDER BY {cell}))" for cell in cells]
    rows = [_rows_hash(cells)] + ([_rows_hash(unpaired)] if unpaired != cells else [])
    query = f"SELECT count(*), {', '.join(rows + hashes)} FROM {regclass}"
    count, *digests = conn.execute(query).fetchone() or ()
    found = {f"rows {regclass}": f"{count} rows, md5 {digests.pop(0)}"}
    if unpaired != cells:
        found[f"{_UNPAIRED}{regclass}"] = f"{count} rows, md5 {digests.pop(0)}"
    for (name, _, _, _), digest in zip(columns, digests, strict=False):
        found[f"data {regclass}.{_q(name)}"] = f"md5 {digest}"
    return found


_NONE_DRAWN = "'-Infinity'"  # a sequence that gave out no value before the file ran
_UNPAIRED = "unpaired rows "  # a snapshot key: rows without the ids drawn in scan order


def _rows_hash(cells: list[str]) -> str:
    row = " || ',' || ".join(cells) or "''"
    return f"md5(string_agg({row}, E'\\n' ORDER BY {row}))"


def differences(expected: Snapshot, got: Snapshot) -> list[str]:
    """One line per object that differs: `-` only expected, `+` only got, `~` both."""
    lines = []
    for key in sorted(expected.keys() | got.keys()):
        if key not in got:
            lines.append(f"- {key}: {expected[key]}")
        elif key not in expected:
            lines.append(f"+ {key}: {got[key]}")
        elif expected[key] != got[key]:
            lines.append(f"~ {key}: {expected[key]}  →  {got[key]}")
    return lines


# ---------------------------------------------------------------------------------------
# The proof


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """TimeoutError after `seconds` (0: never); main thread only."""
    if seconds <= 0:
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"timed out after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _Run:
    """One database copy and its connection."""

    def __init__(self, cluster: Cluster, template: str) -> None:
        self.cluster = cluster
        self.name = cluster.create(template)
        self.conn = cluster.connect(self.name)

    def run(self, script: Script) -> str:
        return self.cluster.run(self.conn, self.name, script)

    def close(self) -> None:
        self.conn.close()
        self.cluster.drop(self.name)


def prove(cluster: Cluster, template: str, original: Script, planned: Planned) -> FileResult:
    """Compare `original` and the plan's phases on copies of `template`, with data.

    When both reject the generated rows (a SET NOT NULL over NULLs, a narrowing over long
    texts), gentler rows are tried, then none."""
    notes: list[str] = []
    for level in LEVELS:
        b = _Run(cluster, template)
        try:
            notes += [f"{level} rows: {n}" for n in fill(b.conn, original.text, level)]
            shot = functools.partial(snapshot, text=original.text, drawn=sequence_positions(b.conn))
            before = shot(b.conn)
            expected, original_error = _original(b, original, shot)
            result = _compare(b, expected, original_error, planned, before, original, shot)
        finally:
            b.close()
        if result.outcome != "cannot-replay" or level == LEVELS[-1]:
            result.notes[:0] = notes
            return result
        notes.append(f"{level} rows: both reject them ({result.detail})")
    raise AssertionError("unreachable")


# Transaction control at the start of a line: such a file cannot run inside ours.
_TRANSACTION_CONTROL = re.compile(
    r"^\s*(?:BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK|ABORT)\b", re.IGNORECASE | re.MULTILINE
)


def _original(b: _Run, original: Script, shot: Shot) -> tuple[Snapshot, str]:
    """The state after `original` and its error, leaving `b` as it was: inside a
    transaction rolled back where the file runs in one, else (and to confirm an error)
    on a copy of `b`."""
    if original.mode != "autocommit" and not _TRANSACTION_CONTROL.search(original.text):
        sequences = _sequences(b.conn)
        try:
            with b.conn.transaction(force_rollback=True):
                b.conn.execute(original.text.encode())
                return shot(b.conn), ""
        except psycopg.Error:
            pass  # confirmed on a copy: a single CONCURRENTLY statement may run alone
        finally:  # nextval is not rolled back
            for name, last_value, is_called in sequences:
                b.conn.execute("SELECT setval(%s, %s, %s)", (name, last_value, is_called))
    b.conn.close()
    a = _Run(b.cluster, b.name)
    b.conn = b.cluster.connect(b.name)
    try:
        error = a.run(original)
        return ({} if error else shot(a.conn)), error
    finally:
        a.close()


def _unpositioned(state: Snapshot) -> Snapshot:
    """`state` without the sequences' positions: a down cannot rewind a sequence."""
    return {
        k: re.sub(r" last \d+", "", v) if k.startswith("sequence ") else v for k, v in state.items()
    }


def _random_calls(text: str) -> set[str]:
    """The functions `text` calls (or clock keywords it names) whose results differ per run."""
    calls = {c.lower() for c in _CALL.findall(text)} & _RUN_DEPENDENT_CALLS
    return calls | {k.upper() for k in _CLOCK.findall(text)}


def _sequences(conn: psycopg.Connection[Any]) -> list[tuple[str, int, bool]]:
    """(name, last_value, is_called) of every sequence."""
    names = conn.execute(
        "SELECT c.oid::regclass::text FROM pg_class c WHERE c.relkind = 'S'"
    ).fetchall()
    return [
        (
            name,
            *(
                conn.execute(
                    sql.SQL("SELECT last_value, is_called FROM {}").format(sql.SQL(name))
                ).fetchone()
                or (1, False)
            ),
        )
        for (name,) in names
    ]


def _compare(
    b: _Run,
    expected: Snapshot,
    original_error: str,
    planned: Planned,
    before: Snapshot,
    original: Script,
    shot: Shot,
) -> FileResult:
    """The plan on `b`, which holds the rows of `before`, against the original's state;
    cannot-replay when both reject the rows."""
    path = Path(original.name)
    after_kept, kept_at, plan_error = before, -1, ""
    for i, step in enumerate(planned.steps):
        plan_error = b.run(step.up)
        if plan_error:
            break
        if step.kept:
            after_kept, kept_at = shot(b.conn), i
    if original_error and plan_error:
        return FileResult(path, "cannot-replay", f"{original_error}; the plan: {plan_error}")
    if original_error:
        return FileResult(
            path, "different", f"the original fails ({original_error}); the plan does not"
        )
    if plan_error:
        if _refused_at_run_time(plan_error) and i == kept_at + 1:
            unchanged = not differences(after_kept, shot(b.conn))
            if unchanged:  # a guard of the plan stopped it before it changed anything
                return FileResult(path, "refused", f"at run time: {plan_error}")
        return FileResult(path, "failed", plan_error)
    got = shot(b.conn)
    diff = differences(expected, got)
    unpaired = [d for d in diff if _paired_only(d, expected, got)]
    diff = [d for d in diff if d not in unpaired]
    random = _random_calls(original.text)
    unmatchable = [d for d in diff if random and d[2:].startswith(("data ", "rows "))]
    diff = [d for d in diff if d not in unmatchable]
    result = FileResult(path, "different" if diff else "equal", "\n".join(diff))
    if unmatchable:
        result.notes.append(
            f"the file calls {', '.join(sorted(random))}: its data cannot match; it differs in "
            + "; ".join(unmatchable)
        )
    result.notes += [
        f"{d[2:].split(':')[0]}: the ids the file's INSERT … SELECT without ORDER BY draws "
        "follow the scan order, which PostgreSQL does not promise; the rows are equal "
        "without them"
        for d in unpaired
    ]
    _check_downs(b, planned.steps[kept_at + 1 :], planned.detail, after_kept, shot, result)
    return result


# The planner's guards raise errors that start so (migralint/plan: `RAISE … 'migralint: …'`).
_PLAN_GUARD = re.compile(r":\s+migralint: ")


def _refused_at_run_time(error: str) -> bool:
    """True when the error is one of the plan's own guards refusing the table (triggers
    on UPDATE, a generated column, a NOT NULL domain, …), which it checks in the database
    because the migrations cannot tell."""
    return bool(_PLAN_GUARD.search(error))


def _paired_only(line: str, expected: Snapshot, got: Snapshot) -> bool:
    """Whether `line` is a `~ rows` difference gone once the ids drawn in scan order
    are not paired (the tables' `unpaired rows` are equal)."""
    if not line.startswith("~ rows "):
        return False
    unpaired = _UNPAIRED + line[len("~ rows ") :].split(": ", 1)[0]
    return unpaired in expected and expected[unpaired] == got.get(unpaired)


def _check_downs(
    b: _Run,
    steps: tuple[Step, ...],
    summary: str,
    restored: Snapshot,
    shot: Shot,
    result: FileResult,
) -> None:
    """Run the downs of `steps` (those after the kept statements, whose down is the
    user's) in reverse; where the plan's summary claims they restore the state before
    them, a difference is a bug, else a note."""
    error = ""
    for step in reversed(steps):
        error = b.run(step.down)
        if error:
            break
    found = (
        [f"down: {error}"]
        if error
        else [
            f"down: {d}" for d in differences(_unpositioned(restored), _unpositioned(shot(b.conn)))
        ]
    )
    if not found:
        return
    disclaimer = _DISCLAIMER.search(summary)
    if disclaimer:
        result.notes.append(
            f"downs differ, as the plan says ({disclaimer[0]}): " + "; ".join(found)
        )
    elif result.outcome == "equal":
        result.outcome = "failed" if error else "different"
        result.detail = "\n".join(found)
    else:
        result.detail += "\n" + "\n".join(found)


def prove_set(
    cluster: Cluster,
    files: list[MigrationFile],
    *,
    setup: tuple[Script, ...] = (),
    limit: int = 0,
    timeout: float = 0,
    progress: Callable[[FileResult], None] | None = None,
) -> SetReport:
    """Plan every file of one migration set and prove each plan; replay the set meanwhile.

    `setup` scripts (extensions, a base schema the set starts from) run first; `limit`
    stops after that many files; `timeout` bounds each file's planning and proof."""
    report = SetReport(files[0].set_root)
    fmt = FORMAT_OF_TOOL.get(files[0].tool, "golang-migrate")
    history = cluster.create()
    try:
        with cluster.connect(history) as conn:
            tool = TOOL_SETUP.get(files[0].tool)
            for script in (*([tool] if tool else []), *setup):
                report.history_error = report.history_error or cluster.run(conn, history, script)
        with replaying_once():
            for m in files[: limit or None]:
                result = _check_file(cluster, history, m, fmt, report.history_error, timeout)
                report.results.append(result)
                if progress:
                    progress(result)
                if not report.history_error:
                    report.history_error = _apply(cluster, history, m, timeout)
    finally:
        cluster.drop(history)
    return report


def _check_file(
    cluster: Cluster, history: str, m: MigrationFile, fmt: str, broken: str, timeout: float
) -> FileResult:
    original = history_script(m)
    try:
        with deadline(timeout), tempfile.TemporaryDirectory() as out:
            planned = plan_file(m.path, fmt, Path(out) / "plan")
            if planned.outcome != "planned":
                return FileResult(m.path, planned.outcome, planned.detail)
            if broken:
                return FileResult(m.path, "cannot-replay", f"the history fails at {broken}")
            result = prove(cluster, history, original, planned)
    except TimeoutError as error:
        return FileResult(m.path, "failed", str(error))
    result.path = m.path
    return result


def _apply(cluster: Cluster, history: str, m: MigrationFile, timeout: float) -> str:
    """Run one history file; the error naming it, or ""."""
    with cluster.connect(history) as conn:
        try:
            with deadline(timeout):
                return cluster.run(conn, history, history_script(m))
        except TimeoutError as error:
            return f"{m.path.name}: {error}"


# ---------------------------------------------------------------------------------------
# The corpus: the PostgreSQL projects of ../shared/corpus whose layouts replay

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@dataclass(frozen=True)
class Project:
    """Where a corpus project's migrations are, and what its deployment runs before them."""

    folder: str
    setup: tuple[str, ...] = ()  # files its first migration expects to have run
    # extensions its installation guide has the DBA create before the first start
    extensions: tuple[str, ...] = ()
    # server settings its history needs (postgresql.conf; tests/postgres.py Server)
    settings: tuple[tuple[str, str], ...] = ()


_DHIS2 = (
    "dhis2-core/dhis-2/dhis-support/dhis-support-db-migration/src/main/resources/org/hisp/dhis/db"
)
CORPUS_PROJECTS: dict[str, Project] = {
    "lemmy": Project("lemmy/migrations"),
    "ente": Project("ente/server/migrations"),
    "alf.io": Project("alf.io/src/main/resources/alfio/db/PGSQL"),
    "dhis2-core": Project(
        f"{_DHIS2}/migration",
        (f"{_DHIS2}/base/dhis2_base_schema.sql",),
        ("postgis", "pg_trgm", "btree_gin"),
        # V2_32_10 retypes every id column in one transaction: at the default 64 the
        # shared lock table overflows ("out of shared memory")
        (("max_locks_per_transaction", "1024"),),
    ),
    "kestra": Project("kestra/jdbc-postgres/src/main/resources/migrations/postgres"),
    "hawkbit": Project(
        "hawkbit/hawkbit-repository/hawkbit-repository-jpa-flyway/src/main/resources/db/"
        "migration/POSTGRESQL"
    ),
    "dspace": Project(
        "dspace/dspace-api/src/main/resources/org/dspace/storage/rdbms/sqlmigration/postgres"
    ),
    "trigger.dev": Project("trigger.dev/internal-packages"),
    "langfuse": Project("langfuse/packages/shared/prisma/migrations"),
    "kratos": Project("kratos/persistence/sql/migrations/sql"),
}

NOT_REPLAYABLE = {
    "synapse": "synapse applies its schema from Python: a full_schemas snapshot, then the "
    "deltas of each schema version, interleaved with Python deltas (left out of the corpus) "
    "and gated by schema_version bookkeeping, so the SQL files alone do not replay in order",
    "supabase-auth": 'its migrations are Go templates ({{ index .Options "Namespace" }}), '
    "not SQL until rendered",
}


def corpus_sets(project: str) -> list[tuple[list[MigrationFile], tuple[Script, ...]]]:
    """The migration sets of a corpus project, each with the setup it needs."""
    found = CORPUS_PROJECTS[project]
    setup = tuple(
        Script(f"CREATE EXTENSION {name}", f'CREATE EXTENSION IF NOT EXISTS "{name}"', "implicit")
        for name in found.extensions
    ) + tuple(setup_script(CORPUS / path) for path in found.setup)
    return [(files, setup) for files in migration_sets(CORPUS / found.folder)]


def setup_script(path: Path) -> Script:
    """A file to run before a set's first migration, as psql runs it."""
    return Script(path.name, path.read_text(encoding="utf-8"), "autocommit")


def describe(report: SetReport, first: int = 5) -> str:
    """A report's counts, then the first differences and failures, precisely."""
    lines = [f"{report.root}: {report.line()}"]
    if report.history_error:
        lines.append(f"  history stops at {report.history_error}")
    for outcome in ("different", "failed", "crashed", "refused", "cannot-replay"):
        shown = [r for r in report.results if r.outcome == outcome][:first]
        for r in shown:
            detail = r.detail.replace("\n", "\n      ")
            lines.append(f"  {outcome}: {r.path.relative_to(report.root)}\n      {detail}")
    lines += _noted(report, "could not fill", "ran with a table left unfilled", first)
    lines += _noted(report, "scan order", "had ids drawn in scan order left unpaired", first)
    return "\n".join(lines)


def _noted(report: SetReport, marker: str, what: str, first: int) -> list[str]:
    """How many proven files have a note containing `marker`, and the first notes."""
    noted = [r for r in report.results if any(marker in n for n in r.notes)]
    if not noted:
        return []
    shown = [
        f"      {r.path.relative_to(report.root)}: {n}"
        for r in noted[:first]
        for n in r.notes
        if marker in n
    ]
    return [f"  {len(noted)} proven file(s) {what}, e.g.:", *shown[:first]]
