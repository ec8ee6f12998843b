"""Adding a stored generated column rewrites the whole table.

## What it does
Flags `ALTER TABLE … ADD COLUMN … GENERATED ALWAYS AS (…) STORED` on an existing
table: one finding per statement, naming every stored generated column it adds (they
share one rewrite).

## Why is this bad?
PostgreSQL computes the expression for every existing row and rewrites the table and
all its indexes under an ACCESS EXCLUSIVE lock: no reads or writes until it is done.

## Example
```sql
ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (total * 100) STORED;
```

## Use instead
Add a plain column, fill new rows with a trigger (or the application), and backfill
existing rows in batches; on PostgreSQL 18+ a virtual generated column needs no
rewrite:
```sql
ALTER TABLE orders ADD COLUMN total_cents bigint;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.grouping import per_statement
from migralint.context import Context
from migralint.postgres import VIRTUAL_GENERATED_COLUMNS
from migralint.rule import Violation, rule
from migralint.sql.ops import AddColumn


@rule("adding-generated-column", category="locking", aliases=["adding-field-with-default"])
def check(op: AddColumn, ctx: Context) -> Iterator[Violation]:
    columns = per_statement(op, ctx, _stored_generated)
    if not columns:
        return
    names = ", ".join(columns)
    plural = len(columns) > 1
    them = "them" if plural else "it"
    help = (
        f"Add {names} as {'plain columns' if plural else 'a plain column'}, keep {them} filled "
        f"for new rows with a trigger, and backfill {op.table} in batches."
    )
    if ctx.pg_version >= VIRTUAL_GENERATED_COLUMNS:
        help += (
            f" Or declare {them} `GENERATED ALWAYS AS (…) VIRTUAL`, which adds {them} without "
            "a rewrite."
        )
    what = (
        f"{len(columns)} stored generated columns to {op.table} ({names})"
        if plural
        else f"the stored generated column {op.table}.{names}"
    )
    yield ctx.finding(
        op,
        f"adding {what} rewrites the whole table under an ACCESS EXCLUSIVE lock, blocking "
        "reads and writes",
        help,
        covers=columns.ops,
        rewrites=True,
    )


def _stored_generated(op: AddColumn, ctx: Context) -> str | None:
    """The column's name, if it is a stored generated column."""
    return op.column.name if op.column.generated_stored else None
