"""Dropping and re-creating a materialized view leaves its readers with nothing.

## What it does
Flags `DROP MATERIALIZED VIEW` of a view that existed before this migration when the
same migration creates it again (a redefinition: `CREATE OR REPLACE` does not exist
for materialized views).

## Why is this bad?
Inside a transaction, the DROP holds an ACCESS EXCLUSIVE lock on the view until
COMMIT, and the new view's query runs in between (`WITH DATA`, the default): every
query on the view waits for the whole recomputation. Outside a transaction, queries
fail with "relation does not exist" until the new view is built. `WITH NO DATA`
gives them "has not been populated" instead.

## Example
```sql
DROP MATERIALIZED VIEW order_totals;
CREATE MATERIALIZED VIEW order_totals AS
    SELECT customer_id, sum(total) AS total FROM orders GROUP BY customer_id;
```

## Use instead
Build the new view under another name, then swap the names in a short transaction:
```sql
CREATE MATERIALIZED VIEW order_totals_v2 AS
    SELECT customer_id, sum(total) AS total FROM orders GROUP BY customer_id;
BEGIN;
DROP MATERIALIZED VIEW order_totals;
ALTER MATERIALIZED VIEW order_totals_v2 RENAME TO order_totals;
COMMIT;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.destructive import created_here
from migralint.checks.file_index import after, created_object
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import CreateObject, DropObject

_KIND = "MATERIALIZED VIEW"


@rule("recreate-materialized-view", category="locking", severity="warning")
def check(op: DropObject, ctx: Context) -> Iterator[Violation]:
    if op.kind != _KIND or created_here(ctx, _KIND, op.name):
        return
    if not any(after(ctx, CreateObject, created_object, (_KIND, op.name.key))):
        return
    if ctx.session.in_transaction:
        harm = (
            "every query on it waits on the DROP's ACCESS EXCLUSIVE lock until the new view's "
            "query has run and the transaction commits"
        )
    else:
        harm = "queries on it fail ('does not exist') until the new view has been built"
    yield ctx.finding(
        op,
        f"materialized view {op.name} is dropped and built again: {harm}",
        f"Create the new view as `{op.name.name}_new`, index it, then in one short transaction "
        f"`DROP MATERIALIZED VIEW {op.name}; ALTER MATERIALIZED VIEW {op.name.name}_new RENAME "
        f"TO {op.name.name};`.",
    )
