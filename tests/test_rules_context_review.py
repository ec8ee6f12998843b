"""Findings a hand review of lemmy and ente judged wrong: the PostgreSQL facts behind
each fix, on fixtures/sql and a real PostgreSQL."""

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
    """(rule, line, message) of the selected rules on the judged file of a fixture."""
    judged = path if path.is_file() else sorted(path.glob("*.sql"))[-1]
    result = lint_paths([path], Settings(select=select))
    return [
        (f.rule, f.line, f.message)
        for f in result.findings
        if f.rule in select and Path(f.path) == judged
    ]


def test_a_unique_key_keeps_its_columns_and_index_name_through_renames() -> None:
    base = FIXTURES / "drop-constraint"
    assert found(base / "clean_key_renamed_then_replaced", "drop-constraint") == []
    [(_, line, message)] = found(base / "flagged_key_renamed_then_dropped", "drop-constraint")
    assert line == 3 and "person_ban_person_id_key" in message and "duplicates" in message


def test_postgres_renames_the_constraint_with_its_index_and_keeps_its_columns(db: Any) -> None:
    base = FIXTURES / "drop-constraint" / "clean_key_renamed_then_replaced"
    for name in ("V1__create.sql", "V2__rename.sql"):
        db.execute((base / name).read_text())
    rows = db.execute(
        "SELECT conname, (SELECT array_agg(attname::text ORDER BY attname) FROM pg_attribute"
        " WHERE attrelid = conrelid AND attnum = ANY (conkey)) FROM pg_constraint"
        " WHERE contype = 'u' AND connamespace = 'public'::regnamespace ORDER BY conname"
    ).fetchall()
    assert rows == [
        ("comment_like_comment_id_person_id_key", ["comment_id", "person_id"]),
        ("person_ban_person_id_key", ["person_id"]),
    ]
    db.execute((base / "V3__primary_key.sql").read_text())


def test_a_golang_migrate_file_runs_its_own_transaction_blocks() -> None:
    base = FIXTURES / "transaction-in-wrapped-file"
    assert found(base / "clean_golang_migrate_blocks", "transaction-in-wrapped-file") == []
    [(_, line, message)] = found(base / "flagged_flyway_blocks", "transaction-in-wrapped-file")
    assert line == 5 and "flyway" in message


def test_postgres_commits_at_the_files_own_commit_in_one_simple_query(db: Any) -> None:
    db.autocommit = True  # golang-migrate: no BEGIN of the tool's, one Exec of the file
    with pytest.raises(psycopg.errors.DivisionByZero):
        db.execute("CREATE TABLE first_part (); COMMIT; CREATE TABLE second_part (); SELECT 1/0")
    tables = db.execute(
        "SELECT relname::text FROM pg_class WHERE relname IN ('first_part', 'second_part')"
    ).fetchall()
    assert tables == [("first_part",)]
