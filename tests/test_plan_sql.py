"""The planner's shared SQL building blocks: quoting, comments, dollar quotes, durations,
generated names, and the batched backfill on a real PostgreSQL."""

from __future__ import annotations

import threading
import time
from typing import Any

import psycopg
import pytest

from migralint.plan import mysql, sql
from migralint.plan.model import PlanError, comment, shown
from migralint.sql.ops import Name
from migralint.sql.split import split_statements

HOSTILE = [
    'we"ird',
    "back\\slash",
    "line\nbreak",
    "carriage\rreturn",
    "dollar$sign",
    "$sync$",
    "$backfill$",
    "dash -- dash",
    "star */ star",
    "Ünïcødé ✓",
    "n\nDROP TABLE students; --",
    "x" * 63,
]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_identifiers_round_trip_through_postgresql(
    db: psycopg.Connection[Any], name: str
) -> None:
    """A table and a column named `name` are created and read back under that exact name."""
    db.execute(f"CREATE TABLE {sql.ident(name)} ({sql.ident(name)} text)")
    assert db.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0",
        (sql.ident(name),),
    ).fetchall() == [(name,)]
    assert db.execute(f"SELECT {sql.literal(name)}").fetchone() == (name,)


@pytest.mark.parametrize("name", ["", "nul\0byte", "x" * 64, "é" * 32])
def test_identifiers_postgresql_cannot_keep_are_refused(name: str) -> None:
    with pytest.raises(PlanError):
        sql.ident(name)


@pytest.mark.parametrize(
    "text",
    [
        "it's",
        "back\\slash\\",
        "\\'; DROP TABLE x; --",
        "a\nb\r\n-- migrate:down",
        "tab\tvt\x0bnel\x85ls\u2028rlo\u202e",
        "emoji \U0001f600\u200b",
    ],
)
@pytest.mark.parametrize("conforming", ["on", "off"])
def test_literals_read_back_whatever_standard_conforming_strings(
    db: psycopg.Connection[Any], text: str, conforming: str
) -> None:
    db.execute(f"SET standard_conforming_strings = {conforming}")
    assert db.execute(f"SELECT {sql.literal(text)}").fetchone() == (text,)
    assert "\n" not in sql.literal(text) and "\r" not in sql.literal(text)  # one line


def test_a_literal_with_a_nul_is_refused() -> None:
    with pytest.raises(PlanError, match="NUL"):
        sql.literal("a\0b")


def test_comments_keep_every_line_a_comment(db: psycopg.Connection[Any]) -> None:
    """Line breaks become comment lines; CR, U+2028 and other controls are escaped."""
    text = "drop n\nDROP TABLE students; --\rDROP TABLE x;\u2028\x0bend"
    rendered = comment(text)
    assert rendered == "-- drop n\n-- DROP TABLE students; --\\rDROP TABLE x;\\u2028\\x0bend"
    db.execute("CREATE TABLE students (id int)")
    db.execute(f"{rendered}\nSELECT 1;")
    assert db.execute("SELECT to_regclass('students')").fetchone() == ("students",)
    # the report's escapes (report/escape.visible), and every other format character
    assert shown("a\tb\x00\u202e\udcff") == "a\\tb\\x00\\u202e\\xff"
    assert shown("zero\u200bwidth\u200emark\U000e0001") == (
        "zero\\u200bwidth\\u200emark\\U000e0001"
    )


@pytest.mark.parametrize(
    "body", ["plain", "has $sync$ inside", "ends with $sync", "$sync$ and $sync_1$", "$sync_1"]
)
def test_dollar_quote_tags_never_occur_in_the_body(db: psycopg.Connection[Any], body: str) -> None:
    quoted = sql.dollar_quoted(body, "sync")
    assert db.execute(f"SELECT {quoted}").fetchone() == (body,)


@pytest.mark.parametrize(
    ("text", "rendered"),
    [
        ("2s", "'2s'"),
        (" 500 ms ", "'500ms'"),
        ("1.5min", "'90000ms'"),
        ("3000", "'3000ms'"),
        ("1h", "'1h'"),
        ("2d", "'2d'"),
    ],
)
def test_durations_are_re_rendered(db: psycopg.Connection[Any], text: str, rendered: str) -> None:
    assert sql.duration(text) == rendered
    db.execute(f"SET lock_timeout = {rendered}")


@pytest.mark.parametrize(
    "text", ["", "2 seconds", "2s'; DROP TABLE x; --", "0", "0ms", "-1s", "30d", "1e3", "s"]
)
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(PlanError, match="--lock-timeout"):
        sql.duration(text)


def test_lock_timeout_is_local_to_the_transaction(db: psycopg.Connection[Any]) -> None:
    """golang-migrate sends a file as one query: SET LOCAL ends with it."""
    db.execute(f"{sql.lock_timeout('3s')}\nCREATE TABLE t (id int);")
    assert db.execute("SHOW lock_timeout").fetchone() == ("0",)


def test_generated_names_do_not_collide() -> None:
    assert sql.generated_name("a_b", "c") != sql.generated_name("a", "b_c")
    assert sql.generated_name("users", "email", "idx") == "users_email_idx"
    long = sql.generated_name("x" * 40, "y" * 40)
    assert len(long.encode()) == 63
    assert long != sql.generated_name("x" * 40, "y" * 39 + "z")
    assert len(sql.generated_name("é" * 40, "idx").encode()) <= 63


@pytest.mark.parametrize("size", [0, -1, 1_000_001])
def test_batch_sizes_out_of_range_are_refused(size: int) -> None:
    with pytest.raises(PlanError, match="--batch-size"):
        sql.backfill(Name("t"), "id", "b", "a", size, commit=True)


def _backfill(db: psycopg.Connection[Any], table: str, key: str, size: int = 3) -> None:
    db.execute(sql.backfill(Name(table), key, "b", sql.ident("a"), size, commit=True))


@pytest.mark.parametrize(
    ("key_type", "keys"),
    [
        ("uuid", "gen_random_uuid()"),
        ("text", "md5(g::text)"),
        ("bigint", "g"),
        ("timestamptz", "now() + g * interval '1 second'"),
    ],
)
def test_backfill_batches_any_orderable_key(
    db: psycopg.Connection[Any], key_type: str, keys: str
) -> None:
    db.execute(f"CREATE TABLE t (k {key_type} PRIMARY KEY, a int, b int)")
    db.execute(f"INSERT INTO t SELECT {keys}, g, NULL FROM generate_series(1, 10) AS g")
    _backfill(db, "t", "k")
    assert db.execute("SELECT count(*) FROM t WHERE b IS DISTINCT FROM a").fetchone() == (0,)


def test_backfill_fails_loudly_under_forced_row_level_security(
    db: psycopg.Connection[Any],
) -> None:
    """A role subject to row security must not see zero rows and report success."""
    db.execute("CREATE ROLE migrator")
    db.execute("CREATE TABLE t (id int PRIMARY KEY, a int, b int)")
    db.execute("INSERT INTO t SELECT g, g FROM generate_series(1, 5) AS g")
    db.execute("ALTER TABLE t OWNER TO migrator")
    db.execute("ALTER TABLE t ENABLE ROW LEVEL SECURITY")
    db.execute("ALTER TABLE t FORCE ROW LEVEL SECURITY")
    db.execute("SET ROLE migrator")
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        _backfill(db, "t", "id")
    db.execute("RESET ROLE")
    assert db.execute("SELECT count(*) FROM t WHERE b IS NULL").fetchone() == (5,)


def test_backfill_ends_by_checking_no_row_was_left(db: psycopg.Connection[Any]) -> None:
    """A row the batches could not fill (here a trigger blanks it again) is reported."""
    db.execute("CREATE TABLE t (id int PRIMARY KEY, a int, b int)")
    db.execute("INSERT INTO t SELECT g, g FROM generate_series(1, 5) AS g")
    db.execute(
        "CREATE FUNCTION blank() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN IF NEW.id = 4 THEN NEW.b := NULL; END IF; RETURN NEW; END $$"
    )
    db.execute("CREATE TRIGGER blank BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION blank()")
    with pytest.raises(psycopg.errors.RaiseException, match="1 rows of t still have no b"):
        _backfill(db, "t", "id")


def test_backfill_retries_a_batch_that_meets_a_lock_timeout(
    db: psycopg.Connection[Any], pg_server: Any
) -> None:
    """Another transaction holds a row lock for 0.5 s while the lock timeout is 0.1 s: the
    batch fails, waits and is retried until the lock is gone."""
    db.execute("CREATE TABLE t (id int PRIMARY KEY, a int, b int)")
    db.execute("INSERT INTO t SELECT g, g FROM generate_series(1, 10) AS g")
    locked = threading.Event()

    def hold_a_row_lock() -> None:
        with psycopg.connect(host=pg_server.host, user="postgres", dbname=db.info.dbname) as c:
            c.execute("SELECT * FROM t WHERE id = 5 FOR UPDATE")
            locked.set()
            time.sleep(0.5)

    holder = threading.Thread(target=hold_a_row_lock)
    holder.start()
    locked.wait()
    db.execute("SET lock_timeout = '100ms'")
    _backfill(db, "t", "id")
    holder.join()
    assert db.execute("SELECT count(*) FROM t WHERE b IS DISTINCT FROM a").fetchone() == (0,)


@pytest.mark.parametrize(("text", "seconds"), [("500ms", 1), ("2s", 2), ("1.5min", 90)])
def test_mysql_lock_wait_timeout_reads_the_same_durations(text: str, seconds: int) -> None:
    assert mysql.with_lock_wait_timeout(text, "DO 0;") == (
        f"SET SESSION lock_wait_timeout = {seconds};\n\nDO 0;\n\n"
        "SET SESSION lock_wait_timeout = DEFAULT;"
    )


@pytest.mark.parametrize("text", ["2s; DROP TABLE x", "0", "soon"])
def test_mysql_lock_wait_timeout_refuses_what_postgresql_would(text: str) -> None:
    with pytest.raises(PlanError, match="--lock-timeout"):
        mysql.with_lock_wait_timeout(text, "DO 0;")


@pytest.mark.parametrize("name", ["", "nul\0", "trailing ", "x" * 65])
def test_mysql_identifiers_it_cannot_keep_are_refused(name: str) -> None:
    with pytest.raises(PlanError):
        mysql.quote(name)


def test_mysql_quoting_doubles_backticks() -> None:
    assert mysql.quote("a`b") == "`a``b`"
    assert mysql.literal("it's \\") == "'it''s \\\\'"


def test_mysql_backfill_checks_the_batch_size() -> None:
    with pytest.raises(PlanError, match="--batch-size"):
        mysql.backfill(Name("t"), "id", "b", "a", 0)


@pytest.mark.parametrize("name", ["loop", "begin", "strict", "last_key", "migralint", "src"])
def test_backfill_and_sync_work_with_plpgsql_words_as_names(
    db: psycopg.Connection[Any], name: str
) -> None:
    """PL/pgSQL's own reserved words and the backfill's variable names as key and target."""
    q = sql.ident(name)
    db.execute(f"CREATE TABLE t ({q} int PRIMARY KEY, a int)")
    db.execute(f"CREATE TABLE u (id int PRIMARY KEY, a int, {q} int)")
    db.execute("INSERT INTO t SELECT g, g FROM generate_series(1, 5) AS g")
    db.execute("INSERT INTO u (id, a) SELECT g, g FROM generate_series(1, 5) AS g")
    db.execute(sql.backfill(Name("u"), "id", name, "a", 2, commit=True))
    assert db.execute(f"SELECT count(*) FROM u WHERE {q} = a").fetchone() == (5,)
    db.execute("ALTER TABLE t ADD COLUMN b int")
    db.execute(sql.backfill(Name("t"), name, "b", "a", 2, commit=True))
    db.execute(sql.sync_function(Name("t"), Name("f"), name, "a"))
    db.execute(sql.create_trigger(Name("t"), "sync", Name("f")))
    db.execute(f"INSERT INTO t ({q}) VALUES (100)")
    assert db.execute(f"SELECT a FROM t WHERE {q} = 100").fetchone() == (100,)


def test_no_comment_line_reads_as_a_tool_directive() -> None:
    """A name with a line break cannot forge dbmate's or migralint's markers."""
    assert comment("x\nmigrate:down\n  migralint: ignore-file x") == (
        "-- x\n-- \\migrate:down\n-- \\  migralint: ignore-file x"
    )


@pytest.mark.parametrize(
    "line",
    [
        "migrate:up",
        " migrate:down transaction:false",
        "MIGRALINT: ignore-file",
        "migralint :x",
        "squawk-ignore-file",
        "Squawk-Ignore ban-drop-column",
        "+goose Down",
        "+goose up",
    ],
)
def test_directive_look_alikes_are_escaped(line: str) -> None:
    assert comment(line) == f"-- \\{line}"


@pytest.mark.parametrize(
    "line", ["Migrate: fill name for existing rows", "migrate: up", "Migrate:down", "goose up"]
)
def test_ordinary_words_are_not_escaped(line: str) -> None:
    """dbmate reads `migrate:up`/`migrate:down` case-sensitively and nothing else."""
    assert comment(line) == f"-- {line}"


@pytest.mark.parametrize("name", [n for n in HOSTILE if len(n) < 60])
def test_each_block_is_exactly_its_statements_whatever_the_names(name: str) -> None:
    """Re-parsed, every building block holds the statements it means to, no more."""
    table, function = Name(name, name), Name(name + "_f", name)
    blocks = {
        sql.backfill(table, name, name + "_b", sql.ident(name), 10, commit=True): ["DO"],
        sql.sync_function(table, function, name, name + "_b"): ["CREATE OR REPLACE FUNCTION"],
        sql.create_trigger(table, name, function): ["DROP TRIGGER", "CREATE TRIGGER"],
        sql.drop_trigger(table, name, function): ["DROP TRIGGER", "DROP FUNCTION"],
        sql.guarded_constraint(table, name, "ALTER TABLE x ADD CHECK (true)"): ["DO"],
        sql.no_sql(f"about {name}"): ["SELECT"],
    }
    for block, expected in blocks.items():
        statements = [s.text.split() for s in split_statements(block).statements]
        assert [
            " ".join(words[: len(e.split())]) for words, e in zip(statements, expected, strict=True)
        ] == expected, block
