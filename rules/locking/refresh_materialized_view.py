"""REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks reads of the view.

## What it does
Flags `REFRESH MATERIALIZED VIEW` without `CONCURRENTLY`, unless the view was created
earlier in the same migration.

## Why is this bad?
A plain refresh holds an ACCESS EXCLUSIVE lock on the view while it recomputes the
query: every SELECT from the view waits until the refresh finishes.

## Example
```sql
REFRESH MATERIALIZED VIEW order_totals;
```

## Use instead
Refresh concurrently (it needs a unique index on the view, and the view must already
be populated):
```sql
CREATE UNIQUE INDEX IF NOT EXISTS order_totals_customer ON order_totals (customer_id);
REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.locking import created_earlier_in_file
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import RefreshMaterializedView


@rule("refresh-materialized-view", category="locking", severity="warning")
def check(op: RefreshMaterializedView, ctx: Context) -> Iterator[Violation]:
    if op.concurrently or created_earlier_in_file(ctx, "MATERIALIZED VIEW", op.name):
        return
    yield ctx.finding(
        op,
        f"refreshing {op.name} without CONCURRENTLY blocks every read of the view until the "
        "query has been recomputed",
        f"Give {op.name} a unique index on plain columns (`CREATE UNIQUE INDEX … ON {op.name} "
        f"(…)`) and use `REFRESH MATERIALIZED VIEW CONCURRENTLY {op.name};`.",
    )
