"""The catalog (migralint/schema.py) against PostgreSQL itself: after the same migrations,
what it knows of constraints, indexes, foreign keys, collations and partitions is what
the database has."""

from __future__ import annotations

from typing import Any

import pytest

from migralint.config import Settings
from migralint.engine import Linter
from migralint.migration import FileInfo
from migralint.schema import Catalog
from migralint.sql import ops

RENAMES = """
CREATE TABLE t (
  id bigint PRIMARY KEY,
  a text UNIQUE CHECK (a <> 'a' AND aa <> '') CHECK (a IS NOT NULL AND length(a) > 1),
  aa text,
  n int,
  EXCLUDE USING btree (n WITH =) WHERE (a <> '')
);
CREATE FUNCTION a(text) RETURNS text IMMUTABLE LANGUAGE sql AS 'SELECT $1';
CREATE UNIQUE INDEX t_expr ON t (a(a), lower("a") text_pattern_ops, aa DESC) INCLUDE (a)
  WHERE a <> 'a';
CREATE INDEX t_pair ON t (aa, a);
CREATE TABLE u (id int PRIMARY KEY, ta text REFERENCES t (a));
ALTER TABLE t RENAME COLUMN a TO b;
ALTER TABLE t RENAME COLUMN b TO "Mixed Case";
ALTER TABLE t RENAME TO renamed;
"""

DEFINITIONS = """
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
  WHERE conrelid = 'renamed'::regclass AND contype IN ('u', 'c', 'x')
UNION ALL
SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index AS i
  JOIN pg_class AS c ON c.oid = i.indexrelid
  WHERE i.indrelid = 'renamed'::regclass AND NOT i.indisprimary
    AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = i.indexrelid)
ORDER BY 1
"""


def replayed(sql: str) -> Catalog:
    catalog = Catalog()
    Linter([], Settings()).lint_source(sql, FileInfo(path="m.sql", dialect="postgres"), catalog)
    return catalog


def test_renamed_column_and_table_statements_rebuild_what_postgres_has(db: Any) -> None:
    db.execute(RENAMES)
    before = db.execute(DEFINITIONS).fetchall()
    db.execute("ALTER TABLE u DROP CONSTRAINT u_ta_fkey")  # it needs t_a_key
    for name, definition in before:
        if definition.startswith("CREATE"):
            db.execute(f'DROP INDEX "{name}"')
        else:
            db.execute(f'ALTER TABLE renamed DROP CONSTRAINT "{name}"')
    statements = replayed(RENAMES).index_statements(ops.Name("renamed"))
    assert statements is not None
    db.execute(statements)
    # The exclusion constraint is not among the statements a plan carries: rebuilt by hand.
    assert db.execute(DEFINITIONS).fetchall() == [
        d for d in before if not d[1].startswith("EXCLUDE")
    ]


def test_renames_reach_foreign_keys_constraints_and_index_columns() -> None:
    catalog = replayed(RENAMES)
    table = catalog.table(ops.Name("renamed"))
    assert table is not None and catalog.table(ops.Name("t")) is None
    fk = catalog.tables["u"].constraints["u_ta_fkey"].references
    assert fk == ops.ForeignKeyRef(ops.Name("renamed"), ("Mixed Case",))
    assert table.constraints["t_a_key"].columns == ("Mixed Case",)
    assert table.constraints["t_check"].expression == "\"Mixed Case\" <> 'a' AND aa <> ''"
    assert table.constraints["t_exclude"].expression == (
        "EXCLUDE USING btree(n WITH =) WHERE (\"Mixed Case\" <> '')"
    )
    expr = catalog.index_definitions["t_expr"]
    assert expr.table == ops.Name("renamed")
    assert expr.columns == ('A("Mixed Case")', 'LOWER("Mixed Case")', "aa")
    assert expr.where == "\"Mixed Case\" <> 'a'"
    assert catalog.has_index_starting_with(ops.Name("renamed"), ("aa", "Mixed Case"))


def test_a_not_null_proof_is_a_valid_check_that_rejects_null() -> None:
    """pgfacts.null_rejected decides (a conjunct `c IS NOT NULL` proves it, an OR does
    not), once the CHECK is valid, under the column's current name."""
    catalog = replayed(
        "CREATE TABLE t (a int, b int, c int);\n"
        "ALTER TABLE t ADD CONSTRAINT a_nn CHECK (a IS NOT NULL AND a > 0);\n"
        "ALTER TABLE t ADD CONSTRAINT b_nn CHECK (b IS NULL OR b IS NOT NULL);\n"
        "ALTER TABLE t ADD CONSTRAINT c_nn CHECK (NOT (c IS NULL)) NOT VALID;\n"
    )
    t = ops.Name("t")
    assert [catalog.has_valid_not_null_check(t, c) for c in "abc"] == [True, False, False]
    catalog.apply(replayed_op("ALTER TABLE t VALIDATE CONSTRAINT c_nn;"))
    catalog.apply(replayed_op("ALTER TABLE t RENAME COLUMN a TO z;"))
    assert [catalog.has_valid_not_null_check(t, c) for c in "azc"] == [False, True, True]


def replayed_op(sql: str) -> ops.Op:
    from migralint.sql.parse import parse_statement
    from migralint.sql.split import split_statements

    [stmt] = split_statements(sql).statements
    [op] = parse_statement(stmt, "m.sql")
    return op


RECREATED = """
CREATE TABLE p (id int PRIMARY KEY);
CREATE TABLE old (x int UNIQUE, p int REFERENCES p);
CREATE UNIQUE INDEX old_x ON old (x);
CREATE TABLE child (o int REFERENCES old (x));
DROP TABLE old CASCADE;
CREATE TABLE old (x int, p int);
"""


def test_a_recreated_table_has_none_of_the_dropped_ones_indexes_or_keys(db: Any) -> None:
    db.execute(RECREATED)
    left = db.execute(
        "SELECT count(*) FROM pg_index WHERE indrelid = 'old'::regclass UNION ALL "
        "SELECT count(*) FROM pg_constraint WHERE conrelid = 'child'::regclass"
    ).fetchall()
    assert left == [(0,), (0,)]
    catalog = replayed(RECREATED)
    old = ops.Name("old")
    assert catalog.index_statements(old) is None
    assert catalog.index_table(ops.Name("old_x")) is None
    assert not catalog.is_unique_key(old, "x")
    assert not catalog.has_index_starting_with(old, ("x",))
    assert catalog.tables["child"].constraints == {}


COLLATIONS = """
CREATE TABLE t (
  a text COLLATE "C",
  b varchar(5) COLLATE pg_catalog."POSIX",
  c text COLLATE "default",
  d text,
  e text COLLATE "C"
);
ALTER TABLE t ADD COLUMN f text COLLATE "C", ALTER COLUMN d TYPE varchar(9) COLLATE "POSIX";
ALTER TABLE t ALTER COLUMN e TYPE varchar(9);
ALTER TABLE t RENAME COLUMN a TO g;
"""


def test_collations_are_postgres_ones(db: Any) -> None:
    db.execute(COLLATIONS)
    found = db.execute(
        "SELECT a.attname, CASE WHEN a.attcollation <> t.typcollation THEN c.collname END "
        "FROM pg_attribute AS a JOIN pg_type AS t ON t.oid = a.atttypid "
        "JOIN pg_collation AS c ON c.oid = a.attcollation "
        "WHERE a.attrelid = 't'::regclass AND a.attnum > 0 ORDER BY 1"
    ).fetchall()
    columns = replayed(COLLATIONS).tables["t"].columns
    assert found == sorted((name, state.collation) for name, state in columns.items())
    assert columns["g"].collation == "C"  # the rename keeps it


PARTITIONS = """
CREATE TABLE r (id int, at date, k int) PARTITION BY RANGE (at);
CREATE TABLE r_2024 PARTITION OF r FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')
  PARTITION BY LIST (k);
CREATE TABLE r_2024_1 PARTITION OF r_2024 FOR VALUES IN (1);
CREATE TABLE r_2000 PARTITION OF r FOR VALUES FROM ('2000-01-01') TO ('2001-01-01');
CREATE TABLE "Other" (id int) PARTITION BY HASH (id);
CREATE TABLE plain (id int, note text DEFAULT 'PARTITION BY x');
ALTER TABLE r RENAME TO readings;
ALTER TABLE readings DETACH PARTITION r_2000;
"""


@pytest.mark.parametrize("dropped", [False, True])
def test_partitioning_is_postgres_one(db: Any, dropped: bool) -> None:
    sql = PARTITIONS + ("DROP TABLE readings;\n" if dropped else "")
    db.execute(sql)
    found = db.execute(
        "SELECT c.relname, c.relkind = 'p', p.relname FROM pg_class AS c "
        "LEFT JOIN pg_inherits AS i ON i.inhrelid = c.oid "
        "LEFT JOIN pg_class AS p ON p.oid = i.inhparent "
        "WHERE c.relkind IN ('r', 'p') AND c.relnamespace = 'public'::regnamespace ORDER BY 1"
    ).fetchall()
    tables = replayed(sql).tables
    assert found == sorted((name, t.partitioned, t.parent) for name, t in tables.items())


DROPPED_COLUMNS = """
CREATE TABLE t (
  id bigint PRIMARY KEY, a text UNIQUE CHECK (a <> ''), b int CHECK (b > 0), c int,
  UNIQUE (b, c), CHECK (a IS NOT NULL), EXCLUDE USING btree (c WITH =) WHERE (a <> 'x')
);
CREATE INDEX t_a ON t (lower(a));
CREATE INDEX t_c ON t (c) WHERE a <> '';
CREATE INDEX t_b ON t (b) INCLUDE (a);
CREATE INDEX t_bc ON t (b, c);
CREATE TABLE u (id int, ta text REFERENCES t (a), tb int REFERENCES t, tc int, tbc int,
  FOREIGN KEY (tc, tbc) REFERENCES t (b, c));
ALTER TABLE t DROP COLUMN a CASCADE;
ALTER TABLE t DROP COLUMN id CASCADE;
ALTER TABLE t RENAME COLUMN c TO a;
"""


def test_a_dropped_column_takes_its_indexes_constraints_and_foreign_keys(db: Any) -> None:
    db.execute(DROPPED_COLUMNS)
    constraints = db.execute(
        "SELECT conrelid::regclass::text, conname FROM pg_constraint "
        "WHERE conrelid IN ('t'::regclass, 'u'::regclass) ORDER BY 1, 2"
    ).fetchall()
    indexes = db.execute(
        "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 't'::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = indexrelid) ORDER BY 1"
    ).fetchall()
    catalog = replayed(DROPPED_COLUMNS)
    assert constraints == sorted(
        (table, name) for table in ("t", "u") for name in catalog.tables[table].constraints
    )
    assert indexes == [(name,) for name in sorted(catalog.index_definitions)]
    assert catalog.has_index_starting_with(ops.Name("t"), ("b", "a"))
    assert not catalog.has_index_starting_with(ops.Name("t"), ("a",))


@pytest.mark.parametrize(
    ("condition", "old", "new", "renamed"),
    [
        (
            "text <> ''::text AND length(text) > 0",
            "text",
            "body",
            "body <> ''::text AND length(body) > 0",
        ),
        (
            "\"a\" > 0 OR t.a IS NULL OR aa = 'a'",
            "a",
            "select",
            '"select" > 0 OR t."select" IS NULL OR aa = \'a\'',
        ),
        ("a(b) > 0", "a", "z", "a(b) > 0"),
        ("not sql ((", "a", "z", "not sql (("),
    ],
)
def test_a_rename_changes_only_the_column_references(
    condition: str, old: str, new: str, renamed: str
) -> None:
    from migralint.sql.references import rename_in_expression

    assert rename_in_expression(condition, old, new) == renamed


@pytest.mark.parametrize(
    ("condition", "old", "renamed"),
    [
        ('"A""b" > 0', 'A"b', "z > 0"),  # a doubled quote: not written as the name
        ('"Mixed" > 0 AND MIXED > 1', "mixed", '"Mixed" > 0 AND z > 1'),  # folded case
    ],
)
def test_a_rename_finds_names_written_otherwise(condition: str, old: str, renamed: str) -> None:
    from migralint.sql.references import rename_in_expression

    assert rename_in_expression(condition, old, "z") == renamed


def test_a_rename_of_a_name_the_text_cannot_hold_parses_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A column renamed on a table re-parses only the indexes and checks that name it."""
    from migralint.sql import references

    def refuse(text: str) -> None:
        raise AssertionError(f"parsed {text!r}")

    monkeypatch.setattr(references, "_tree", refuse)
    index = "CREATE INDEX i ON t (b, lower(email)) WHERE c > 0"
    assert references.rename_in_index(index, "a", "z") == index
    assert references.rename_index_columns(index, ("b", "lower(email)"), "a", "z") == (
        "b",
        "lower(email)",
    )
    assert references.rename_in_expression("c > 0", "a", "z") == "c > 0"
    assert references.rename_index_table(index, "u", "v") == index
