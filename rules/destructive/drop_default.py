"""Dropping a column default breaks inserts of release N-1 that leave the column out.

## What it does
Flags `ALTER TABLE … ALTER COLUMN … DROP DEFAULT` on an existing column, unless the
same migration sets a new default or identity on it (or drops it), the column has no
default to drop, or the migration is marked `-- migralint: phase=contract`. On a
column the migration just added, only a NOT NULL column is flagged.

## Why is this bad?
Release N-1 inserts rows without naming the column and counts on the default: once
it is gone those rows get NULL, or fail outright when the column is NOT NULL. A new
NOT NULL column whose default is dropped right after the backfill has the same effect:
N-1 never writes it, so every insert of N-1 fails.

## Example
```sql
ALTER TABLE orders ALTER COLUMN status DROP DEFAULT;
```

## Use instead
Ship code that always writes the column first; drop the default a release later, in
a contract migration:
```sql
-- migralint: phase=contract
ALTER TABLE orders ALTER COLUMN status DROP DEFAULT;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.destructive import (
    column_reworked_later,
    has_default,
    known_column,
    removal_planned,
)
from migralint.checks.file_index import column_added_earlier
from migralint.checks.grouping import listing, per_statement
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import DropDefault


@rule(
    "drop-default",
    category="destructive",
    severity="warning",
    aliases=["ban-drop-default"],
    dialects=("postgres", "mysql", "cockroach"),
    on_down=False,
    offline=False,  # harms release N-1 only, which an offline deploy does not run
)
def check(op: DropDefault, ctx: Context) -> Iterator[Violation]:
    if removal_planned(ctx.file):
        return
    found = per_statement(op, ctx, _harm)
    if not found:
        return
    columns = [c for c, _ in found]
    what = listing("the default of", [f"{op.table}.{c}" for c in columns], "defaults")
    listed = ", ".join(columns)
    harms = {h for _, h in found}
    harm = harms.pop() if len(harms) == 1 else "fail (NOT NULL columns) or store NULL"
    yield ctx.finding(
        op,
        f"dropping {what}: inserts of release N-1 that leave {listed} out will {harm}",
        f"Ship code that always writes {listed} first, then drop the default a release "
        "later in a migration marked `-- migralint: phase=contract`.",
        covers=found.ops,
    )


def _harm(op: DropDefault, ctx: Context) -> tuple[str, str] | None:
    """(column, what release N-1's inserts then do), unless nothing changes for them."""
    if column_reworked_later(ctx, op.table, op.column):
        return None
    column = known_column(ctx, op.table, op.column)
    required = column is not None and not column.nullable
    if column_added_earlier(ctx, op.table, op.column):
        if not required:
            return None  # N-1 never writes it and reads NULL, as before the migration
    elif column is not None and not has_default(column):
        return None  # nothing to drop
    if column is None:  # created outside the migrations: whether it has a default is unseen
        return op.column, "store NULL instead, if it has a default (the migrations never show it)"
    return op.column, "fail (the column is NOT NULL)" if required else "store NULL instead"
