"""rename-column of a column with a DEFAULT, run for real: an INSERT writing one side
leaves the other its default, so the sync trigger must give it the written value, both
during the transition (release N writes the new name) and after the contract's down
(release N-1 again, the default now on the new column)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from plan_helpers import files, run_file

from migralint.plan.rename_column import Change as RenameColumn
from migralint.plan.rename_column import plan as rename_plan
from migralint.plan.write import write_plan
from migralint.sql.ops import Name

TYPES = ["text", "varchar(20)", "int"]


def _value(column_type: str, text: str) -> str:
    return {"active": "1", "banned": "2"}[text] if column_type == "int" else text


@pytest.mark.parametrize("column_type", TYPES)
def test_an_insert_of_one_side_never_leaves_the_other_its_default(
    db: psycopg.Connection[Any], tmp_path: Path, column_type: str
) -> None:
    active, banned = _value(column_type, "active"), _value(column_type, "banned")
    db.execute(
        f"CREATE TABLE users (id int PRIMARY KEY, status {column_type} NOT NULL DEFAULT '{active}')"
    )
    db.execute("INSERT INTO users VALUES (1, %s), (2, %s)", (banned, active))
    write_plan(
        rename_plan(RenameColumn(Name("users"), "status", "state")), "golang-migrate", tmp_path
    )
    run_file(db, files(tmp_path, "expand", "up"))
    run_file(db, files(tmp_path, "backfill", "up"))
    db.execute("INSERT INTO users (id, state) VALUES (3, %s)", (banned,))  # release N
    db.execute("INSERT INTO users (id, status) VALUES (4, %s)", (banned,))  # release N-1
    db.execute("INSERT INTO users (id) VALUES (5)")  # either, the default on both sides
    rows = "SELECT id, status::text, state::text FROM users WHERE id > 2 ORDER BY id"
    assert db.execute(rows).fetchall() == [
        (3, banned, banned),
        (4, banned, banned),
        (5, active, active),
    ]
    run_file(db, files(tmp_path, "contract", "up"))
    run_file(db, files(tmp_path, "contract", "down"))
    run_file(db, files(tmp_path, "backfill", "down"))
    # Rolled back: release N-1 writes status, the default is still on state.
    db.execute("INSERT INTO users (id, status) VALUES (6, %s)", (banned,))
    assert db.execute(rows).fetchall()[-1] == (6, banned, banned)


def test_a_volatile_default_is_never_evaluated_by_the_trigger(
    db: psycopg.Connection[Any], tmp_path: Path
) -> None:
    db.execute("CREATE SEQUENCE numbers")
    db.execute("CREATE TABLE users (id int PRIMARY KEY, n bigint DEFAULT nextval('numbers'))")
    write_plan(rename_plan(RenameColumn(Name("users"), "n", "number")), "golang-migrate", tmp_path)
    run_file(db, files(tmp_path, "expand", "up"))
    db.execute("INSERT INTO users (id, number) VALUES (1, 100)")
    # The INSERT's own default took 1; the trigger took no other value.
    assert db.execute("SELECT n, number FROM users").fetchone() == (1, 100)
    assert db.execute("SELECT last_value FROM numbers").fetchone() == (1,)
