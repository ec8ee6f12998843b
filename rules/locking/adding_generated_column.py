"""Adding a stored generated column rewrites the whole table.

## What it does
Flags `ALTER TABLE … ADD COLUMN … GENERATED ALWAYS AS (…) STORED` on an existing
table.

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

from migralint.context import Context
from migralint.postgres import VIRTUAL_GENERATED_COLUMNS
from migralint.rule import Violation, rule
from migralint.sql.ops import AddColumn


@rule("adding-generated-column", category="locking", aliases=["adding-field-with-default"])
def check(op: AddColumn, ctx: Context) -> Iterator[Violation]:
    col = op.column
    if not col.generated_stored:
        return
    help = (
        f"Add {col.name} as a plain column, keep it filled for new rows with a trigger, and "
        f"backfill {op.table} in batches."
    )
    if ctx.pg_version >= VIRTUAL_GENERATED_COLUMNS:
        help += " Or declare it `GENERATED ALWAYS AS (…) VIRTUAL`, which adds it without a rewrite."
    yield ctx.finding(
        op,
        f"adding the stored generated column {op.table}.{col.name} rewrites the whole table "
        "under an ACCESS EXCLUSIVE lock, blocking reads and writes",
        help,
        rewrites=True,
    )
