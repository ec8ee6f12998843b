"""migralint/pgfacts.py (and checks.types.narrowing, built on it) against a real
PostgreSQL: a change "rewrites" exactly when the table's relfilenode changes, it
"narrows" when some value is refused or altered, and a function without a volatility
clause is VOLATILE."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from helpers import REPO

from migralint import pgfacts
from migralint.checks.types import narrowing
from migralint.sql import ops
from migralint.sql.parse import parse_statement
from migralint.sql.split import split_statements

PG = (16, 0)


def server_version(db: Any) -> tuple[int, int]:
    """The (major, minor) of the PostgreSQL the test runs on."""
    number = db.info.server_version
    return number // 10000, number % 10000


def column_type(sql_type: str) -> ops.DataType:
    """The DataType migralint's reader gives `sql_type`."""
    [stmt] = split_statements(f"CREATE TABLE t (c {sql_type});").statements
    [create] = parse_statement(stmt, "m.sql")
    assert isinstance(create, ops.CreateTable) and create.columns[0].type is not None
    return create.columns[0].type


# (old type, new type, session TimeZone, a value of the old type)
CHANGES = [
    ("varchar(10)", "varchar(20)", None, "'abc'"),
    ("varchar(20)", "varchar(10)", None, "'abc'"),
    ("varchar(10)", "varchar", None, "'abc'"),
    ("varchar(10)", "text", None, "'abc'"),
    ("varchar", "text", None, "'abc'"),
    ("text", "varchar", None, "'abc'"),
    ("text", "varchar(10)", None, "'abc'"),
    ("char(3)", "varchar(3)", None, "'abc'"),
    ("varchar(10)[]", "varchar(20)[]", None, "ARRAY['abc']"),
    ("numeric(10, 2)", "numeric(12, 2)", None, "1.25"),
    ("numeric(10, 2)", "numeric", None, "1.25"),
    ("numeric(10, 2)", "numeric(12, 3)", None, "1.25"),
    ("numeric(10, 2)", "numeric(8, 2)", None, "1.25"),
    ("numeric(10, 2)", "numeric(10, 1)", None, "1.25"),
    ("numeric", "numeric(10, 2)", None, "1.255"),
    ("integer", "bigint", None, "1"),
    ("bigint", "integer", None, "1"),
    ("numeric(10, 2)", "bigint", None, "1.5"),
    ("numeric(10, 2)", "integer", None, "1.25"),
    ("timestamp", "timestamptz", "UTC", "'2020-01-01 12:34:56'"),
    ("timestamptz", "timestamp", "UTC", "'2020-01-01 12:34:56+00'"),
    ("timestamptz", "timestamp", "Europe/Paris", "'2020-01-01 12:34:56+00'"),
    ("timestamp", "date", None, "'2020-01-01 12:34:56'"),
    ("double precision", "real", None, "1.000000001"),
    ("cidr", "inet", None, "'10.0.0.0/8'"),
    ("inet", "cidr", None, "'10.0.0.0/8'"),
    ("bit varying(5)", "bit varying(10)", None, "B'101'"),
    ("varbit(5)", "varbit", None, "B'101'"),
    ("varbit(10)", "varbit(5)", None, "B'101'"),
    ("bit(5)", "varbit(5)", None, "B'10101'"),
    ("timestamp(3)", "timestamp(6)", None, "'2020-01-01 12:34:56.123'"),
    ("timestamp(3)", "timestamp", None, "'2020-01-01 12:34:56.123'"),
    ("timestamp", "timestamp(3)", None, "'2020-01-01 12:34:56.123456'"),
    ("timestamptz(0)", "timestamptz(3)", None, "'2020-01-01 12:34:56+00'"),
    ("time(3)", "time(6)", None, "'12:34:56.123'"),
    ("time", "time(0)", None, "'12:34:56.5'"),
    ("timetz(3)", "timetz", None, "'12:34:56.123+00'"),
    ("timestamp(3)", "timestamptz(6)", "UTC", "'2020-01-01 12:34:56.123'"),
    ("timestamptz", "timestamp(3)", "UTC", "'2020-01-01 12:34:56.123456+00'"),
    ("timestamp", "timestamptz", "Etc/UTC", "'2020-01-01 12:34:56'"),
    ("timestamp", "timestamptz", "Europe/London", "'2020-01-01 12:34:56'"),
    ("timestamptz", "date", None, "'2020-01-01 12:34:56+00'"),
    ("timestamptz", "time", None, "'2020-01-01 12:34:56+00'"),
    ("numeric", "integer", None, "1.5"),
    ("real", "integer", None, "1.5"),
    ("double precision", "bigint", None, "1.5"),
    ("char(3)", "char(5)", None, "'abc'"),
    ("char(3)", "text", None, "'abc'"),
    ("smallint", "integer", None, "1"),
    ("serial", "bigint", None, "1"),
    ("serial", "integer", None, "1"),
    ("bigserial", "bigint", None, "1"),
    ("json", "jsonb", None, "'{}'"),
    ("varchar(10)[]", "text[]", None, "ARRAY['abc']"),
    ("numeric(10, 2)[]", "numeric(12, 2)[]", None, "ARRAY[1.5]"),
    ("cidr[]", "inet[]", None, "ARRAY['10.0.0.0/8'::cidr]"),
    ("timestamp[]", "timestamptz[]", "UTC", "ARRAY['2020-01-01'::timestamp]"),
]


def _id(change: tuple[str, str, str | None, str]) -> str:
    old, new, tz, _ = change
    return f"{old}->{new}" + (f"@{tz}" if tz else "")


@pytest.mark.parametrize("change", CHANGES, ids=_id)
def test_rewrite_and_loss_match_postgres(db: Any, change: tuple[str, str, str | None, str]) -> None:
    old, new, timezone, value = change
    db.execute(f"SET TimeZone = '{timezone or 'UTC'}'")
    db.execute(f"CREATE TABLE t (c {old})")
    db.execute(f"INSERT INTO t VALUES ({value})")
    before = db.execute("SELECT pg_relation_filenode('t'), c::text FROM t").fetchone()
    db.execute(f"ALTER TABLE t ALTER COLUMN c TYPE {new}")
    after = db.execute("SELECT pg_relation_filenode('t'), c::text FROM t").fetchone()
    old_type, new_type = column_type(old), column_type(new)
    rewritten = before[0] != after[0]
    assert pgfacts.rewrites(old_type, new_type, server_version(db), timezone) == rewritten
    stored = {"serial": "integer", "bigserial": "bigint"}.get(old, old)  # no cast to serial
    assert kept(db, value, stored) or narrowing(old_type, new_type) is not None


# (old type, new type, USING): in UTC, a USING that only casts the column converts as
# PostgreSQL does without it, step by step; anything else computes new values
USINGS = [
    ("timestamp", "timestamptz", "c"),
    ("timestamp", "timestamptz", '("c")'),
    ("timestamp", "timestamptz", "c::timestamptz"),
    ("timestamp", "timestamptz", "CAST(c AS timestamp with time zone)"),
    ("varchar(10)", "text", "(c)::varchar::text"),
    ("varchar(10)", "varchar(20)", "c::varchar(20)"),
    ("varchar(10)", "varchar(20)", "c::varchar(5)"),
    ("integer", "bigint", "c::bigint"),
    ("varchar(10)", "text", "lower(c)"),
    ("timestamp", "timestamptz", "c + interval '1 hour'"),
]


ENUM_CHANGES = [
    ("mood", "text", "c"),
    ("text", "mood", "c::mood"),
    ("mood", "mood2", "c::text::mood2"),
    ("mood", "mood", "c"),
    ("mood[]", "text[]", "c::text[]"),
]


@pytest.mark.parametrize("change", ENUM_CHANGES, ids=lambda c: f"{c[0]}->{c[1]} USING {c[2]}")
def test_converting_to_or_from_an_enum_rewrites(db: Any, change: tuple[str, str, str]) -> None:
    old, new, using = change
    alter = f"ALTER TABLE t ALTER COLUMN c TYPE {new} USING {using}"
    [stmt] = split_statements(alter + ";").statements
    [op] = parse_statement(stmt, "m.sql")
    assert isinstance(op, ops.AlterColumnType) and op.using_casts is not None
    db.execute("CREATE TYPE mood AS ENUM ('ok'); CREATE TYPE mood2 AS ENUM ('ok')")
    db.execute(f"CREATE TABLE t (c {old})")
    [before] = db.execute("SELECT pg_relation_filenode('t')").fetchone()
    db.execute(alter)
    [after] = db.execute("SELECT pg_relation_filenode('t')").fetchone()
    version = server_version(db)
    old_type = column_type(old)
    verdict = pgfacts.rewrites(old_type, op.type, version, None, op.using_casts, {"mood", "mood2"})
    assert verdict == (before != after)
    assert pgfacts.rewrites(old_type, op.type, version, None, op.using_casts) is not True


@pytest.mark.parametrize("change", USINGS, ids=lambda c: f"{c[0]}->{c[1]} USING {c[2]}")
def test_a_using_rewrites_as_its_casts_do(db: Any, change: tuple[str, str, str]) -> None:
    old, new, using = change
    alter = f"ALTER TABLE t ALTER COLUMN c TYPE {new} USING {using}"
    [stmt] = split_statements(alter + ";").statements
    [op] = parse_statement(stmt, "m.sql")
    assert isinstance(op, ops.AlterColumnType)
    db.execute("SET TimeZone = 'UTC'")
    db.execute(f"CREATE TABLE t (c {old})")
    [before] = db.execute("SELECT pg_relation_filenode('t')").fetchone()
    db.execute(alter)
    [after] = db.execute("SELECT pg_relation_filenode('t')").fetchone()
    if op.using_casts is None:  # not a cast of the column: new values, a new file
        assert before != after
    else:
        verdict = pgfacts.rewrites(
            column_type(old), op.type, server_version(db), "UTC", op.using_casts
        )
        assert verdict == (before != after)


# Changes that leave a table's rows as they are (under UTC), old type → new type
FREE_FOR_THE_TABLE = [
    ("timestamp", "timestamptz"),
    ("timestamptz(3)", "timestamp(6)"),
    ("varchar(10)", "varchar(20)"),
    ("varchar(10)", "text"),
    ("text", "varchar"),
    ("numeric(10, 2)", "numeric(12, 2)"),
    ("cidr", "inet"),
    ("timestamp(3)", "timestamp(6)"),
    ("varbit(5)", "varbit(10)"),
    ("serial", "integer"),
]


@pytest.mark.parametrize("change", FREE_FOR_THE_TABLE, ids=lambda c: f"{c[0]}->{c[1]}")
def test_indexes_are_rebuilt_exactly_when_pgfacts_says(db: Any, change: tuple[str, str]) -> None:
    old, new = change
    db.execute("SET TimeZone = 'UTC'")
    db.execute(f"CREATE TABLE t (c {old})")
    db.execute("CREATE INDEX t_c ON t (c)")
    files = "SELECT pg_relation_filenode('t'), pg_relation_filenode('t_c')"
    table, index = db.execute(files).fetchone()
    db.execute(f"ALTER TABLE t ALTER COLUMN c TYPE {new}")
    table_after, index_after = db.execute(files).fetchone()
    assert table == table_after
    old_type, new_type = column_type(old), column_type(new)
    assert pgfacts.rewrites(old_type, new_type, server_version(db), "UTC") is False
    assert pgfacts.rebuilds_indexes(old_type, new_type) == (index != index_after)


def kept(db: Any, value: str, old: str) -> bool:
    """True when t's only value, cast back to `old`, is `value` again (False when it
    cannot be cast back: time does not become a timestamptz)."""
    try:
        query = f"SELECT ({value})::{old}::text = (SELECT c::{old}::text FROM t)"
        return bool(db.execute(query).fetchone()[0])
    except psycopg.errors.CannotCoerce:
        return False


# (old type, new type, a value of the old type the change refuses or alters, or None)
NARROWING = [
    ("varchar(20)", "varchar(10)", "'abcdefghijkl'"),
    ("text", "varchar(10)", "'abcdefghijkl'"),
    ("text", "char(3)", "'abcd'"),
    ("varchar(10)", "varchar(20)", None),
    ("varchar", "varchar(3)", "'abcd'"),
    ("bigint", "integer", "3000000000"),
    ("integer", "smallint", "40000"),
    ("integer", "bigint", None),
    ("integer", "numeric(5, 0)", "123456"),
    ("numeric(10, 2)", "numeric(8, 2)", "12345678.25"),
    ("numeric(10, 2)", "numeric(12, 3)", None),
    ("numeric(10, 2)", "numeric(10, 1)", "1.25"),
    ("numeric", "numeric(5, 1)", "123456"),
    ("numeric(10, 2)", "integer", "1.25"),
    ("numeric", "integer", "1.5"),
    ("real", "integer", "1.5"),
    ("double precision", "bigint", "1.5"),
    ("double precision", "real", "1.000000001"),
    ("timestamp", "date", "'2020-01-01 12:34:56'"),
    ("timestamptz", "date", "'2020-01-01 12:34:56+00'"),
    ("timestamptz", "time", "'2020-01-01 12:34:56+00'"),
    ("timestamp", "timestamp(0)", "'2020-01-01 12:34:56.5'"),
    ("timestamp", "timestamptz", None),
    ("timestamptz", "timestamp", None),
    ("date", "timestamp", None),
]


@pytest.mark.parametrize("change", NARROWING, ids=lambda c: f"{c[0]}->{c[1]}")
def test_narrowing_matches_what_postgres_refuses_or_alters(
    db: Any, change: tuple[str, str, str | None]
) -> None:
    old, new, victim = change
    assert (narrowing(column_type(old), column_type(new)) is not None) == (victim is not None)
    if victim is not None:
        db.execute("SET TimeZone = 'UTC'")
        db.execute(f"CREATE TABLE t (c {old})")
        db.execute(f"INSERT INTO t VALUES ({victim})")
        try:
            db.execute(f"ALTER TABLE t ALTER COLUMN c TYPE {new}")
        except psycopg.DataError:
            return  # refused: the value does not fit
        assert not kept(db, victim, old)


def test_what_cannot_be_judged_is_not_called_a_rewrite() -> None:
    text = column_type("text")
    assert pgfacts.rewrites(None, text, PG, None) is None
    assert pgfacts.unjudged(None, text) == "the old type is unknown"
    assert pgfacts.rewrites(column_type("my_enum"), text, PG, None) is None
    assert pgfacts.unjudged(column_type("my_enum"), text) == "my_enum is not a built-in type"
    assert narrowing(None, column_type("date")) is None
    # before PostgreSQL 12 the timestamp change always rewrote
    stamp, stamptz = column_type("timestamp"), column_type("timestamptz")
    assert pgfacts.rewrites(stamp, stamptz, (11, 0), "UTC") is True


@pytest.mark.parametrize("pair", [("timestamp", "timestamptz"), ("timestamptz", "timestamp")])
def test_timestamp_change_under_the_server_time_zone_cannot_be_judged(
    db: Any, pair: tuple[str, str]
) -> None:
    """Both directions are free under UTC and rewrite under Europe/Paris: with the
    session's TimeZone not set by the migration, the server's decides."""
    old, new = pair
    rewritten = {}
    for zone in ("UTC", "Europe/Paris"):
        db.execute(f"SET TimeZone = '{zone}'")
        db.execute(f"CREATE TABLE t (c {old})")
        [before] = db.execute("SELECT pg_relation_filenode('t')").fetchone()
        db.execute(f"ALTER TABLE t ALTER COLUMN c TYPE {new}")
        rewritten[zone] = before != db.execute("SELECT pg_relation_filenode('t')").fetchone()[0]
        db.execute("DROP TABLE t")
    assert rewritten == {"UTC": False, "Europe/Paris": True}
    old_type, new_type = column_type(old), column_type(new)
    assert pgfacts.rewrites(old_type, new_type, server_version(db), None) is None
    assert "TimeZone" in pgfacts.unjudged(old_type, new_type)


NONZERO_ZONES = ["Europe/London", "Etc/GMT+1", "America/New_York", "+01", "UTC+1", "Africa/Abidjan"]


@pytest.mark.parametrize("zone", sorted(pgfacts.ZERO_OFFSET_ZONES) + NONZERO_ZONES)
def test_zero_offset_zones_are_those_postgres_converts_timestamps_in_for_free(
    db: Any, zone: str
) -> None:
    db.execute(f"SET TimeZone = '{zone}'")
    db.execute("CREATE TABLE t (c timestamp)")
    [before] = db.execute("SELECT pg_relation_filenode('t')").fetchone()
    db.execute("ALTER TABLE t ALTER COLUMN c TYPE timestamptz")
    [after] = db.execute("SELECT pg_relation_filenode('t')").fetchone()
    assert pgfacts.zero_offset(zone) == (before == after)


def read_function(sql: str) -> ops.CreateObject:
    """The CreateObject migralint's reader gives a CREATE FUNCTION."""
    [stmt] = split_statements(sql).statements
    [create] = parse_statement(stmt, "m.sql")
    assert isinstance(create, ops.CreateObject) and create.kind == "FUNCTION"
    return create


BODY = "AS $$ BEGIN RETURN 'x'; END $$"
# (CREATE FUNCTION f() RETURNS text …, what routine_volatile says)
FUNCTIONS = [
    (f"LANGUAGE plpgsql {BODY}", True),
    (f"LANGUAGE plpgsql VOLATILE {BODY}", True),
    (f"STABLE LANGUAGE 'plpgsql' {BODY}", False),
    (f'LANGUAGE "plpgsql" IMMUTABLE {BODY}', False),
    (f"{BODY} LANGUAGE plpgsql", True),  # the clauses after the body
    (f"{BODY} LANGUAGE plpgsql STABLE", False),
    ("LANGUAGE sql AS $$ SELECT 'immutable' $$", None),  # inlined: a constant
    ("LANGUAGE sql RETURN 'x'", None),
    ("AS $$ SELECT now()::text $$ LANGUAGE sql", None),  # inlined: STABLE now()
    ("LANGUAGE sql AS $$ SELECT relname::text FROM pg_class LIMIT 1 $$", True),  # not inlined
    ("LANGUAGE sql AS $$ SELECT (SELECT 'x') $$", True),  # a sub-query: not inlined
    ("LANGUAGE sql SECURITY DEFINER AS $$ SELECT 'x' $$", True),  # never inlined
    ("LANGUAGE sql AS $$ SELECT random()::text $$", True),  # inlined: still volatile
    ("AS 'SELECT md5(random()::text)' LANGUAGE sql", True),
]


def adds_with_rewrite(db: Any, default: str) -> bool:
    """True when ADD COLUMN with this default gives the (non-empty) table a new file."""
    db.execute("CREATE TABLE t (id int)")
    db.execute("INSERT INTO t VALUES (1)")
    [before] = db.execute("SELECT pg_relation_filenode('t')").fetchone()
    db.execute(f"ALTER TABLE t ADD COLUMN c text DEFAULT {default}")
    [after] = db.execute("SELECT pg_relation_filenode('t')").fetchone()
    db.execute("DROP TABLE t")
    return bool(before != after)


def test_a_default_calling_a_defined_function_rewrites_as_routine_volatile_says(db: Any) -> None:
    """Without a volatility clause a function is VOLATILE and its default rewrites;
    STABLE and IMMUTABLE ones do not. A LANGUAGE sql one PostgreSQL does not inline
    keeps its declared VOLATILE; an inlined one is its expression: volatile when that
    calls a volatile function, else not judged (this server plans the default first
    and keeps the table's file; a release that judges the declared volatility would
    rewrite)."""
    unjudged = set()
    for k, (rest, verdict) in enumerate(FUNCTIONS):
        sql = f"CREATE FUNCTION f{k}() RETURNS text {rest}"
        create = read_function(sql + ";")
        judged = pgfacts.routine_volatile(create.volatility, create.language, create.inlined)
        assert judged is verdict, sql
        db.execute(sql)
        [declared] = db.execute(
            f"SELECT provolatile FROM pg_proc WHERE proname = 'f{k}'"
        ).fetchone()
        assert (declared == "v") == (create.volatility in ("", "volatile"))
        rewrote = adds_with_rewrite(db, f"f{k}()")
        if verdict is None:
            unjudged.add(rewrote)
        else:
            assert rewrote == verdict, sql
            assert (pgfacts.volatile_call(f"f{k}()", {f"f{k}": verdict}) is not None) == rewrote
    assert unjudged == {False}  # the inlined non-volatile ones keep the table's file here


def test_volatile_builtins_are_volatile_and_their_defaults_rewrite(db: Any) -> None:
    found = db.execute(
        "SELECT proname::text, array_agg(DISTINCT provolatile::text) FROM pg_proc "
        "WHERE proname = ANY(%s) GROUP BY 1",
        (sorted(pgfacts.VOLATILE_BUILTINS | {"now", "txid_current"}),),
    ).fetchall()
    volatility = dict(found)
    assert {"random", "nextval", "gen_random_uuid", "clock_timestamp"} <= volatility.keys()
    for name, kinds in volatility.items():
        assert (kinds == ["v"]) == (name in pgfacts.VOLATILE_BUILTINS), name
    assert adds_with_rewrite(db, "random()::text")
    assert not adds_with_rewrite(db, "now()::text")
    for volatile in ("gen_random_uuid()::text", "clock_timestamp()::text"):
        assert adds_with_rewrite(db, volatile), volatile
    db.execute("CREATE SEQUENCE s")
    assert adds_with_rewrite(db, "nextval('s')::text")
    for stable in ("current_timestamp::text", "statement_timestamp()::text"):
        assert not adds_with_rewrite(db, stable), stable
        assert pgfacts.volatile_call(stable, {}) is None
    stable_builtins = ("now", "statement_timestamp", "transaction_timestamp", "txid_current")
    declared = db.execute(
        "SELECT DISTINCT provolatile::text FROM pg_proc WHERE proname = ANY(%s)",
        (list(stable_builtins),),
    ).fetchall()
    assert declared == [("s",)]
    assert pgfacts.volatile_call("pg_catalog.random()::text", {}) == "random"
    assert pgfacts.volatile_call("extensions.uuid_generate_v4()", {}) == "uuid_generate_v4"
    assert pgfacts.volatile_call("app.next_code()", {"next_code": True}) == "next_code"
    assert pgfacts.volatile_call("now()::text", {}) is None


CHECKS = [
    "a IS NOT NULL",
    "NOT (a IS NULL) AND b > 0",
    "((a IS NOT NULL) AND (b > 0 AND c IS NOT NULL))",
    "a > 0",
    "(a IS NULL AND b IS NULL) OR (a IS NOT NULL AND b IS NOT NULL)",
    "a IS NOT NULL OR b IS NOT NULL",
]


@pytest.mark.parametrize("check", CHECKS)
def test_null_rejected_never_names_a_column_postgres_accepts_null_in(db: Any, check: str) -> None:
    """Each column null_rejected names makes the CHECK refuse a row with that column
    NULL, whatever the others hold; it may miss some (`a IS NOT NULL OR b IS NOT
    NULL` refuses all-NULL rows), never add one."""
    db.execute("CREATE TABLE t (a int, b int, c int)")
    db.execute(f"ALTER TABLE t ADD CONSTRAINT k CHECK ({check})")
    for column in pgfacts.null_rejected(check):
        for others in ("NULL", "1"):
            values = ", ".join("NULL" if c == column else others for c in ("a", "b", "c"))
            with pytest.raises(psycopg.errors.CheckViolation):
                db.execute(f"INSERT INTO t VALUES ({values})")


def test_a_check_under_or_lets_release_n_minus_1_rows_in(db: Any) -> None:
    """ente's pw_hash/pw_nonce CHECK: rows with both new columns NULL pass."""
    either = CHECKS[4]
    db.execute("CREATE TABLE t (a int, b int, c int)")
    db.execute(f"ALTER TABLE t ADD CONSTRAINT k CHECK ({either})")
    db.execute("INSERT INTO t VALUES (NULL, NULL, NULL)")
    assert pgfacts.null_rejected(either) == []


def test_always_true_and_system_catalogs() -> None:
    assert pgfacts.always_true(None) and pgfacts.always_true(" true ")
    assert not pgfacts.always_true("expired")
    assert pgfacts.is_system_catalog(ops.Name("pg_index"))
    assert not pgfacts.is_system_catalog(ops.Name("pg_index", "app"))


REWRITE_FIXTURES = sorted(
    entry
    for rule in ("changing-column-type", "adding-field-with-default")
    for entry in (REPO / "fixtures" / "sql" / rule).iterdir()
)


@pytest.mark.parametrize("entry", REWRITE_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_rewrite_rule_fixtures_rewrite_exactly_when_flagged(db: Any, entry: Path) -> None:
    """Replayed on PostgreSQL in a session whose TimeZone is not UTC, a clean entry's
    last file keeps the file of every table and index, and a flagged one's gives some
    table or index a new one."""
    *earlier, judged = sorted(entry.glob("*.sql"))
    db.execute("SET TimeZone = 'Europe/Paris'")
    for migration in earlier:
        db.execute(migration.read_text())
    files = "SELECT relname::text, relfilenode FROM pg_class WHERE relkind IN ('r', 'i')"
    files += " AND relnamespace = 'public'::regnamespace ORDER BY 1"
    before = db.execute(files).fetchall()
    db.execute(judged.read_text())
    kept = [relation for relation in db.execute(files).fetchall() if relation in before]
    assert (kept != before) == entry.name.startswith("flagged_")


@pytest.mark.parametrize("new", ["text", "varchar", "varchar(20)"])
def test_bytea_to_a_string_type_keeps_the_hex_escape_text(db: Any, new: str) -> None:
    db.execute("SET bytea_output = 'hex'")
    db.execute("CREATE TABLE t (c bytea)")
    db.execute("INSERT INTO t VALUES ('abc'::bytea)")
    db.execute(f"ALTER TABLE t ALTER COLUMN c TYPE {new}")  # no USING: it succeeds
    assert db.execute("SELECT c FROM t").fetchone() == ("\\x616263",)
    effect = narrowing(column_type("bytea"), column_type(new))
    assert effect is not None and "hex escape text" in effect
