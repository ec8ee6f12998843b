"""Dropping an index without CONCURRENTLY blocks reads and writes of its table.

## What it does
Flags `DROP INDEX` without `CONCURRENTLY`, unless the index belongs to a table created
in this same migration.
One DROP INDEX of several indexes is one finding naming them all.

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
from migralint.checks.grouping import listing, per_statement
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import DropIndex


@rule(
    "require-concurrent-index-deletion",
    category="locking",
    aliases=["require-concurrent-index-deletion"],
)
def check(op: DropIndex, ctx: Context) -> Iterator[Violation]:
    names = per_statement(op, ctx, _locking)
    if not names:
        return
    if len(names) == 1:
        what, tables = f"index {names[0]}", "its table"
        how = "Use `DROP INDEX CONCURRENTLY IF EXISTS …`"
    else:
        what, tables = listing("index", names, "indexes"), "their tables"
        how = "Use one `DROP INDEX CONCURRENTLY IF EXISTS …` per index (CONCURRENTLY drops one)"
    yield ctx.finding(
        op,
        f"dropping {what} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on {tables}, "
        "blocking reads and writes",
        f"{how}; it cannot run in a transaction, so {outside_transaction(ctx.file.tool)}.",
        covers=names.ops,
    )


def _locking(op: DropIndex, ctx: Context) -> str | None:
    """The index's name, if it is dropped without CONCURRENTLY from a table that existed
    before the migration (one DROP INDEX can name indexes of several tables)."""
    table = ctx.target_table(op)
    if op.concurrently or (table is not None and ctx.is_new_table(table)):
        return None
    return str(op.name)
