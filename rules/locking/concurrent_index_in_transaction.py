"""CONCURRENTLY inside a transaction fails.

## What it does
Flags `CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY` and `REINDEX …
CONCURRENTLY` that run inside a transaction block: an explicit BEGIN, or a migration
tool that wraps each file in a transaction (Flyway, golang-migrate, Prisma, …).

## Why is this bad?
PostgreSQL refuses: `CREATE INDEX CONCURRENTLY cannot run inside a transaction
block`. The migration fails in production, often after the earlier statements of a
non-transactional run already took effect.

## Example
```sql
BEGIN;
CREATE INDEX CONCURRENTLY idx_orders_customer ON orders (customer_id);
COMMIT;
```

## Use instead
```sql
DROP INDEX CONCURRENTLY IF EXISTS idx_orders_customer;
CREATE INDEX CONCURRENTLY idx_orders_customer ON orders (customer_id);
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.advice import outside_transaction
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import CreateIndex, DropIndex, Reindex


@rule(
    "concurrent-index-in-transaction",
    category="locking",
    aliases=["ban-concurrent-index-creation-in-transaction"],
    on_fresh_install=True,
    on_new_tables=True,
    on_down=True,  # the statement fails: a down that cannot run
    offline=True,
)
def check(op: CreateIndex | DropIndex | Reindex, ctx: Context) -> Iterator[Violation]:
    if not op.concurrently or not ctx.session.in_transaction:
        return
    if ctx.session.explicit:
        where = "inside the BEGIN … COMMIT block of this file"
    elif ctx.file.tool == "plain":
        where = "inside a transaction (the configuration sets assume_in_transaction)"
    else:
        where = f"inside the transaction {ctx.file.tool} wraps around this file"
    yield ctx.finding(
        op,
        f"CONCURRENTLY cannot run in a transaction block, and this statement runs {where}",
        f"To run it outside a transaction, {outside_transaction(ctx.file.tool)}.",
    )
