"""What no plan can carry over: a column's place in the table.

rename-column and change-column-type add the new column last; after the contract the
column is the table's last, where the plain ALTER keeps its place. Positional code
(`INSERT … VALUES` without a column list, `SELECT *` read by position) then sees another
order: every affected plan must say so, in its expand's header and its summary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from plan_helpers import files, run_file

from migralint.plan import change_column_type, rename_column
from migralint.plan.model import Plan
from migralint.plan.write import write_plan
from migralint.sql.ops import Name

PLANS = {
    "rename-column": (
        rename_column.plan(rename_column.Change(Name("items"), "qty", "quantity")),
        "ALTER TABLE items RENAME COLUMN qty TO quantity",
        "quantity",
    ),
    "change-column-type": (
        change_column_type.plan(
            change_column_type.Change(Name("items"), "qty", "bigint", from_type="integer")
        ),
        "ALTER TABLE items ALTER COLUMN qty TYPE bigint",
        "qty",
    ),
}
MYSQL = rename_column.plan(
    rename_column.Change(Name("items"), "qty", "quantity", type="int", dialect="mysql")
)


def _columns(db: psycopg.Connection[Any]) -> list[str]:
    rows = db.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = 'items'::regclass AND attnum > 0 "
        "AND NOT attisdropped ORDER BY attnum"
    )
    return [name for (name,) in rows]


def _says_the_order_changes(planned: Plan, column: str) -> None:
    header = " ".join(planned.phases[0].header.split())
    for text in (header, planned.summary):
        assert f"after the contract {column} is the last column of items" in text
        assert "INSERT … VALUES" in text and "SELECT * read by position" in text


@pytest.mark.parametrize("operation", list(PLANS))
def test_the_column_moves_to_the_end_and_the_plan_says_so(
    db: psycopg.Connection[Any], pg_server: Any, tmp_path: Path, operation: str
) -> None:
    planned, alter, column = PLANS[operation]
    _says_the_order_changes(planned, column)
    write_plan(planned, "golang-migrate", tmp_path)
    setup = "CREATE TABLE items (id bigint PRIMARY KEY, qty integer, note text)"
    with pg_server.database() as original:
        for conn in (db, original):
            conn.execute(setup)
            conn.execute("INSERT INTO items VALUES (1, 5, 'x')")
        for phase in ("expand", "backfill", "contract"):
            run_file(db, files(tmp_path, phase, "up"))
        original.execute(alter)
        assert _columns(original) == ["id", column, "note"]
        assert _columns(db) == ["id", "note", column]
        positional = "INSERT INTO items VALUES (2, 6, 'y')"  # release N, written for the ALTER
        original.execute(positional)
        with pytest.raises(psycopg.errors.InvalidTextRepresentation):
            db.execute(positional)


def test_the_mysql_rename_says_so_too() -> None:
    _says_the_order_changes(MYSQL, "quantity")
