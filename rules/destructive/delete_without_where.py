"""DELETE without WHERE empties a table that is in use.

## What it does
Flags `DELETE FROM table` with no `WHERE` (or `WHERE true`) on a table that existed
before this migration, unless the migration fills the table again afterwards
(reference data being re-seeded).

## Why is this bad?
Every row is deleted, which is rarely what a migration means to do and cannot be
undone by rolling the code back. On a large table it also runs as one long
transaction that holds row locks on everything and bloats the table.

## Example
```sql
DELETE FROM notifications;
```

## Use instead
Say which rows go, and delete them in batches:
```sql
DELETE FROM notifications WHERE read_at < now() - interval '90 days';
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.destructive import refilled_later
from migralint.context import Context
from migralint.pgfacts import always_true
from migralint.rule import Violation, rule
from migralint.sql.ops import Delete


@rule(
    "delete-without-where",
    category="destructive",
    dialects=("postgres", "mysql", "sqlite", "cockroach"),
    on_down=False,
)
def check(op: Delete, ctx: Context) -> Iterator[Violation]:
    if not always_true(op.where):
        return
    if refilled_later(ctx, op.table):
        return
    yield ctx.finding(
        op,
        f"DELETE without WHERE deletes every row of {op.table}",
        f"Add a WHERE that says which rows of {op.table} must go, and delete in batches; if "
        "the table really must be emptied, say why in a "
        "`-- migralint: ignore delete-without-where -- reason` comment.",
    )
