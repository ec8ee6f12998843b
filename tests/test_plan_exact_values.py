"""Writes of a value that `=` calls equal to the stored one but that is not the same
(interval '30 days' and '1 mon', numeric 1.5 and 1.50), run for real: the sync trigger
must copy them, and the contract must refuse to drop one that was written past it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from plan_helpers import files, run_file

from migralint.plan.change_column_type import Change as ChangeType
from migralint.plan.change_column_type import plan as change_type_plan
from migralint.plan.rename_column import Change as RenameColumn
from migralint.plan.rename_column import plan as rename_plan
from migralint.plan.write import write_plan
from migralint.sql.ops import Name

# (column type, first value, a value `=` calls equal to it)
VALUES = {
    "interval": ("interval", "30 days", "1 mon"),
    "numeric": ("numeric", "1.5", "1.50"),
}


def _setup(db: psycopg.Connection[Any], column_type: str, value: str) -> None:
    db.execute(f"CREATE TABLE plans (id int PRIMARY KEY, period {column_type} NOT NULL)")
    db.execute("INSERT INTO plans VALUES (1, %s), (2, %s)", (value, value))


def _text(db: psycopg.Connection[Any], sql: str) -> list[tuple[Any, ...]]:
    return db.execute(sql).fetchall()


@pytest.mark.parametrize("kind", VALUES)
def test_rename_copies_a_value_equal_but_not_the_same_both_ways(
    db: psycopg.Connection[Any], tmp_path: Path, kind: str
) -> None:
    column_type, first, other = VALUES[kind]
    _setup(db, column_type, first)
    write_plan(
        rename_plan(RenameColumn(Name("plans"), "period", "cycle")), "golang-migrate", tmp_path
    )
    run_file(db, files(tmp_path, "expand", "up"))
    run_file(db, files(tmp_path, "backfill", "up"))
    db.execute("UPDATE plans SET period = %s WHERE id = 1", (other,))  # release N-1
    db.execute("UPDATE plans SET cycle = %s WHERE id = 2", (other,))  # release N
    got = _text(db, "SELECT id, period::text, cycle::text FROM plans ORDER BY id")
    assert got == [(1, other, other), (2, other, other)]
    run_file(db, files(tmp_path, "contract", "up"))
    assert _text(db, "SELECT cycle::text FROM plans ORDER BY id") == [(other,), (other,)]


def test_the_rename_contract_refuses_an_equal_but_different_value_written_past_the_trigger(
    db: psycopg.Connection[Any], tmp_path: Path
) -> None:
    _setup(db, "interval", "30 days")
    write_plan(
        rename_plan(RenameColumn(Name("plans"), "period", "cycle")), "golang-migrate", tmp_path
    )
    run_file(db, files(tmp_path, "expand", "up"))
    run_file(db, files(tmp_path, "backfill", "up"))
    db.execute("SET session_replication_role = replica")
    db.execute("UPDATE plans SET period = '1 mon' WHERE id = 1")
    db.execute("RESET session_replication_role")
    with pytest.raises(psycopg.errors.RaiseException, match="contract: 1 rows of plans"):
        run_file(db, files(tmp_path, "contract", "up"))


def test_change_type_recomputes_on_a_value_equal_but_not_the_same(
    db: psycopg.Connection[Any], tmp_path: Path
) -> None:
    _setup(db, "numeric", "1.5")
    plan = change_type_plan(
        ChangeType(
            Name("plans"),
            "period",
            "text",
            reverse_using="period_new::numeric",
            from_type="numeric",
        )
    )
    write_plan(plan, "golang-migrate", tmp_path)
    run_file(db, files(tmp_path, "expand", "up"))
    run_file(db, files(tmp_path, "backfill", "up"))
    db.execute("UPDATE plans SET period = 1.50 WHERE id = 1")  # any release, before the contract
    assert _text(db, "SELECT period_new FROM plans ORDER BY id") == [("1.50",), ("1.5",)]
    run_file(db, files(tmp_path, "contract", "up"))
    assert _text(db, "SELECT period FROM plans ORDER BY id") == [("1.50",), ("1.5",)]
