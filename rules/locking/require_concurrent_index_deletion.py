"""Dropping an index without CONCURRENTLY blocks reads and writes of its table.

## What it does
Flags `DROP INDEX` without `CONCURRENTLY`, unless the index belongs to a table created
in this same migration.

## Why is this bad?
A plain DROP INDEX takes an ACCESS EXCLUSIVE lock on the table. While it waits for
running queries to finish, every new query on the table queues behind it.

## Example
```sql
DROP INDEX idx_orders_customer;
```

## Use instead
```sql
DROP INDEX CONCURRENTLY IF EXISTS idx_orders_customer;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.advice import outside_transaction
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import DropIndex


@rule(
    "require-concurrent-index-deletion",
    category="locking",
    aliases=["require-concurrent-index-deletion"],
)
def check(op: DropIndex, ctx: Context) -> Iterator[Violation]:
    if op.concurrently:
        return
    yield ctx.finding(
        op,
        f"dropping index {op.name} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on "
        "its table, blocking reads and writes",
        "Use `DROP INDEX CONCURRENTLY IF EXISTS …`; it cannot run in a transaction, so "
        f"{outside_transaction(ctx.file.tool)}.",
    )
