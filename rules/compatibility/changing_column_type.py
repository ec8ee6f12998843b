"""Changing a column's type rewrites the table and can break release N-1.

## What it does
Flags `ALTER COLUMN … TYPE` on an existing table, except the changes PostgreSQL makes
without a rewrite: varchar(n) to a longer varchar or to text, numeric to a larger
precision with the same scale, cidr to inet, the same type again, and timestamp to
timestamptz and back when the session time zone is UTC (PostgreSQL 12+; the file's
own `SET timezone = 'UTC'` counts), with no USING or a USING that reads only the
column. The old type is known when an earlier migration created the column, or an
Alembic `alter_column` states it (`existing_type`); when it is not, the finding says
the rewrite cannot be judged. A change that narrows the
column (varchar(20) to varchar(10), bigint to integer) is reported once, by
narrowing-column-type, instead.

## Why is this bad?
Most type changes rewrite the table and rebuild its indexes under an ACCESS EXCLUSIVE
lock: no reads or writes until it finishes. Release N-1 may also write values the new
type rejects, or read values it cannot map.

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
from migralint.checks.types import narrows
from migralint.context import Context
from migralint.pgfacts import plain_using, rewrites
from migralint.rule import Violation, rule
from migralint.sql.ops import AlterColumnType

_REWRITE = {
    True: "rewrites the table",
    None: "may rewrite the table (whether it does cannot be judged: the old type is unknown "
    "or not built in)",
}


@rule("changing-column-type", category="compatibility", aliases=["changing-column-type"])
def check(op: AlterColumnType, ctx: Context) -> Iterator[Violation]:
    old = ctx.catalog.type_before(op)
    rewrite = (
        rewrites(old, op.type, ctx.pg_version, ctx.session.settings.get("timezone"))
        if plain_using(op.using, op.column)
        else True
    )
    if rewrite is False:
        return
    if narrows(op, ctx) is not None:
        return  # narrowing-column-type reports it
    change = f"from {old} to {op.type}" if old else f"to {op.type}"
    command = plan_command("change-column-type", op.table, column=op.column, type=str(op.type))
    yield ctx.finding(
        op,
        f"changing {op.table}.{op.column} {change} {_REWRITE[rewrite]} under an ACCESS "
        "EXCLUSIVE lock and may break release N-1",
        f"Add a new column of type {op.type}, sync it with a trigger, backfill in batches, "
        f"switch the code, then drop the old one. `{command}` writes the phases.",
    )
