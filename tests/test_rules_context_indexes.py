"""Index advice that survives a failed concurrent build, and key replacements that
keep rows unique, on fixtures/sql and a real PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from helpers import REPO

from migralint.config import Settings
from migralint.engine import lint_paths
from migralint.rulepack import load_rules

FIXTURES = REPO / "fixtures" / "sql"
INDEX = FIXTURES / "concurrent-index-if-not-exists"


def messages(path: Path, rule: str) -> list[str]:
    """Messages of one rule on a fixture file or migration set."""
    result = lint_paths([path], Settings(select=(rule,)))
    return [f.message for f in result.findings if f.rule == rule]


def test_if_not_exists_on_a_concurrent_build_is_flagged_and_drop_then_build_is_not() -> None:
    found = messages(INDEX / "flagged_if_not_exists.sql", "concurrent-index-if-not-exists")
    assert len(found) == 1 and "INVALID" in found[0] and "users_email_key" in found[0]
    assert messages(INDEX / "clean_drop_then_build.sql", "concurrent-index-if-not-exists") == []


def test_no_rule_advises_if_not_exists_for_a_concurrent_build(tmp_path: Path) -> None:
    """Our own help and docs must not lead to the trap the rule reports."""
    for spec in load_rules().rules:
        assert "CONCURRENTLY IF NOT EXISTS" not in spec.doc.split("## Use instead")[-1], spec.id
    sql = "CREATE INDEX i ON users (email);\nALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id);"
    (tmp_path / "V1__idx.sql").write_text(sql, encoding="utf-8")
    result = lint_paths([tmp_path], Settings())
    helps = [f.help for f in result.findings]
    assert helps and not any("CONCURRENTLY IF NOT EXISTS" in h for h in helps)


def test_postgres_keeps_an_invalid_index_under_if_not_exists_and_the_advice_rebuilds_it(
    db: Any,
) -> None:
    """The fact behind the rule, on PostgreSQL 16: a failed concurrent build leaves an
    INVALID index, IF NOT EXISTS keeps it, and the fixture's advice replaces it."""
    db.execute("CREATE TABLE users (id int, email text)")
    db.execute("INSERT INTO users VALUES (1, 'a'), (2, 'a')")
    trap = (INDEX / "flagged_if_not_exists.sql").read_text()
    advice = (INDEX / "clean_drop_then_build.sql").read_text()
    with pytest.raises(psycopg.errors.UniqueViolation):
        db.execute(trap)
    db.execute("DELETE FROM users WHERE id = 2")  # the cause is fixed, the deploy re-runs
    db.execute(trap)  # succeeds: skipped with a notice
    assert _valid(db) is False
    for statement in advice.split(";")[:2]:
        db.execute(statement)
    assert _valid(db) is True


def _valid(db: Any) -> bool:
    row = db.execute(
        "SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_email_key'::regclass"
    ).fetchone()
    return bool(row[0])


def test_a_unique_key_replaced_by_a_primary_key_on_the_same_columns_is_not_a_drop() -> None:
    base = FIXTURES / "drop-constraint"
    assert messages(base / "clean_key_replaced", "drop-constraint") == []
    narrowed = messages(base / "flagged_key_narrowed", "drop-constraint")
    assert len(narrowed) == 1 and "duplicates can now be written" in narrowed[0]
