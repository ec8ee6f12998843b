"""Adversarial scenarios for the column-copying plans, run on a real PostgreSQL with rows:
release N-1 writing rows the backfill has not reached, old types without `=`, writes that
bypass the sync trigger, volatile defaults, and what a comment line may look like."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from plan_helpers import files, run_file

from migralint.plan.change_column_type import Change as ChangeType
from migralint.plan.change_column_type import plan as change_type_plan
from migralint.plan.model import Plan
from migralint.plan.rename_column import Change as RenameColumn
from migralint.plan.rename_column import plan as rename_plan
from migralint.plan.write import write_plan
from migralint.sql.ops import Name

ROWS = 50


def _users(db: psycopg.Connection[Any], name_type: str = "text") -> None:
    db.execute(f"CREATE TABLE users (id bigint PRIMARY KEY, name {name_type} NOT NULL, age int)")
    db.execute("INSERT INTO users SELECT g, 'p' || g, g FROM generate_series(1, %s) AS g", (ROWS,))


def _written(plan: Plan, out: Path) -> Path:
    write_plan(plan, "golang-migrate", out)
    return out


PLANS = {
    "rename": (lambda: rename_plan(RenameColumn(Name("users"), "name", "full_name")), "full_name"),
    "retype": (
        lambda: change_type_plan(
            ChangeType(Name("users"), "name", "varchar(40)", from_type="text", to="name_new")
        ),
        "name_new",
    ),
}


@pytest.mark.parametrize("kind", PLANS)
def test_release_n_minus_1_updates_a_row_the_backfill_has_not_reached(
    db: psycopg.Connection[Any], tmp_path: Path, kind: str
) -> None:
    make, new = PLANS[kind]
    _users(db)
    out = _written(make(), tmp_path)
    run_file(db, files(out, "expand", "up"))
    db.execute("UPDATE users SET age = age + 1 WHERE id = 5")
    assert db.execute(f"SELECT name, {new}, age FROM users WHERE id = 5").fetchone() == (
        "p5",
        "p5",
        6,
    )
    # The side that changed still wins, and a backfilled row keeps agreeing.
    db.execute("UPDATE users SET name = 'changed' WHERE id = 6")
    assert db.execute(f"SELECT name, {new} FROM users WHERE id = 6").fetchone() == (
        "changed",
        "changed",
    )


def test_release_n_minus_1_updates_a_row_after_the_contract_s_down(
    db: psycopg.Connection[Any], tmp_path: Path
) -> None:
    _users(db)
    out = _written(PLANS["rename"][0](), tmp_path)
    for phase in ("expand", "backfill", "contract"):
        run_file(db, files(out, phase, "up"))
    run_file(db, files(out, "contract", "down"))
    # The re-added name is NULL until the migrate phase's down refills it.
    db.execute("UPDATE users SET age = 0 WHERE id = 7")
    assert db.execute("SELECT name, full_name FROM users WHERE id = 7").fetchone() == ("p7", "p7")
    db.execute("UPDATE users SET full_name = 'new side' WHERE id = 8")
    assert db.execute("SELECT name, full_name FROM users WHERE id = 8").fetchone() == (
        "new side",
        "new side",
    )
