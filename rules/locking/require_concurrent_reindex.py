"""REINDEX without CONCURRENTLY blocks writes to the table while the index is rebuilt.

## What it does
Flags `REINDEX INDEX | TABLE | SCHEMA | DATABASE` without `CONCURRENTLY` on objects
that existed before this migration. Before PostgreSQL 12 (set `pg_version`) there is
no concurrent form, and the help says how to rebuild an index without one.

## Why is this bad?
A plain REINDEX takes a SHARE lock on the table, blocking every INSERT, UPDATE and
DELETE, and an ACCESS EXCLUSIVE lock on the index being rebuilt. The planner locks
every index of a table it plans a query on, so SELECTs on the table wait too, for the
whole rebuild.

## Example
```sql
REINDEX INDEX idx_orders_customer;
```

## Use instead
On PostgreSQL 12+, outside a transaction block:
```sql
REINDEX INDEX CONCURRENTLY idx_orders_customer;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.advice import outside_transaction
from migralint.context import Context
from migralint.postgres import REINDEX_CONCURRENTLY
from migralint.rule import Violation, rule
from migralint.sql.ops import Reindex


@rule(
    "require-concurrent-reindex",
    category="locking",
    aliases=["require-concurrent-reindex"],
)
def check(op: Reindex, ctx: Context) -> Iterator[Violation]:
    if op.concurrently or op.target == "SYSTEM":
        return  # system catalogs cannot be reindexed concurrently
    what = f"{op.target.lower()} {op.name}"
    message = (
        f"REINDEX {what} without CONCURRENTLY blocks writes to the table while it rebuilds, "
        "and reads too: planning a query on the table locks each of its indexes"
    )
    if ctx.pg_version >= REINDEX_CONCURRENTLY:
        help = (
            f"Use `REINDEX {op.target} CONCURRENTLY {op.name};`; it cannot run in a "
            f"transaction, so {outside_transaction(ctx.file.tool)}."
        )
    else:
        help = (
            "PostgreSQL before 12 has no REINDEX CONCURRENTLY. Build a replacement with "
            "`CREATE INDEX CONCURRENTLY <new> ON …` (same definition), then "
            "`DROP INDEX CONCURRENTLY <old>;` and `ALTER INDEX <new> RENAME TO <old>;`."
        )
    yield ctx.finding(op, message, help)
