"""The fast DDL readers (`sql/fast_ddl.py`) give exactly the Ops of the sqlglot path.

Differential: each statement is read twice, by `parse_statement` as the engine calls it
and with `fast=False`, which sends it to sqlglot; the Ops must be equal (dataclass
equality, locations included). Run on every fixture statement, on a slice of the shared
corpus when it is present, on every word sqlglot's reader knows in every name position,
and on every type and default spelling the readers write themselves.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from helpers import CORPUS, REPO
from hypothesis import given, settings
from hypothesis import strategies as st

from migralint.sql import fast_ddl, ops
from migralint.sql.normalise import blank_comments
from migralint.sql.parse import parse_statement
from migralint.sql.split import split_statements

DIALECTS = sorted(fast_ddl.DIALECTS)


def same_both_ways(sql: str, path: str = "m.sql", dialect: str = "postgres") -> int:
    """Assert that every statement of `sql` the fast readers read reads the same with
    sqlglot (any other takes the same code path both ways); how many they read."""
    read = 0
    for stmt in split_statements(sql, dialect).statements:
        if not fast_reads(stmt.text, dialect):
            continue
        read += 1
        fast = parse_statement(stmt, path, dialect)
        assert fast == parse_statement(stmt, path, dialect, fast=False), f"{path}:{stmt.line}"
    return read


def fast_reads(statement: str, dialect: str = "postgres") -> bool:
    """Do the fast readers read this statement (rather than leave it to sqlglot)?"""
    text = blank_comments(statement, dialect)
    return fast_ddl.read_ddl(text, ops.Location("m.sql", 1, 1, 1, 1)) is not None


def sql_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and ".sql" in p.name)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_fixture_statement_reads_the_same(dialect: str) -> None:
    read = sum(
        same_both_ways(path.read_text(encoding="utf-8", errors="replace"), str(path), dialect)
        for path in sql_files(REPO / "fixtures")
    )
    assert read > 100  # the fixtures exercise the fast readers, not only the fallback


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared corpus is not at {CORPUS}")
def test_a_corpus_slice_reads_the_same() -> None:
    """Every fourth SQL file of the corpus, whatever its engine (the readers must agree
    with sqlglot on any text, or leave it to sqlglot)."""
    read = sum(
        same_both_ways(path.read_text(encoding="utf-8", errors="replace"), str(path))
        for path in sql_files(CORPUS)[::4]
    )
    assert read > 1000


# Every name position the readers know, one word in all of them.
NAME_TEMPLATES = (
    "CREATE TABLE {w} ({w} int CONSTRAINT {w} REFERENCES {w}.{w} ({w}) NOT NULL, {w} text, "
    "CONSTRAINT {w} UNIQUE ({w}), FOREIGN KEY ({w}) REFERENCES {w}, PRIMARY KEY ({w}))",
    "CREATE UNIQUE INDEX {w} ON {w} USING {w} ({w} DESC, {w}) INCLUDE ({w})",
    "ALTER TABLE {w} ADD COLUMN {w} int, DROP COLUMN {w}, DROP {w} CASCADE, ALTER COLUMN {w} "
    "SET NOT NULL, ALTER {w} TYPE text, ALTER {w} SET DEFAULT 0, DROP CONSTRAINT {w}, "
    "ADD {w} int, ADD CONSTRAINT {w} FOREIGN KEY ({w}) REFERENCES {w}.{w} ({w})",
    "ALTER TABLE t RENAME {w} TO {w}",
    "ALTER TABLE {w} RENAME TO {w}",
    "ALTER TABLE {w} RENAME CONSTRAINT {w} TO {w}",
    "CREATE INDEX i ON t (a) WHERE {w} IS NULL",
    "CREATE INDEX i ON t (a) WHERE ({w} IS NOT NULL)",
    "ALTER TABLE t ALTER {w} TYPE int USING {w}::int, ALTER c TYPE text USING {w}",
)


def sqlglot_words() -> set[str]:
    """Every word of sqlglot's PostgreSQL tokenizer and parser tables."""
    from sqlglot.dialects.postgres import Postgres

    found: set[str] = set()
    for table in (Postgres.Tokenizer, Postgres.Parser):
        for attribute in dir(table):
            value = getattr(table, attribute, None)
            if isinstance(value, (dict, set, frozenset)):
                keys = (k for k in value if isinstance(k, str))
                found.update(w for k in keys for w in k.split() if re.fullmatch(r"\w+", w))
    return found


def test_every_word_sqlglot_knows_reads_the_same_as_a_name() -> None:
    """A bare word is a name for the fast readers unless it is in NOT_NAMES: every word
    sqlglot gives a meaning of its own must read the same in every name position."""
    words = sqlglot_words() | {w.lower() for w in fast_ddl.NOT_NAMES}
    read = sum(
        same_both_ways(template.format(w=word.lower()))
        for word, template in itertools.product(sorted(words), NAME_TEMPLATES)
    )
    assert read > len(words)


TYPES = [
    *(" ".join(spelling) for spelling in fast_ddl.TYPES),
    *fast_ddl.ZONED,
    *(f"{base} {zone} time zone" for base in fast_ddl.ZONED for zone in ("with", "without")),
    '"Status"',
    '"My ""odd"" type"',
    '"public"."Status"',
    '"pg_catalog"."text"',
    '"app"."Status"',
    '"a"."b"."c"',
    '"serial8"',
    '"varbit"',
    'public."Status"',
]


NOT_READ_TYPES = {'"a"."b"."c"', '"serial8"', '"varbit"', 'public."Status"'}  # left to sqlglot


@pytest.mark.parametrize("spelling", TYPES)
def test_every_type_spelling_reads_the_same(spelling: str) -> None:
    forms = [spelling, spelling.upper(), spelling.title()] if '"' not in spelling else [spelling]
    params = ["", "(4)", "(10, 2)", "(10,2)", "( 3 )"]
    read = 0
    arrays = ["", "[]", " ARRAY", " array", " ARRAY[4]"]
    for form, param, array in itertools.product(forms, params, arrays):
        words = form.split(" ", 1)
        typed = f"{words[0]}{param} {words[1]}" if len(words) > 1 else form + param
        for written in {typed, form + param}:  # parameters inside and after the words
            read += same_both_ways(
                f"CREATE TABLE t (c {written}{array});\n"
                f"ALTER TABLE t ALTER COLUMN c TYPE {written}{array}, ADD d {written}{array};\n"
                f"ALTER TABLE t ALTER c TYPE {written}{array} USING c::{written}{array}::text;\n"
                f"ALTER TABLE t ADD e text DEFAULT 'x'::{written}{array}"
            )
    assert read or spelling in NOT_READ_TYPES


DEFAULTS = [
    *fast_ddl.CONSTANTS,
    *(f"{call}()" for call in fast_ddl.CALLS),
    *(f"{call.lower()}()" for call in fast_ddl.CALLS),
    "0",
    "-1",
    "- 1",
    "12.50",
    "0.0001",
    "''",
    "'it''s'",
    "'café'",
    "'{}'::jsonb",
    "'[]'::JSONB",
    "'{}'::text[]",
    "'A'::\"Status\"",
    "'x'::character varying",
    "'2000-01-01'::timestamp without time zone",
    "NULL::text",
    "ARRAY[]::text[]",
    "ARRAY[]",
    "1::bigint",
    "now()::timestamp",
    "(now())",
    "E'a\\nb'",
    "'a\\b'",
    "nextval('s'::regclass)",
]


@pytest.mark.parametrize("default", DEFAULTS)
def test_every_default_spelling_reads_the_same(default: str) -> None:
    same_both_ways(
        f"CREATE TABLE t (c text DEFAULT {default} NOT NULL, d int NOT NULL DEFAULT {default});\n"
        f"ALTER TABLE t ALTER COLUMN c SET DEFAULT {default};\n"
        f"ALTER TABLE t ADD COLUMN IF NOT EXISTS e text DEFAULT {default}"
    )


READ_FAST = [
    'CREATE TABLE "TaskRun" ("id" TEXT NOT NULL, "status" "TaskRunStatus" NOT NULL DEFAULT '
    "'PENDING', \"createdAt\" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, "
    'CONSTRAINT "TaskRun_pkey" PRIMARY KEY ("id"))',
    "CREATE INDEX ON t (a)",
    "CREATE TABLE IF NOT EXISTS public.person (id serial PRIMARY KEY, name varchar(255) NOT "
    "NULL UNIQUE, team_id int REFERENCES team (id) ON DELETE CASCADE ON UPDATE NO ACTION, "
    "n bigint GENERATED BY DEFAULT AS IDENTITY, at timestamp with time zone DEFAULT now())",
    'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "TaskRun_key" ON ONLY "TaskRun" USING '
    'btree ("friendlyId" DESC NULLS LAST, b)',
    'ALTER TABLE "TaskRun" ADD CONSTRAINT "TaskRun_fk" FOREIGN KEY ("projectId") REFERENCES '
    '"Project"("id") ON DELETE RESTRICT ON UPDATE CASCADE',
    "ALTER TABLE ONLY t ADD CONSTRAINT t_fk FOREIGN KEY (a) REFERENCES u (id) NOT VALID",
    "ALTER TABLE IF EXISTS t ADD COLUMN IF NOT EXISTS a text NOT NULL DEFAULT '', "
    "DROP COLUMN IF EXISTS b CASCADE, ALTER COLUMN c DROP NOT NULL, ALTER c SET DATA TYPE bigint",
    "ALTER TABLE t DROP CONSTRAINT IF EXISTS t_pkey, ADD PRIMARY KEY (a, b)",
    "ALTER TABLE t RENAME COLUMN a TO b",
    "ALTER TABLE s.t RENAME TO u",
    'ALTER TABLE t RENAME CONSTRAINT a_fkey TO "B_fkey"',
    'CREATE TABLE "Café" ("naïve" text)',
    'CREATE TABLE "public"."Run" ("status" "public"."RunStatus" NOT NULL DEFAULT \'A\'::"public"."RunStatus")',
    'ALTER TABLE t ALTER COLUMN "At" TYPE timestamptz USING "At"::timestamp::timestamptz',
    "ALTER TABLE t ALTER COLUMN a TYPE timestamptz USING b",
    "CREATE INDEX i ON t (a) WHERE (b IS NOT NULL)",
    'CREATE INDEX i ON t (a) WHERE "deletedAt" IS NULL',
    'ALTER TABLE "t" ADD COLUMN "tags" TEXT[] DEFAULT ARRAY[]::TEXT[]',
    "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (b) MATCH SIMPLE ON DELETE "
    "SET NULL DEFERRABLE INITIALLY DEFERRED",
]


@pytest.mark.parametrize("sql", READ_FAST)
def test_frequent_shapes_are_read_fast_and_the_same(sql: str) -> None:
    assert fast_reads(sql)
    same_both_ways(sql)


LEFT_TO_SQLGLOT = [
    "CREATE TABLE t (a int CHECK (a > 0))",  # an expression, written by sqlglot
    "CREATE TABLE t (a citext)",  # a bare user-defined type
    "CREATE TABLE t (a int) PARTITION BY RANGE (a)",
    "CREATE TEMP TABLE t (a int)",
    "CREATE TABLE t (LIKE u)",
    'CREATE TABLE t (a text COLLATE "C")',
    "CREATE INDEX i ON t (lower(a))",
    "CREATE INDEX i ON t (a) WHERE deleted_at = 0",
    "CREATE INDEX i ON t (a) WITH (fillfactor = 70)",
    "ALTER TABLE t ALTER COLUMN a TYPE bigint USING a + 1",
    "ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX i",
    "ALTER TABLE t ADD CONSTRAINT p PRIMARY KEY (a) NOT VALID",
    "ALTER TABLE t ADD COLUMN a int, RENAME COLUMN b TO c",
    "ALTER TABLE t ADD COLUMN a text DEFAULT E'x'",
    "ALTER TABLE t ALTER COLUMN a SET DEFAULT lower('X')",
    "ALTER TABLE t OWNER TO admin",
    "CREATE TABLE t (a\u00a0int)",  # white space sqlglot may read otherwise
    "CREATE TABLE t (a varchar(\u0663))",  # a digit, but not an ASCII one
]


@pytest.mark.parametrize("sql", LEFT_TO_SQLGLOT)
def test_other_shapes_are_left_to_sqlglot(sql: str) -> None:
    assert not fast_reads(sql)


# Random statements of the readers' shapes (and near them): any they read must read
# the same. Pieces combine in any order and number, as a migration may write them.
NAMES = st.sampled_from(["a", "b", '"Q"', "key", "public.t", '"s"."T"'])
TYPES_ = st.sampled_from(
    [
        "int",
        "text",
        "varchar(3)",
        "numeric(4, 2)",
        '"E"',
        "text[]",
        "timestamp(3) with time zone",
        "serial",
        "bigint",
        "citext",
    ]
)
DEFAULT_VALUES = st.sampled_from(
    ["0", "-1", "'x'", "'x'::text", "now()", "NULL", "TRUE", "ARRAY[]::text[]", "1::int", "(1)"]
)
COLUMN_CLAUSES = st.one_of(
    st.sampled_from(
        [
            "NOT NULL",
            "NULL",
            "PRIMARY KEY",
            "UNIQUE",
            "REFERENCES u",
            "REFERENCES u (id) ON DELETE CASCADE",
            "GENERATED ALWAYS AS IDENTITY",
            "CONSTRAINT k UNIQUE",
            "CONSTRAINT k NOT NULL",
            "CHECK (a > 0)",
            "DEFERRABLE",
            'COLLATE "C"',
        ]
    ),
    DEFAULT_VALUES.map("DEFAULT {}".format),
)
COLUMNS = st.builds(
    lambda n, t, cs: " ".join([n, t, *cs]), NAMES, TYPES_, st.lists(COLUMN_CLAUSES, max_size=4)
)
TABLE_CONSTRAINTS = st.sampled_from([
    "PRIMARY KEY (a)", "CONSTRAINT k PRIMARY KEY (a, b)", "UNIQUE (a)",
    "FOREIGN KEY (a) REFERENCES u (id) ON UPDATE NO ACTION", "CONSTRAINT c CHECK (a > 0)",
])  # fmt: skip
ACTIONS = st.one_of(
    COLUMNS.map("ADD COLUMN {}".format),
    COLUMNS.map("ADD COLUMN IF NOT EXISTS {}".format),
    COLUMNS.map("ADD {}".format),
    TABLE_CONSTRAINTS.map("ADD {}".format),
    st.builds("DROP {} {} {}".format, st.sampled_from(["", "COLUMN", "CONSTRAINT"]),
              st.sampled_from(["", "IF EXISTS"]), NAMES),
    st.builds("ALTER COLUMN {} {}".format, NAMES, st.one_of(
        st.sampled_from(["SET NOT NULL", "DROP NOT NULL", "DROP DEFAULT"]),
        DEFAULT_VALUES.map("SET DEFAULT {}".format),
        TYPES_.map("TYPE {}".format),
        st.builds("TYPE {} USING {}::{}".format, TYPES_, NAMES, TYPES_),
    )),
)  # fmt: skip
STATEMENTS = st.one_of(
    st.builds("CREATE TABLE {} ({})".format, NAMES,
              st.lists(st.one_of(COLUMNS, TABLE_CONSTRAINTS), min_size=1, max_size=4).map(", ".join)),
    st.builds("ALTER TABLE {} {}{}".format, NAMES,
              st.lists(ACTIONS, min_size=1, max_size=3).map(", ".join),
              st.sampled_from(["", " NOT VALID"])),
    st.builds("CREATE {}INDEX {} ON {} ({}){}".format, st.sampled_from(["", "UNIQUE "]),
              st.sampled_from(["i", "CONCURRENTLY i", "IF NOT EXISTS i", ""]), NAMES,
              st.lists(st.sampled_from(["a", '"Q" DESC', "b NULLS LAST", "lower(a)"]),
                       min_size=1, max_size=3).map(", ".join),
              st.sampled_from(["", " WHERE a IS NULL", " WHERE (b IS NOT NULL)", " WHERE a = 1"])),
)  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(sql=STATEMENTS)
def test_random_statements_of_these_shapes_read_the_same(sql: str) -> None:
    same_both_ways(sql)
