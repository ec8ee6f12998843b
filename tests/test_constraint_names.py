"""The names migralint expects PostgreSQL to give unnamed constraints are the names a
real PostgreSQL gives them: drop-constraint treats an unnamed re-add under the dropped
name as a redefinition, so a wrong name would hide a real drop."""

from __future__ import annotations

from typing import Any

import pytest

from migralint.checks.constraint_names import generated_name
from migralint.schema import ColumnState, TableState
from migralint.sql import ops

LONG_TABLE = "subscription_notification_preferences_per_device"
LONG_COLUMN = "subscription_identifier_for_push"

# (table, its columns, the unnamed constraint as SQL, the same as an ops.Constraint)
CASES = [
    (
        "t",
        ("a", "b"),
        "CHECK (num_nonnulls(a, b) = 1)",
        ops.Constraint("check", expression="num_nonnulls(a, b) = 1"),
    ),
    (
        "t",
        ("a", "b"),
        "CHECK (a > 0 AND a::text <> 'b')",
        ops.Constraint("check", expression="a > 0 AND a::text <> 'b'"),
    ),
    ("t", ("a", "b"), "UNIQUE (a, b)", ops.Constraint("unique", columns=("a", "b"))),
    ("t", ("a", "b"), "PRIMARY KEY (b)", ops.Constraint("primary_key", columns=("b",))),
    (
        "t",
        ("a", "b"),
        "FOREIGN KEY (b) REFERENCES t (b)",
        ops.Constraint("foreign_key", columns=("b",)),
    ),
    (
        LONG_TABLE,
        (LONG_COLUMN,),
        f"UNIQUE ({LONG_COLUMN})",
        ops.Constraint("unique", columns=(LONG_COLUMN,)),
    ),
    (
        LONG_TABLE,
        (LONG_COLUMN,),
        f"CHECK ({LONG_COLUMN} > 0)",
        ops.Constraint("check", expression=f"{LONG_COLUMN} > 0"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c[2][:30])
def test_generated_names_match_postgres(
    db: Any, case: tuple[str, tuple[str, ...], str, ops.Constraint]
) -> None:
    table, columns, sql, constraint = case
    db.execute(f"CREATE TABLE {table} ({', '.join(f'{c} int UNIQUE' for c in columns)})")
    state = TableState(columns={c: ColumnState(None) for c in columns})
    taken = [
        r[0]
        for r in db.execute(
            f"SELECT conname FROM pg_constraint WHERE conrelid = '{table}'::regclass"
        )
    ]
    db.execute(f"ALTER TABLE {table} ADD {sql}")
    [given] = db.execute(
        f"SELECT conname FROM pg_constraint WHERE conrelid = '{table}'::regclass "
        f"AND conname <> ALL(%s)",
        (taken,),
    ).fetchall()
    assert generated_name(ops.Name(table), constraint, state, taken) == given[0]
