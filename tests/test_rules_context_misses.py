"""The misses of issue 10 as rules: what each finding names, and the PostgreSQL facts
behind them, on fixtures/sql and a real PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from helpers import REPO

from migralint.config import Settings
from migralint.engine import lint_paths

FIXTURES = REPO / "fixtures" / "sql"


def found(path: Path, *select: str) -> list[tuple[str, int, str]]:
    """(rule, line, message) of the selected rules on a fixture."""
    result = lint_paths([path], Settings(select=select))
    return [(f.rule, f.line, f.message) for f in result.findings if f.rule in select]


def test_dynamic_sql_is_one_finding_per_block_at_the_execute() -> None:
    [(_, line, message)] = found(
        FIXTURES / "dynamic-sql-not-checked" / "flagged_execute_format_drop.sql",
        "dynamic-sql-not-checked",
    )
    assert line == 6 and "DROP" in message and "not checked" in message
    [(_, line, message)] = found(
        FIXTURES / "dynamic-sql-not-checked" / "flagged_sql_in_a_variable.sql",
        "dynamic-sql-not-checked",
    )
    assert line == 4 and "variable" in message


def test_one_require_table_schema_finding_per_statement(tmp_path: Path) -> None:
    sql = "ALTER TABLE t ADD COLUMN a int, ADD COLUMN b int, DROP COLUMN c;\nDROP TABLE u, s.v;\n"
    (tmp_path / "m.sql").write_text(sql, encoding="utf-8")
    lines = [line for _, line, _ in found(tmp_path / "m.sql", "require-table-schema")]
    assert lines == [1, 2]


def test_new_column_made_required_names_the_column() -> None:
    base = FIXTURES / "new-column-made-required"
    [(_, line, message)] = found(
        base / "flagged_set_not_null_after_backfill.sql", "new-column-made-required"
    )
    assert line == 4 and "orders.region" in message and "N-1" in message


def test_duplicate_assignments_name_each_column_once() -> None:
    base = FIXTURES / "ban-duplicate-column-assignments"
    [(_, _, message)] = found(
        base / "flagged_row_and_single.sql", "ban-duplicate-column-assignments"
    )
    assert "assigns a more than once" in message


def test_postgres_rejects_what_ban_duplicate_column_assignments_flags(db: Any) -> None:
    db.execute("CREATE TABLE k (a int, b int, c int)")
    base = FIXTURES / "ban-duplicate-column-assignments"
    for name in ("flagged_update_twice", "flagged_row_and_single", "flagged_case_folded"):
        with pytest.raises(psycopg.errors.SyntaxError):
            db.execute((base / f"{name}.sql").read_text())
    with pytest.raises(psycopg.errors.DuplicateColumn):
        db.execute((base / "flagged_create_table.sql").read_text())
    db.execute('CREATE TABLE clean_k (a int, "A" int, b int)')
    db.execute('UPDATE clean_k SET a = 1, "A" = 2, b = 3')


def test_detach_finalize_is_not_a_plain_detach(db: Any) -> None:
    """FINALIZE only completes a concurrent detach: PostgreSQL refuses it otherwise,
    and require-concurrent-partition-detach must not call it an ACCESS EXCLUSIVE one."""
    db.execute("CREATE TABLE m (at date) PARTITION BY RANGE (at)")
    db.execute(
        "CREATE TABLE m_2020 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01')"
    )
    with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState):
        db.execute("ALTER TABLE m DETACH PARTITION m_2020 FINALIZE")
    base = FIXTURES / "require-concurrent-partition-detach"
    assert found(base / "clean_finalize.sql", "require-concurrent-partition-detach") == []


def test_enable_row_level_security_runs_twice_and_no_rerun_rule_flags_it(
    db: Any, tmp_path: Path
) -> None:
    sql = (
        "ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;\nALTER TABLE accounts ADD COLUMN x int;\n"
    )
    db.execute("CREATE TABLE accounts (id int)")
    db.execute("ALTER TABLE accounts ENABLE ROW LEVEL SECURITY")
    db.execute("ALTER TABLE accounts ENABLE ROW LEVEL SECURITY")  # no error: safe to re-run
    (tmp_path / "V2__rls.sql").write_text(sql, encoding="utf-8")
    settings = Settings(select=("idempotency",), transaction={"V2__*.sql": "none"})  # type: ignore[arg-type]
    result = lint_paths([tmp_path], settings)
    assert [f.line for f in result.findings] == [2]  # the ADD COLUMN, not the ENABLE


def test_postgres_checks_every_column_of_a_domain_unless_not_valid(db: Any) -> None:
    """The fact behind ban-alter-domain-with-add-constraint: existing rows are checked
    (and the statement fails on one that breaks it); NOT VALID skips them."""
    db.execute("CREATE DOMAIN domain_name AS int")
    db.execute("CREATE TABLE t (v domain_name)")
    db.execute("INSERT INTO t VALUES (-1)")
    bad = (FIXTURES / "ban-alter-domain-with-add-constraint" / "flagged_check.sql").read_text()
    with pytest.raises(psycopg.errors.CheckViolation):
        db.execute(bad)
    db.execute("ALTER DOMAIN domain_name ADD CONSTRAINT c CHECK (value > 0) NOT VALID")


def test_delete_existing_rows_names_the_table_when_the_migration_has_a_down() -> None:
    base = FIXTURES / "delete-existing-rows"
    [(_, line, message)] = found(base / "flagged_delete_where", "delete-existing-rows")
    assert line == 2 and "sessions" in message and "cannot bring them back" in message
    assert found(base / "clean_forward_only.sql", "delete-existing-rows") == []


def test_new_column_made_required_is_one_finding_per_statement_naming_every_column() -> None:
    path = FIXTURES / "new-column-made-required" / "flagged_one_statement_two_columns.sql"
    [(_, line, message)] = found(path, "new-column-made-required")
    assert line == 3 and "orders.a, orders.b were added" in message and "orders.c" not in message
