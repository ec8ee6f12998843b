"""Creating an index without CONCURRENTLY blocks writes to the table.

## What it does
Flags `CREATE INDEX` without `CONCURRENTLY` on a table that existed before this
migration, unless it is `IF NOT EXISTS` of an index earlier migrations created
(PostgreSQL then builds nothing). When an earlier statement of the same transaction
holds ACCESS EXCLUSIVE on the table, the finding says so: the build then blocks reads
too, and the fix starts with committing after that statement.

## Why is this bad?
A plain CREATE INDEX holds a SHARE lock for the whole build: every INSERT, UPDATE
and DELETE on the table waits, for minutes on a large table.

## Example
```sql
CREATE INDEX idx_orders_customer ON orders (customer_id);
```

## Use instead
Build it concurrently, outside a transaction block (it takes two scans and does not
block writes):
```sql
DROP INDEX CONCURRENTLY IF EXISTS idx_orders_customer;
CREATE INDEX CONCURRENTLY idx_orders_customer ON orders (customer_id);
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.advice import commit_after, first_upper, outside_transaction
from migralint.checks.idempotency import index_already_exists
from migralint.checks.locking import held_by_earlier, held_lock
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import CreateIndex


@rule(
    "require-concurrent-index-creation",
    category="locking",
    aliases=["require-concurrent-index-creation"],
)
def check(op: CreateIndex, ctx: Context) -> Iterator[Violation]:
    if op.concurrently or index_already_exists(op, ctx.catalog):
        return
    name = op.name or "the index"
    held = held_by_earlier(op, ctx)
    harm, first = f"blocks all writes to {op.table.name}", ""
    if held is not None:  # an earlier statement's lock, held until commit whatever this takes
        harm = f"blocks reads and writes of {op.table.name}, as {held_lock(*held)},"
        commit = commit_after(ctx.file.tool, ctx.file.transaction, f"line {held[1].loc.line}")
        first = (
            f"{first_upper(commit)} (its lock is held until commit, so no build in this "
            f"transaction spares {op.table.name}); then "
        )
    yield ctx.finding(
        op,
        f"creating {name} on {op.table} without CONCURRENTLY {harm} while the index builds",
        f"{first}{'u' if first else 'U'}se `CREATE INDEX CONCURRENTLY …`, after "
        "`DROP INDEX CONCURRENTLY IF EXISTS …` so a re-run rebuilds what a failed build left "
        "INVALID (IF NOT EXISTS would keep it); "
        f"it cannot run in a transaction, so {outside_transaction(ctx.file.tool)}.",
    )
