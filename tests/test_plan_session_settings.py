"""change-column-type converts as the ALTER it replaces would, whoever writes.

`ALTER COLUMN … TYPE` converts every row in the migrator's session: a cast that reads
TimeZone or DateStyle gives that session's answer. The plan converts release N-1's
writes in the writer's session, through the sync trigger: the trigger pins the
expand's settings, and the result must equal the ALTER's. The downs re-create the old
column with its collation, or the expand refuses before anything changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from plan_helpers import files, run_file, schema_of

from migralint.plan.change_column_type import Change, plan
from migralint.plan.write import write_plan
from migralint.sql.ops import Name

MIGRATOR = "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, DMY'"
WRITER = "SET TimeZone = 'America/New_York'; SET DateStyle = 'ISO, MDY'"

CASES = {
    "timestamp to timestamptz": (
        "timestamp",
        Change(Name("events"), "at", "timestamptz", from_type="timestamp"),
        "'2024-06-01 08:00'",
    ),
    "text to date": (
        "text",
        Change(Name("events"), "at", "date", using="at::date", from_type="text"),
        "'03/04/2024'",
    ),
}


def _writer(db: psycopg.Connection[Any]) -> psycopg.Connection[Any]:
    """Another session on the same database, with the application's settings."""
    conn = psycopg.connect(db.info.dsn, autocommit=True)
    conn.execute(WRITER)
    return conn


@pytest.mark.parametrize("case", list(CASES))
def test_release_n_minus_1_writes_convert_as_the_alter_would(
    db: psycopg.Connection[Any], pg_server: Any, tmp_path: Path, case: str
) -> None:
    old_type, change, written = CASES[case]
    write_plan(plan(change), "golang-migrate", tmp_path)
    with pg_server.database() as original:
        for conn in (db, original):
            conn.execute(MIGRATOR)
            conn.execute(f"CREATE TABLE events (id bigint PRIMARY KEY, at {old_type})")
            conn.execute(f"INSERT INTO events VALUES (1, {written})")
        run_file(db, files(tmp_path, "expand", "up"))
        for conn in (db, original):  # release N-1, in its own session
            with _writer(conn) as writer:
                writer.execute(f"INSERT INTO events VALUES (2, {written})")
                writer.execute(f"UPDATE events SET at = {written} WHERE id = 1")
        run_file(db, files(tmp_path, "backfill", "up"))
        run_file(db, files(tmp_path, "contract", "up"))
        using = f" USING {change.using}" if change.using else ""
        original.execute(f"ALTER TABLE events ALTER COLUMN at TYPE {change.type}{using}")
        query = "SELECT id, at::text FROM events ORDER BY id"
        assert db.execute(query).fetchall() == original.execute(query).fetchall()


def test_the_downs_give_the_column_its_collation_back(
    db: psycopg.Connection[Any], tmp_path: Path
) -> None:
    db.execute(
        'CREATE TABLE tickets (id bigint PRIMARY KEY, code varchar(20) COLLATE "C");'
        "INSERT INTO tickets SELECT g, 'T-' || g FROM generate_series(1, 50) AS g"
    )
    before = schema_of(db, "tickets")
    unknown = tmp_path / "unknown"
    write_plan(
        plan(Change(Name("tickets"), "code", "text", from_type="varchar(20)")),
        "golang-migrate",
        unknown,
    )
    with pytest.raises(psycopg.errors.RaiseException, match=r'COLLATE "C".*--from-collation'):
        run_file(db, files(unknown, "expand", "up"))
    assert schema_of(db, "tickets") == before

    change = Change(Name("tickets"), "code", "text", from_type="varchar(20)", from_collation="C")
    write_plan(plan(change), "golang-migrate", tmp_path / "given")
    phases = ("expand", "backfill", "contract")
    for phase in phases:
        run_file(db, files(tmp_path / "given", phase, "up"))
    for phase in reversed(phases):
        run_file(db, files(tmp_path / "given", phase, "down"))
    assert schema_of(db, "tickets") == before
    assert db.execute("SELECT count(*) FROM tickets WHERE code = 'T-' || id").fetchone() == (50,)
