"""Dropping a materialized view breaks the queries that read it.

## What it does
Flags `DROP MATERIALIZED VIEW` of a view this migration neither created nor
re-creates, outside a migration marked `-- migralint: phase=contract`. Dropping and
re-creating it in one migration (to change its query) stays quiet.

## Why is this bad?
Release N-1 still reads it during the rollout and after a rollback of the code, and
every such query fails. Re-creating it later means recomputing it in full, which on a
large view takes long and holds locks on the tables it reads.

## Example
```sql
DROP MATERIALIZED VIEW daily_sales;
```

## Use instead
Change it by dropping and re-creating it in one migration; remove it only after the
code stopped reading it, in a contract migration:
```sql
DROP MATERIALIZED VIEW IF EXISTS daily_sales;
CREATE MATERIALIZED VIEW daily_sales AS
    SELECT created_at::date AS day, sum(amount) AS total FROM orders GROUP BY 1;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.destructive import dropped_object
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import DropObject


@rule(
    "drop-materialized-view",
    category="destructive",
    severity="warning",
    aliases=["ban-drop-view"],
    dialects=("postgres",),
    on_down=False,
)
def check(op: DropObject, ctx: Context) -> Iterator[Violation]:
    if op.kind == "MATERIALIZED VIEW":
        yield from dropped_object(
            op,
            ctx,
            "breaks every query of release N-1 that still reads it, and bringing it back "
            "means recomputing all of it",
        )
