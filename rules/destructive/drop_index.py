"""Dropping an index can make the queries that used it slow down at once.

## What it does
Opt-in. Flags `DROP INDEX` of an index on an existing table, unless the same migration
created the index, creates another on the same table (a replacement), or is marked
`-- migralint: phase=contract`; `DROP INDEX IF EXISTS` of an index the catalog knows
does not exist drops nothing (see require-concurrent-index-deletion).

## Why is this bad?
Queries that used the index fall back to scans the moment it is gone: on a large,
busy table that is an outage of its own, and rebuilding the index takes long. A unique
index also stops rejecting duplicates.

## Example
```sql
DROP INDEX CONCURRENTLY IF EXISTS idx_orders_customer_id;
```

## Use instead
Check with `pg_stat_user_indexes` (`idx_scan`) that nothing uses it and build any
replacement first (a replacement created in the same migration keeps this rule
quiet); then drop it in a contract migration:
```sql
-- migralint: phase=contract
DROP INDEX CONCURRENTLY IF EXISTS idx_orders_customer_id;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.advice import plan_command
from migralint.checks.destructive import removal_planned
from migralint.checks.file_index import anywhere, index_name, table_key
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import CreateIndex, DropIndex


@rule(
    "drop-index",
    category="destructive",
    severity="warning",
    aliases=["ban-drop-index"],
    dialects=("postgres", "mysql", "sqlite", "cockroach"),
    enabled_by_default=False,
    on_down=False,
)
def check(op: DropIndex, ctx: Context) -> Iterator[Violation]:
    if removal_planned(ctx.file) or ctx.drops_nothing(op):
        return
    table = ctx.target_table(op)
    if any(anywhere(ctx, CreateIndex, index_name, op.name.name)) or (
        table and any(anywhere(ctx, CreateIndex, table_key, table.key))
    ):
        return  # this migration's own index, rebuilt, or replaced
    on = f" on {table}" if table else ""
    how = f" `{plan_command('drop-index', table, index=op.name.name)}` writes it." if table else ""
    yield ctx.finding(
        op,
        f"dropping index {op.name}{on}: queries that use it fall back to slower plans at once",
        "Check in pg_stat_user_indexes that its idx_scan stays at 0, create any replacement "
        "first, then drop it in a migration marked `-- migralint: phase=contract`." + how,
    )
