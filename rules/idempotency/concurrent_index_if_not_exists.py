"""CREATE INDEX CONCURRENTLY IF NOT EXISTS keeps the INVALID index a failed build leaves.

## What it does
Flags `CREATE INDEX CONCURRENTLY IF NOT EXISTS` on an existing table unless an
earlier statement of the same file drops the index (`DROP INDEX CONCURRENTLY IF
EXISTS`), or may: a DO block before it whose dynamic SQL (which no rule reads, see
`dynamic-sql-not-checked`) names the index or runs a DROP of an index, as blocks that
drop the INVALID indexes a failed build left do. Whether such a block covers this
index is for its reviewer to say.

## Why is this bad?
A concurrent build that fails (a deadlock, a duplicate in a unique index, a
statement_timeout, a cancelled deploy) does not roll back: it leaves the index in
pg_index with `indisvalid = false`. Queries never use it, and a unique one still
rejects writes. When the migration is run again, `IF NOT EXISTS` sees the name, skips
the build with a notice, and the migration "succeeds" with the INVALID index in place.
PostgreSQL's documented recovery is to drop the index and build it again.

## Example
```sql
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_orders_customer ON orders (customer_id);
```

## Use instead
Drop whatever a failed run left, then build (a re-run rebuilds the index):
```sql
DROP INDEX CONCURRENTLY IF EXISTS idx_orders_customer;
CREATE INDEX CONCURRENTLY idx_orders_customer ON orders (customer_id);
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.dynamic_sql import index_dropper_before
from migralint.checks.idempotency import created_key, dropped_before
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import CreateIndex


@rule("concurrent-index-if-not-exists", category="idempotency", severity="warning")
def check(op: CreateIndex, ctx: Context) -> Iterator[Violation]:
    if not (op.concurrently and op.if_not_exists and op.name) or dropped_before(
        ctx, created_key(op)
    ):
        return
    if index_dropper_before(ctx, op.name) is not None:
        return
    yield ctx.finding(
        op,
        f"if a concurrent build of {op.name} fails, it stays behind INVALID, and a re-run of "
        "this migration skips it (IF NOT EXISTS) and succeeds with an index that no query "
        "uses",
        f"Drop it first and build without IF NOT EXISTS: `DROP INDEX CONCURRENTLY IF EXISTS "
        f"{op.name};` then `CREATE INDEX CONCURRENTLY {op.name} ON {op.table} (…);`.",
    )
