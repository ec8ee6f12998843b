"""CONCURRENTLY inside a transaction fails.

## What it does
Flags `CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY` and `REINDEX …
CONCURRENTLY` that run inside a transaction block: an explicit BEGIN, or a migration
tool that wraps each file in a transaction (Flyway, golang-migrate, Prisma, …). A
file's own COMMIT does not get it out where the tool sends the file as one query
(golang-migrate, Prisma): PostgreSQL opens a new implicit block for the next
statement. Where the wrap is only assumed (`assume_in_transaction`, as psql
`--single-transaction` sends statements one by one), a statement after the file's
COMMIT, with no BEGIN since, runs outside any transaction and passes.

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
from migralint.checks.file_index import last_before
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import Commit, CreateIndex, DropIndex, Reindex


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
    if not op.concurrently or not ctx.session.in_transaction or _committed_out(ctx):
        return
    if ctx.session.explicit:
        where = "inside the BEGIN … COMMIT block of this file"
    elif ctx.file.transaction == "implicit":
        where = (
            f"inside the implicit transaction block of the one query {ctx.file.tool} sends "
            "for this file (a COMMIT in it does not end that: the next statement opens a "
            "new one)"
        )
    elif ctx.file.tool == "plain":
        where = "inside a transaction (the configuration sets assume_in_transaction)"
    else:
        where = f"inside the transaction {ctx.file.tool} wraps around this file"
    yield ctx.finding(
        op,
        f"CONCURRENTLY cannot run in a transaction block, and this statement runs {where}",
        f"To run it outside a transaction, {outside_transaction(ctx.file.tool)}.",
    )


def _committed_out(ctx: Context) -> bool:
    """True after the file's own COMMIT (and no BEGIN since) where the wrap is only
    assumed: sent statement by statement, the next one runs outside any transaction."""
    if ctx.file.transaction is not None or ctx.session.explicit:
        return False
    return last_before(ctx, Commit) is not None
