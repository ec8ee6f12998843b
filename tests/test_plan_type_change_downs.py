"""change-column-type's downs after release N wrote values, run for real: the contract's
down refuses, before changing anything, a value the old type cannot hold (it would
re-add the old column empty and its refill would fail), and the expand's down refuses
to drop the new column while rows hold a value whose old column was not refilled."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from plan_helpers import files, run_file, schema_of

from migralint.plan.change_column_type import Change as ChangeType
from migralint.plan.change_column_type import plan as change_type_plan
from migralint.plan.write import write_plan
from migralint.sql.ops import Name

# (column, old type, new type, a value only the new type holds)
CASES = {
    "int to bigint": ("qty", "int", "bigint", "5000000000"),
    "varchar(10) to text": ("title", "varchar(10)", "text", "a title longer than ten"),
    # The downs' PL/pgSQL blocks declare variables `value` and `row`: a column of that name
    # must not make their queries ambiguous.
    "a column named value": ("value", "int", "double precision", "1e12"),
}


def _contracted(db: psycopg.Connection[Any], out: Path, case: str) -> str:
    column, old, new, _ = CASES[case]
    db.execute(f"CREATE TABLE m (id int PRIMARY KEY, {column} {old})")
    db.execute("INSERT INTO m VALUES (1, '1'), (2, '2')")
    plan = change_type_plan(ChangeType(Name("m"), column, new, from_type=old))
    write_plan(plan, "golang-migrate", out)
    for phase in ("expand", "backfill", "contract"):
        run_file(db, files(out, phase, "up"))
    return column


@pytest.mark.parametrize("case", CASES)
def test_the_contract_s_down_refuses_a_value_the_old_type_cannot_hold(
    db: psycopg.Connection[Any], tmp_path: Path, case: str
) -> None:
    column = _contracted(db, tmp_path, case)
    db.execute("INSERT INTO m VALUES (3, %s)", (CASES[case][3],))  # release N
    before = schema_of(db, "m"), db.execute("SELECT * FROM m ORDER BY id").fetchall()
    with pytest.raises(psycopg.errors.RaiseException, match="cannot be converted back"):
        run_file(db, files(tmp_path, "contract", "down"))
    assert (schema_of(db, "m"), db.execute("SELECT * FROM m ORDER BY id").fetchall()) == before
    # Once the row is changed, every down runs and gives the old column its values.
    db.execute("DELETE FROM m WHERE id = 3")
    for phase in ("contract", "backfill", "expand"):
        run_file(db, files(tmp_path, phase, "down"))
    assert db.execute(f"SELECT id, {column}::text FROM m ORDER BY id").fetchall() == [
        (1, "1"),
        (2, "2"),
    ]


def test_the_expand_s_down_refuses_to_drop_values_whose_old_column_is_empty(
    db: psycopg.Connection[Any], tmp_path: Path
) -> None:
    _contracted(db, tmp_path, "int to bigint")
    run_file(db, files(tmp_path, "contract", "down"))  # the old column is back, empty
    before = schema_of(db, "m"), db.execute("SELECT * FROM m ORDER BY id").fetchall()
    # The migrate phase's down skipped (a forced version, a failed refill):
    with pytest.raises(psycopg.errors.RaiseException, match="expand down: 2 rows of m"):
        run_file(db, files(tmp_path, "expand", "down"))
    assert (schema_of(db, "m"), db.execute("SELECT * FROM m ORDER BY id").fetchall()) == before
    run_file(db, files(tmp_path, "backfill", "down"))
    run_file(db, files(tmp_path, "expand", "down"))
    assert db.execute("SELECT id, qty FROM m ORDER BY id").fetchall() == [(1, 1), (2, 2)]
