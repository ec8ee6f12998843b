"""A file's own COMMIT, as PostgreSQL runs it: a tool that sends the file as one query
(golang-migrate) gets a new implicit transaction block after it, so CONCURRENTLY still
fails there, while statements sent one by one (psql --single-transaction, the wrap
`assume_in_transaction` states) run outside any transaction; and what ran before the
COMMIT stays applied when a later statement fails, so re-running it matters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from helpers import lint_tree

SPLIT = "CREATE TABLE a (id int);\nCOMMIT;\nCREATE INDEX CONCURRENTLY a_id ON a (id);\n"


def _one_query(db: Any, sql: str) -> None:
    """Send `sql` as one simple-protocol query, as golang-migrate does."""
    db.autocommit = True
    db.execute(sql.encode())


def test_concurrently_after_commit_in_one_query_fails_and_is_flagged(
    db: Any, tmp_path: Path
) -> None:
    with pytest.raises(psycopg.errors.ActiveSqlTransaction):
        _one_query(db, SPLIT)
    result = lint_tree(
        tmp_path, {"1_split.up.sql": SPLIT}, select=("concurrent-index-in-transaction",)
    )
    assert [(f.line, f.rule) for f in result.findings] == [(3, "concurrent-index-in-transaction")]
    assert "a COMMIT in it does not end that" in result.findings[0].message


def test_concurrently_after_commit_statement_by_statement_runs_and_is_not_flagged(
    db: Any, tmp_path: Path
) -> None:
    db.autocommit = True
    db.execute("BEGIN")  # what the assumed wrap (psql --single-transaction) opens
    for statement in SPLIT.split(";")[:-1]:
        db.execute(statement)
    assert db.execute(
        "SELECT indisvalid FROM pg_index WHERE indexrelid = 'a_id'::regclass"
    ).fetchone() == (True,)
    files = {"001_split.sql": SPLIT}
    rules = ("concurrent-index-in-transaction",)
    assert lint_tree(tmp_path, files, select=rules, assume_in_transaction=True).findings == []
    again = {"001_split.sql": SPLIT.replace("COMMIT;\n", "COMMIT;\nBEGIN;\n")}
    assert lint_tree(tmp_path / "again", again, select=rules, assume_in_transaction=True).findings


def test_what_runs_before_a_commit_stays_when_a_later_statement_fails(
    db: Any, tmp_path: Path
) -> None:
    sql = "CREATE TABLE a (id int);\nCOMMIT;\nCREATE TABLE b (id int);\nSELECT 1 / 0;\n"
    with pytest.raises(psycopg.errors.DivisionByZero):
        _one_query(db, sql)
    kept = db.execute("SELECT relname FROM pg_class WHERE relname IN ('a', 'b')").fetchall()
    assert kept == [("a",)]  # a re-run after the failure meets table a again
    result = lint_tree(tmp_path, {"1_split.up.sql": sql}, select=("create-without-if-not-exists",))
    assert [f.line for f in result.findings] == [1], [f.message for f in result.findings]
    assert "the COMMIT on line 2 makes it permanent" in result.findings[0].message


def test_a_commit_inside_the_tools_transaction_is_one_finding_on_the_commit(
    tmp_path: Path,
) -> None:
    sql = "CREATE TABLE a (id int);\nCOMMIT;\nCREATE TABLE b (id int);\n"
    rules = ("create-without-if-not-exists", "transaction-in-wrapped-file")
    result = lint_tree(tmp_path, {"V1__split.sql": sql}, select=rules)
    assert [(f.line, f.rule) for f in result.findings] == [(2, "transaction-in-wrapped-file")]
