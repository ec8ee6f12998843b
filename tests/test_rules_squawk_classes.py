"""The PostgreSQL facts behind the fixtures added for squawk's rule classes (issue 10):
what rewrites a table and what PostgreSQL accepts, on a real PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from helpers import REPO

from migralint.config import Settings
from migralint.engine import lint_paths

FIXTURES = REPO / "fixtures" / "sql"


def filenode(db: Any, relation: str) -> Any:
    return db.execute("SELECT pg_relation_filenode(%s::regclass)", (relation,)).fetchone()


def run_each(db: Any, fixture: str) -> None:
    """Each statement of a fixture on its own, as a tool running it outside a transaction."""
    lines = (FIXTURES / fixture).read_text().splitlines()
    code = "\n".join(line for line in lines if not line.startswith("--"))
    for statement in filter(str.strip, code.split(";")):
        db.execute(statement)


def test_vacuum_full_false_keeps_the_table_and_full_rewrites_it(db: Any) -> None:
    db.autocommit = True  # VACUUM cannot run in a transaction block
    db.execute("CREATE TABLE accounts (id bigint)")
    before = filenode(db, "accounts")
    run_each(db, "vacuum-full/clean_full_false.sql")
    assert filenode(db, "accounts") == before
    run_each(db, "vacuum-full/flagged_full_option.sql")
    assert filenode(db, "accounts") != before


def test_widening_a_varchar_array_rewrites_the_table_unlike_a_varchar(db: Any) -> None:
    db.execute((FIXTURES / "prefer-text-field" / "flagged_varchar_array.sql").read_text())
    db.execute("ALTER TABLE posts ADD COLUMN title varchar(20)")
    before = filenode(db, "posts")
    db.execute("ALTER TABLE posts ALTER COLUMN title TYPE varchar(40)")
    assert filenode(db, "posts") == before
    db.execute("ALTER TABLE posts ALTER COLUMN tags TYPE varchar(40)[]")
    assert filenode(db, "posts") != before


def test_postgres_takes_parts_of_one_column_and_rejects_the_whole_beside_a_part(
    db: Any,
) -> None:
    base = FIXTURES / "ban-duplicate-column-assignments"
    db.execute("CREATE TYPE point2 AS (x int, y int)")
    db.execute("CREATE TABLE k (tags text[], location point2)")
    db.execute((base / "clean_parts_of_one_column.sql").read_text())
    db.execute("UPDATE k SET tags[1] = 'a', tags[1] = 'b'")  # one element twice: allowed too
    with pytest.raises(psycopg.errors.SyntaxError):
        db.execute((base / "flagged_whole_and_part.sql").read_text())


def test_postgres_cuts_names_to_63_bytes_so_two_long_names_are_one_column(db: Any) -> None:
    db.execute(f"CREATE TABLE k ({'a' * 63} int)")
    text = FIXTURES / "ban-duplicate-column-assignments" / "flagged_names_cut_to_63_bytes.sql"
    with pytest.raises(psycopg.errors.SyntaxError):
        db.execute(text.read_text())


def test_a_renamed_sequence_keeps_its_defaults_and_fails_callers_of_the_old_name(
    db: Any,
) -> None:
    db.execute("CREATE SEQUENCE order_numbers")
    db.execute("CREATE TABLE orders (id bigint DEFAULT nextval('order_numbers'), note text)")
    db.execute((FIXTURES / "rename-sequence" / "flagged_existing_sequence.sql").read_text())
    db.execute("INSERT INTO orders (note) VALUES ('the default follows the rename')")
    assert db.execute("SELECT id FROM orders").fetchone() == (1,)
    with pytest.raises(psycopg.errors.UndefinedTable):
        db.execute("SELECT nextval('order_numbers')")  # release N-1's call


def test_a_domain_constraint_not_valid_still_rejects_new_writes(db: Any) -> None:
    db.execute("CREATE DOMAIN positive_amount AS numeric")
    db.execute("CREATE TABLE payments (amount positive_amount)")
    db.execute("INSERT INTO payments VALUES (-1)")  # kept: NOT VALID skips existing rows
    flagged = FIXTURES / "new-write-restriction" / "flagged_domain_constraint.sql"
    db.execute(flagged.read_text())
    with pytest.raises(psycopg.errors.CheckViolation):
        db.execute("INSERT INTO payments VALUES (-2)")  # release N-1's write


def test_a_view_column_renamed_fails_queries_of_the_old_name_and_is_flagged(db: Any) -> None:
    db.execute("CREATE TABLE users (id bigint, full_name text)")
    db.execute("CREATE VIEW user_profiles AS SELECT id, full_name FROM users")
    fixture = FIXTURES / "rename-column" / "flagged_view_column.sql"
    db.execute(fixture.read_text())
    with pytest.raises(psycopg.errors.UndefinedColumn):
        db.execute("SELECT full_name FROM user_profiles")  # release N-1's query
    [finding] = lint_paths([fixture], Settings(select=("renaming-column",))).findings
    assert "column full_name of view user_profiles" in finding.message
    assert "CREATE OR REPLACE VIEW may append name" in finding.help


def test_routine_and_foreign_table_renames_reach_the_rename_rules(tmp_path: Path) -> None:
    sql = (
        "ALTER ROUTINE calculate_discount(numeric) RENAME TO discount_for;\n"
        "ALTER FOREIGN TABLE remote_users RENAME TO external_users;\n"
        "ALTER FOREIGN TABLE external_users RENAME COLUMN full_name TO name;\n"
        "ALTER MATERIALIZED VIEW totals RENAME total TO amount;\n"
    )
    (tmp_path / "001_renames.sql").write_text(sql)
    select = ("renaming-object", "renaming-table", "renaming-column")
    found = [(f.line, f.rule) for f in lint_paths([tmp_path], Settings(select=select)).findings]
    assert found == [
        (1, "rename-function"),
        (2, "rename-table"),
        (3, "rename-column"),
        (4, "rename-column"),
    ]


def test_drop_routine_drops_a_function_and_is_flagged_like_drop_function(db: Any) -> None:
    db.execute(
        "CREATE FUNCTION calculate_discount(numeric) RETURNS numeric AS 'SELECT $1' LANGUAGE sql"
    )
    fixture = FIXTURES / "drop-function" / "flagged_drop_routine.sql"
    db.execute(fixture.read_text())
    with pytest.raises(psycopg.errors.UndefinedFunction):
        db.execute("SELECT calculate_discount(1)")  # release N-1's call
    [finding] = lint_paths([fixture], Settings(select=("ban-drop-function",))).findings
    assert finding.rule == "drop-function" and "calculate_discount" in finding.message


def test_postgres_rejects_an_insert_listing_a_column_twice_and_takes_parts(db: Any) -> None:
    base = FIXTURES / "ban-duplicate-column-assignments"
    db.execute("CREATE TYPE point2 AS (x int, y int)")
    db.execute("CREATE TABLE k (a int, b int, tags text[], location point2)")
    db.execute((base / "clean_insert_parts_of_one_column.sql").read_text())
    with pytest.raises(psycopg.errors.DuplicateColumn):
        db.execute((base / "flagged_insert_column_list.sql").read_text())
    select = Settings(select=("ban-duplicate-column-assignments",))
    [finding] = lint_paths([base / "flagged_insert_column_list.sql"], select).findings
    assert finding.message == "INSERT INTO k lists a more than once: PostgreSQL rejects it"
