"""Changing a column's type rewrites the table and can break release N-1.

## What it does
Flags `ALTER COLUMN … TYPE` on an existing table, except the changes PostgreSQL makes
without a rewrite: varchar(n) to a longer varchar or to text, bit varying(n) to a longer
one, numeric to a larger precision with the same scale, timestamp, timestamptz, time or
timetz to more digits of fractional seconds, cidr to inet, the same type again, and
timestamp to timestamptz and back in a zero-offset time zone such as UTC (PostgreSQL
12+), with no USING or a USING that reads only the column; that last change still
rebuilds the column's indexes (their operator class changes), which is reported when an
earlier migration indexed the column. An array of any of these is rewritten. The old
type is known when an earlier migration created the column, or an Alembic `alter_column`
states it (`existing_type`); when it is not, or the file does not set the session's
TimeZone (`SET timezone = 'UTC'`) for a timestamp change, the finding says the rewrite
cannot be judged, and why. A change that narrows or rounds the column (varchar(20) to
varchar(10), bigint to integer, timestamp to date) is reported once, by
narrowing-column-type, instead.

## Why is this bad?
Most type changes rewrite the table and rebuild its indexes under an ACCESS EXCLUSIVE
lock: no reads or writes until it finishes. Release N-1 may also write values the new
type rejects, or read values it cannot map; a widening of the same kind (a bigger
integer, a longer string) keeps every value it writes or reads, and the finding then
makes no N-1 claim.

## Example
```sql
ALTER TABLE orders ALTER COLUMN amount TYPE numeric(12, 2);
```

## Use instead
Add a new column of the new type, keep it in sync with a trigger, backfill in
batches, switch the code, and drop the old column later:
```sql
ALTER TABLE orders ADD COLUMN IF NOT EXISTS amount_new numeric(12, 2);
```
`migralint plan change-column-type --table orders --column amount --type 'numeric(12,2)'`
writes the phases.
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.advice import plan_command
from migralint.checks.types import (
    added_in_this_file,
    narrows,
    rebuilds_indexes,
    type_change_rewrites,
    widens,
)
from migralint.context import Context
from migralint.pgfacts import unjudged
from migralint.rule import Violation, rule
from migralint.sql.ops import AlterColumnType


@rule("changing-column-type", category="compatibility", aliases=["changing-column-type"])
def check(op: AlterColumnType, ctx: Context) -> Iterator[Violation]:
    rewrite = type_change_rewrites(op, ctx)
    old = ctx.catalog.type_before(op)
    change = f"from {old} to {op.type}" if old else f"to {op.type}"
    if rewrite is False:
        if rebuilds_indexes(op, ctx):
            yield ctx.finding(
                op,
                f"changing {op.table}.{op.column} {change} keeps the table but rebuilds every "
                f"index on {op.column} under an ACCESS EXCLUSIVE lock (the operator class "
                "changes)",
                "Run it when the table is small or idle; otherwise add a column of the new "
                "type, index it CONCURRENTLY, backfill in batches, switch, drop the old one.",
            )
        return
    if narrows(op, ctx) is not None:
        return  # narrowing-column-type reports it
    effect = (
        "rewrites the table"
        if rewrite
        else f"may rewrite the table (whether it does cannot be judged: {unjudged(old, op.type)})"
    )
    command = plan_command("change-column-type", op.table, column=op.column, type=str(op.type))
    unseen_by_n_1 = added_in_this_file(ctx, op.table, op.column) or widens(old, op.type)
    n_1 = "" if unseen_by_n_1 else " and may break release N-1"
    yield ctx.finding(
        op,
        f"changing {op.table}.{op.column} {change} {effect} under an ACCESS EXCLUSIVE lock{n_1}",
        f"Add a new column of type {op.type}, sync it with a trigger, backfill in batches, "
        f"switch the code, then drop the old one. `{command}` writes the phases.",
        rewrites=bool(rewrite),
    )
