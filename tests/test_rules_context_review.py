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


def test_a_utc_session_makes_timestamp_to_timestamptz_free() -> None:
    base = FIXTURES / "changing-column-type"
    assert found(base / "clean_utc_session", "changing-column-type") == []
    [(_, _, message)] = found(base / "flagged_server_time_zone", "changing-column-type")
    assert "from timestamp to timestamptz may rewrite the table" in message
    assert "depends on the server's TimeZone" in message


def test_an_unknown_old_type_is_not_called_a_rewrite(tmp_path: Path) -> None:
    (tmp_path / "V1__t.sql").write_text("ALTER TABLE t ALTER COLUMN c TYPE timestamptz;\n")
    [(_, _, message)] = found(tmp_path, "changing-column-type")
    assert "cannot be judged" in message and "rewrites the table" not in message


def test_postgres_keeps_the_table_for_using_the_column_in_utc(db: Any) -> None:
    base = FIXTURES / "changing-column-type" / "clean_utc_session"
    db.execute((base / "V1__create.sql").read_text())
    before = db.execute("SELECT pg_relation_filenode('received_activity')").fetchone()
    db.execute((base / "V2__timestamptz.sql").read_text())
    after = db.execute("SELECT pg_relation_filenode('received_activity')").fetchone()
    assert before == after


def test_a_default_given_later_in_the_migration_serves_n_minus_1(db: Any) -> None:
    base = FIXTURES / "new-column-made-required"
    assert found(base / "clean_default_set_after_not_null.sql", "new-column-made-required") == []
    [(_, line, _)] = found(base / "flagged_default_null_set_after.sql", "new-column-made-required")
    assert line == 4
    db.execute("CREATE TABLE users (id int)")
    db.execute((base / "clean_default_set_after_not_null.sql").read_text())
    db.execute("INSERT INTO users (id) VALUES (1)")  # release N-1's insert
    assert db.execute("SELECT is_two_factor_enabled FROM users").fetchone() == (False,)


def test_after_the_files_commit_the_rest_of_one_query_is_still_a_transaction(db: Any) -> None:
    """Why the session stays in a transaction after COMMIT in a golang-migrate file:
    the statements after it form a new implicit transaction, so CONCURRENTLY fails."""
    db.autocommit = True
    with pytest.raises(psycopg.errors.ActiveSqlTransaction):
        db.execute("CREATE TABLE a (i int); COMMIT; CREATE INDEX CONCURRENTLY ON a (i)")


def test_concurrently_after_commit_in_a_golang_migrate_file_is_still_flagged(
    tmp_path: Path,
) -> None:
    (tmp_path / "1_t.up.sql").write_text("CREATE TABLE a (i int);\n")
    (tmp_path / "2_i.up.sql").write_text(
        "BEGIN;\nALTER TABLE a ADD COLUMN j int;\nCOMMIT;\nCREATE INDEX CONCURRENTLY ai ON a (i);\n"
    )
    [(_, line, _)] = found(tmp_path, "concurrent-index-in-transaction")
    assert line == 4


def test_timestamp_to_date_is_narrowing_and_reported_once() -> None:
    base = FIXTURES / "narrowing-column-type"
    entry = base / "flagged_timestamp_to_date"
    [(rule, line, message)] = found(entry, "narrowing-column-type", "changing-column-type")
    assert (rule, line) == ("narrowing-column-type", 3) and "the time of day" in message
    assert found(base / "clean_timestamp_to_timestamptz", "narrowing-column-type") == []


def test_a_renamed_type_stays_the_type_of_its_columns(db: Any) -> None:
    entry = FIXTURES / "changing-column-type" / "flagged_enum_renamed_and_replaced"
    [(_, line, message)] = found(entry, "changing-column-type")
    assert line == 5
    assert "from community_visibility__ to community_visibility rewrites" in message
    db.execute((entry / "V1__create.sql").read_text())
    db.execute("ALTER TYPE community_visibility RENAME TO community_visibility__")
    row = db.execute(
        "SELECT atttypid::regtype::text FROM pg_attribute"
        " WHERE attrelid = 'community'::regclass AND attname = 'visibility'"
    ).fetchone()
    assert row == ("community_visibility__",)


def test_a_required_column_re_added_on_rollback_stops_the_rollback_not_release_n_1() -> None:
    """The release a down migration rolls back to writes the column it brings back: the
    finding is the rollback failing on a table with rows, with no N-1 claim."""
    case = FIXTURES / "adding-required-field" / "flagged_on_rollback"
    [finding] = [
        f for f in lint_paths([case], Settings()).findings if f.rule == "adding-required-field"
    ]
    assert finding.path.endswith("00002_drop_name.sql")
    assert "the rollback stops here once the table has rows" in finding.message
    assert "N-1" not in finding.message


@pytest.mark.parametrize(
    ("case", "fails"),
    [
        ("flagged_after_truncate_in_transaction", "succeeds only because line 3 emptied casting"),
        ("flagged_after_delete_in_transaction", "fails on rows written to casting since line 4"),
    ],
)
def test_a_required_column_after_the_transaction_emptied_its_table(case: str, fails: str) -> None:
    """Not 'fails on existing rows': the transaction emptied the table; a TRUNCATE keeps it
    empty until commit, a DELETE only until someone inserts. N-1's inserts fail either way."""
    [(_, _, message)] = found(FIXTURES / "adding-required-field" / case, "adding-required-field")
    assert fails in message and "existing rows" not in message
    assert message.endswith("breaks inserts from release N-1")


@pytest.mark.parametrize(
    ("case", "scans"),
    [("clean_new_column_references", 0), ("flagged_new_column_references_with_default", 1)],
)
def test_a_key_on_a_column_added_without_default_checks_no_row(
    db: Any, case: str, scans: int
) -> None:
    """PostgreSQL validates a new column's REFERENCES only when the column has values:
    its check query scans orders (pg_stat_xact_user_tables) only with a default."""
    base = FIXTURES / "adding-foreign-key-constraint" / case
    db.execute((base / "V1__tables.sql").read_text())
    db.execute("INSERT INTO tenants VALUES (1); INSERT INTO orders SELECT generate_series(1, 100)")
    db.commit()
    counted = "SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relname = 'orders'"
    [(before,)] = db.execute(counted).fetchall()  # counts not yet flushed included
    db.execute((base / "V2__tenant.sql").read_text())
    [(after,)] = db.execute(counted).fetchall()
    db.rollback()
    assert after - before == scans
    flagged = found(base, "adding-foreign-key-constraint")
    assert bool(flagged) == bool(scans)


def test_a_widening_rewrite_makes_no_n_1_claim(tmp_path: Path) -> None:
    """int → bigint rewrites the table, but every value release N-1 writes or reads fits
    both; a change of kind (int → text) may still break it."""
    (tmp_path / "V1__t.sql").write_text("CREATE TABLE events (id int, kind int);\n")
    (tmp_path / "V2__widen.sql").write_text(
        "ALTER TABLE events ALTER COLUMN id TYPE bigint;\n"
        "ALTER TABLE events ALTER COLUMN kind TYPE text;\n"
    )
    found = {
        f.line: f.message
        for f in lint_paths([tmp_path], Settings(select=("changing-column-type",))).findings
    }
    assert "rewrites the table" in found[1] and "N-1" not in found[1]
    assert found[2].endswith("and may break release N-1")


def test_a_plain_reindex_blocks_reads_of_its_table_too(db: Any, tmp_path: Path) -> None:
    """Planning a SELECT on the table locks each of its indexes, so it waits for the
    REINDEX's ACCESS EXCLUSIVE lock on the index; the finding says reads block too."""
    schema = (
        "CREATE TABLE orders (id int PRIMARY KEY, customer int);\n"
        "CREATE INDEX idx_orders_customer ON orders (customer);\n"
    )
    db.execute(schema)
    info = db.info
    with psycopg.connect(
        host=info.host, port=info.port, user=info.user, dbname=info.dbname, autocommit=True
    ) as other:
        db.execute("BEGIN")
        db.execute("REINDEX INDEX idx_orders_customer")
        other.execute("SET lock_timeout = '200ms'")
        with pytest.raises(psycopg.errors.LockNotAvailable):
            other.execute("SELECT id FROM orders WHERE id = 1")
        db.execute("ROLLBACK")
    (tmp_path / "V1__orders.sql").write_text(schema)
    (tmp_path / "V2__reindex.sql").write_text("REINDEX INDEX idx_orders_customer;\n")
    [finding] = lint_paths([tmp_path], Settings(select=("require-concurrent-reindex",))).findings
    assert "and reads too" in finding.message
