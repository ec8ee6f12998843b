"""CREATE INDEX CONCURRENTLY on PostgreSQL 14.0–14.3 can silently corrupt the index.

## What it does
Flags `CREATE INDEX CONCURRENTLY` and `REINDEX … CONCURRENTLY` when `pg_version` is
14.0, 14.1, 14.2 or 14.3.

## Why is this bad?
A bug in those releases (fixed in 14.4) could build an index that misses rows updated
while it was being built: queries that use it return wrong results and unique indexes
stop enforcing uniqueness, with no error. Only a REINDEX on a fixed release repairs it.

## Example
```sql pg_version=14.2
CREATE INDEX CONCURRENTLY idx_orders_customer ON orders (customer_id);
```

## Use instead
Upgrade the server to 14.4 or later (a minor release: a restart, no dump), set
`pg_version` accordingly, then build the index concurrently:
```sql pg_version=14.4
DROP INDEX CONCURRENTLY IF EXISTS idx_orders_customer;
CREATE INDEX CONCURRENTLY idx_orders_customer ON orders (customer_id);
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.idempotency import index_already_exists
from migralint.context import Context
from migralint.postgres import has_cic_corruption_bug
from migralint.rule import Violation, rule
from migralint.sql.ops import CreateIndex, Reindex


@rule(  # a corrupt index, whoever is connected
    "cic-on-pg14-bug", category="locking", on_new_tables=True, on_down=True, offline=True
)
def check(op: CreateIndex | Reindex, ctx: Context) -> Iterator[Violation]:
    if not op.concurrently or not has_cic_corruption_bug(ctx.pg_version):
        return
    if isinstance(op, CreateIndex) and index_already_exists(op, ctx.catalog):
        return
    major, minor = ctx.pg_version
    yield ctx.finding(
        op,
        f"CONCURRENTLY index builds on PostgreSQL {major}.{minor} can silently miss rows "
        "(the 14.0–14.3 corruption bug), leaving a corrupt index",
        "Upgrade the server to 14.4 or later before this migration runs (then set "
        "`pg_version` to it), and REINDEX any index built CONCURRENTLY on 14.0–14.3.",
    )
