"""CLUSTER rewrites the table while reads and writes are blocked.

## What it does
Flags `CLUSTER` in a migration, unless the table was created in the same migration.

## Why is this bad?
CLUSTER rewrites the whole table in index order and rebuilds its indexes under an
ACCESS EXCLUSIVE lock: no query can read or write the table until it is done. Without
a table name it re-clusters every table that was clustered before.

## Example
```sql
CLUSTER orders USING idx_orders_created_at;
```

## Use instead
Use pg_repack's `--order-by` (online), run by an operator rather than a migration;
recording the clustering index for later takes only a light lock:
```sql
ALTER TABLE orders CLUSTER ON idx_orders_created_at;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import Cluster


@rule("cluster-table", category="locking", aliases=["prefer-repack"])
def check(op: Cluster, ctx: Context) -> Iterator[Violation]:
    target = str(op.name) if op.name else "every previously clustered table"
    yield ctx.finding(
        op,
        f"CLUSTER rewrites {target} under an ACCESS EXCLUSIVE lock, blocking reads and writes "
        "until it finishes",
        f"Use pg_repack (`pg_repack --table={op.name or '…'} --order-by=…`) outside the "
        "migration to reorder the table online.",
    )
