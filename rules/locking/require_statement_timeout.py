"""A locking statement with lock_timeout but no statement_timeout can hold its lock for hours.

## What it does
Opt-in. Flags the first statement of a migration that does long work (a table
rewrite, a validation scan, an index build) under a heavy lock on an existing table
(ACCESS EXCLUSIVE, EXCLUSIVE, SHARE ROW EXCLUSIVE, SHARE) when `lock_timeout` is set
but `statement_timeout` is not. Statements that hold the lock only for a catalog
change (ADD COLUMN without a rewrite, NOT VALID constraints, renames) end at once
once granted and are not judged. Without a `lock_timeout` in the migration,
`require-lock-timeout`'s finding (in the file, or the one of its set, which says where
to set both for every migration) covers `statement_timeout` too, so this rule stays
quiet. `CONCURRENTLY` statements take no such lock and are not judged.

## Why is this bad?
`lock_timeout` only bounds the wait for the lock. Once granted, a table rewrite, a
validation scan or an index build holds it until it finishes: on a large table, for
as long as the whole table takes to read or write, with every query on the table
queued behind it. A `statement_timeout` turns that into a failed, retryable migration.

## Example
```sql
SET lock_timeout = '2s';
ALTER TABLE orders ALTER COLUMN total TYPE numeric(12, 2);
```

## Use instead
```sql
SET lock_timeout = '2s';
SET statement_timeout = '5min';
ALTER TABLE orders ALTER COLUMN total TYPE numeric(12, 2);
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.locking import work_under_lock
from migralint.context import Context
from migralint.postgres import lock_taken, what_it_blocks
from migralint.rule import Violation, rule
from migralint.sql.ops import Op


@rule("require-statement-timeout", category="locking", severity="warning", enabled_by_default=False)
def check(op: Op, ctx: Context) -> Iterator[Violation]:
    mode = lock_taken(op)
    if mode is None or not ctx.session.has_timeout("lock_timeout"):
        return
    work = work_under_lock(op, ctx)
    if work is None:
        return
    if ctx.session.has_timeout("statement_timeout") or not ctx.first_time("statement-timeout"):
        return
    table = ctx.target_table(op)
    on = f" on {table}" if table else ""
    yield ctx.finding(
        op,
        f"this statement {work} under a {mode} lock{on} with no statement_timeout set: once "
        f"granted, it {what_it_blocks(mode)} for as long as the statement runs",
        "Add `SET statement_timeout = '5min';` (what the statement may take on your largest "
        "table) next to the lock_timeout, and retry the migration on timeout; reset it to 0 "
        "before any CONCURRENTLY statement.",
    )
