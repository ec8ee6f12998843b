"""A locking statement without lock_timeout can stall every query on the table.

## What it does
Flags the first statement of a migration that takes a heavy lock on an existing
table (ACCESS EXCLUSIVE, SHARE ROW EXCLUSIVE, SHARE) when no `lock_timeout` is set
before it. Reported once per file.

## Why is this bad?
The statement queues behind any long-running query on the table, and while it waits,
every later query on the table queues behind it: a five-second `ALTER TABLE … ADD
COLUMN` becomes an outage as long as the slowest running transaction.

## Example
```sql
ALTER TABLE users ADD COLUMN nickname text;
```

## Use instead
Give up quickly and retry the migration instead of blocking the application:
```sql
SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN nickname text;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.postgres import lock_taken
from migralint.rule import Violation, rule
from migralint.sql.ops import Op


@rule("require-lock-timeout", category="locking", aliases=["require-timeout-settings"])
def check(op: Op, ctx: Context) -> Iterator[Violation]:
    mode = lock_taken(op)
    if mode is None or ctx.session.has_timeout("lock_timeout"):
        return
    if not ctx.first_time("require-lock-timeout"):
        return
    table = ctx.target_table(op)
    on = f" on {table}" if table else ""
    yield ctx.finding(
        op,
        f"this statement takes an {mode} lock{on} with no lock_timeout set: if it waits, "
        "every query on the table waits behind it",
        "Start the migration with `SET lock_timeout = '2s';` (and retry on timeout), so a "
        "blocked migration fails fast instead of stalling the application.",
    )
