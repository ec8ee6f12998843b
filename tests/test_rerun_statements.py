"""Re-run safety judged per statement (issue 10): one statement is atomic, so a re-run
fails once, at the first action PostgreSQL runs that fails given what the statement
(and the file before it) left; every claim is checked by running the fixture twice on
a real PostgreSQL, statement by statement, as a tool running it without a transaction
does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from helpers import REPO

from migralint.config import Settings
from migralint.engine import lint_paths
from migralint.sql.split import split_statements

FIXTURES = REPO / "fixtures" / "sql"
RERUN_RULES = (
    "add-column-without-if-not-exists",
    "add-enum-value-without-if-not-exists",
    "concurrent-index-if-not-exists",
    "create-without-if-not-exists",
    "drop-without-if-exists",
)


def found(entry: Path, *select: str, **settings: Any) -> list[tuple[str, int, str, str]]:
    """(rule, line, message, help) of the selected rules on the last file of a set."""
    judged = entry if entry.is_file() else sorted(entry.glob("*.sql"))[-1]
    result = lint_paths([entry], Settings(select=select, **settings))
    return [
        (f.rule, f.line, f.message, f.help)
        for f in result.findings
        if f.rule in select and Path(f.path) == judged
    ]


def run_unwrapped(db: Any, path: Path) -> None:
    """Run the file's statements one by one, each committed (no transaction around)."""
    db.autocommit = True
    for statement in split_statements(path.read_text()).statements:
        db.execute(statement.text)


def migrations(entry: Path) -> list[Path]:
    return sorted(entry.glob("*.sql"))


def test_one_statement_adding_three_stored_columns_is_one_finding_per_rule(db: Any) -> None:
    entry = FIXTURES / "adding-generated-column" / "flagged_three_columns_one_statement"
    rules = ("adding-generated-column", "add-column-without-if-not-exists")
    [rerun, rewrite] = sorted(found(entry, *rules))
    assert (rerun[0], rewrite[0]) == rules[::-1]
    assert "3 stored generated columns to events (kind, size, tag)" in rewrite[2]
    assert "3 columns to events (kind, size, tag)" in rerun[2] and "at kind" in rerun[2]
    first, second = migrations(entry)
    run_unwrapped(db, first)
    run_unwrapped(db, second)
    with pytest.raises(psycopg.errors.DuplicateColumn, match='column "kind"'):
        run_unwrapped(db, second)


def test_a_key_swap_fails_on_a_rerun_only_at_its_drop_column(db: Any) -> None:
    entry = FIXTURES / "drop-without-if-exists" / "flagged_key_swap_stops_at_drop_column"
    on_alter = [f for f in found(entry, *RERUN_RULES) if f[1] == 5]
    assert [(rule, message.split(" fails")[0]) for rule, _, message, _ in on_alter] == [
        ("drop-without-if-exists", "DROP COLUMN queue_items.id")
    ]
    first, second = migrations(entry)
    run_unwrapped(db, first)
    run_unwrapped(db, second)
    with pytest.raises(psycopg.errors.UndefinedColumn, match='column "id"'):
        run_unwrapped(db, second)


def test_a_key_swap_with_a_guarded_drop_column_runs_twice(db: Any) -> None:
    entry = FIXTURES / "drop-without-if-exists" / "clean_key_swap_guarded_drop"
    assert [f for f in found(entry, *RERUN_RULES) if f[1] == 5] == []
    first, second = migrations(entry)
    run_unwrapped(db, first)
    run_unwrapped(db, second)
    run_unwrapped(db, second)
    key = db.execute(
        "SELECT conname::text FROM pg_constraint WHERE conrelid = 'queue_items'::regclass"
    ).fetchall()
    assert key == [("queue_items_pkey",)]


def test_an_alter_table_runs_its_drops_before_its_adds(db: Any) -> None:
    entry = FIXTURES / "drop-without-if-exists" / "flagged_drops_run_before_adds"
    [(rule, _, message, help)] = [f for f in found(entry, *RERUN_RULES) if f[1] == 5]
    assert rule == "drop-without-if-exists" and "DROP COLUMN accounts.legacy_flag" in message
    assert "Then ADD COLUMN accounts.flags fails on the re-run too" in help
    first, second = migrations(entry)
    run_unwrapped(db, first)
    run_unwrapped(db, second)
    with pytest.raises(psycopg.errors.UndefinedColumn, match='column "legacy_flag"'):
        run_unwrapped(db, second)


def _fail_then_rerun(db: Any, index_file: Path, table: str, column: str) -> bool:
    """Build the index over duplicates (it fails, INVALID), remove them, run the file
    again: is the index valid then?"""
    db.autocommit = True
    db.execute(f"INSERT INTO {table} ({column}) VALUES ('x'), ('x')")
    with pytest.raises(psycopg.errors.UniqueViolation):
        run_unwrapped(db, index_file)
    db.execute(f"DELETE FROM {table} WHERE ctid <> (SELECT min(ctid) FROM {table})")
    run_unwrapped(db, index_file)
    [(valid,)] = db.execute(
        "SELECT indisvalid FROM pg_index WHERE indrelid = %s::regclass", (table,)
    ).fetchall()
    return bool(valid)


def test_a_do_block_dropping_invalid_indexes_first_makes_the_rerun_rebuild(db: Any) -> None:
    entry = FIXTURES / "concurrent-index-if-not-exists" / "clean_do_block_drops_invalid"
    assert found(entry, "concurrent-index-if-not-exists") == []
    create, index = migrations(entry)
    run_unwrapped(db, create)
    assert _fail_then_rerun(db, index, "events", "event_key")


def test_without_the_do_block_the_rerun_keeps_the_invalid_index(db: Any) -> None:
    flagged = FIXTURES / "concurrent-index-if-not-exists" / "flagged_if_not_exists.sql"
    [(_, _, message, _)] = found(flagged, "concurrent-index-if-not-exists")
    assert "skips it (IF NOT EXISTS)" in message
    db.autocommit = True
    db.execute("CREATE TABLE users (id bigint, email text)")
    assert not _fail_then_rerun(db, flagged, "users", "email")


def test_dynamic_sql_that_cannot_drop_the_index_leaves_the_claim(tmp_path: Path) -> None:
    (tmp_path / "001_t.sql").write_text("CREATE TABLE IF NOT EXISTS t (k text);\n")
    (tmp_path / "002_i.sql").write_text(
        "DO $$ BEGIN EXECUTE format('ALTER TABLE %I SET (fillfactor = 90)', 't'); END $$;\n"
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS t_k ON t (k);\n"
    )
    [(_, line, _, _)] = found(tmp_path, "concurrent-index-if-not-exists")
    assert line == 2


def test_adding_an_enum_value_twice_fails_without_if_not_exists(db: Any) -> None:
    base = FIXTURES / "add-enum-value-without-if-not-exists"
    flagged, clean = base / "flagged_goose_no_transaction", base / "clean_if_not_exists"
    [(_, line, message, help)] = found(flagged, "add-enum-value-without-if-not-exists")
    assert line == 5 and "'enum label already exists'" in message
    assert "ADD VALUE IF NOT EXISTS 'cancelled'" in help
    assert found(clean, "add-enum-value-without-if-not-exists") == []
    create, add = migrations(flagged)
    run_unwrapped(db, create)
    run_unwrapped(db, add)
    with pytest.raises(psycopg.errors.DuplicateObject, match="already exists"):
        run_unwrapped(db, add)
    run_unwrapped(db, migrations(clean)[1])  # IF NOT EXISTS: a notice, no error


def test_an_enum_value_added_in_a_transaction_is_not_a_rerun_risk(tmp_path: Path) -> None:
    (tmp_path / "V1__type.sql").write_text("CREATE TYPE s AS ENUM ('a');\n")
    (tmp_path / "V2__value.sql").write_text("ALTER TYPE s ADD VALUE 'b';\nSELECT 1;\n")
    assert found(tmp_path, "add-enum-value-without-if-not-exists") == []  # Flyway wraps it


def test_a_first_migration_that_only_creates_is_judged_for_reruns(
    db: Any, every_rerun_statement: None
) -> None:
    """Not a fresh install (that is a dump used instead of the history): its re-run
    after a failure midway stops at its first CREATE; a fresh_install glob says so."""
    entry = FIXTURES / "create-without-if-not-exists" / "flagged_first_migration_creates_only"
    assert [line for _, line, _, _ in found(entry, "create-without-if-not-exists")] == [5, 6]
    declared = found(entry, "create-without-if-not-exists", fresh_install=("**/schema.sql",))
    assert declared == []
    [first, _] = split_statements((entry / "schema.sql").read_text()).statements
    db.autocommit = True
    db.execute(first.text)  # the tool stopped after the first statement
    with pytest.raises(psycopg.errors.DuplicateTable):
        run_unwrapped(db, entry / "schema.sql")


def test_an_alter_table_adds_its_columns_before_its_constraints(db: Any) -> None:
    entry = FIXTURES / "add-column-without-if-not-exists" / "flagged_columns_run_before_constraints"
    [(rule, _, message, help)] = [f for f in found(entry, *RERUN_RULES) if f[1] == 5]
    assert rule == "add-column-without-if-not-exists" and "orders.currency" in message
    assert "Then ADD CONSTRAINT orders_total_check on orders fails on the re-run too" in help
    first, second = migrations(entry)
    run_unwrapped(db, first)
    run_unwrapped(db, second)
    with pytest.raises(psycopg.errors.DuplicateColumn, match='column "currency"'):
        run_unwrapped(db, second)


def test_an_assumed_transaction_mode_is_called_assumed(tmp_path: Path) -> None:
    """A plain folder does not say how its tool runs a file: the re-run finding says the
    no-transaction mode is assumed; a layout that states it (popx's `.autocommit.`) and
    the configuration (`[transaction]`) are stated as fact."""
    statement = "CREATE TABLE t (id int);\nCREATE TABLE u (id int);\n"
    plain = tmp_path / "plain" / "001_a.sql"
    popx = tmp_path / "popx" / "20240101000000000000_a.autocommit.up.sql"
    for path in (plain, popx):
        path.parent.mkdir()
        path.write_text(statement)
    [assumed, *_] = found(plain, "create-without-if-not-exists")
    assert "outside a transaction (assumed: `--show-context`" in assumed[2]
    [stated, *_] = found(popx, "create-without-if-not-exists")
    assert "outside a transaction, so a later failure" in stated[2]
    configured = found(plain, "create-without-if-not-exists", transaction={"*.sql": "none"})
    assert configured and "assumed" not in configured[0][2]
