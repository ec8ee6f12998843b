"""A locking statement without lock_timeout can stall every query on the table.

## What it does
Flags the first statement of a migration that takes a heavy lock on an existing
table (ACCESS EXCLUSIVE, EXCLUSIVE, SHARE ROW EXCLUSIVE, SHARE) when no `lock_timeout`
is set before it. Reported once per file; the missing `statement_timeout` is part of
the same finding, not a second one.

## Why is this bad?
The statement queues behind any long-running query on the table, and while it waits,
every later query on the table queues behind it: a five-second `ALTER TABLE … ADD
COLUMN` becomes an outage as long as the slowest running transaction. A
`statement_timeout` also bounds how long a rewrite or scan may hold the lock once it
has it. (Never put a `statement_timeout` on `CREATE INDEX CONCURRENTLY`: cancelled,
it leaves an INVALID index behind.)

## Example
```sql
ALTER TABLE users ADD COLUMN nickname text;
```

## Use instead
Give up quickly and retry the migration instead of blocking the application:
```sql
SET lock_timeout = '2s';
SET statement_timeout = '5min';
ALTER TABLE users ADD COLUMN nickname text;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.postgres import lock_taken, what_it_blocks
from migralint.rule import Violation, rule
from migralint.sql.ops import CreateIndex, DetachPartition, DropIndex, Op, Reindex


def _concurrent(op: Op) -> bool:
    return isinstance(op, CreateIndex | DropIndex | Reindex | DetachPartition) and op.concurrently


@rule(
    "require-lock-timeout",
    category="locking",
    aliases=["require-timeout-settings", "require-lock-timeout", "require-statement-timeout"],
)
def check(op: Op, ctx: Context) -> Iterator[Violation]:
    mode = lock_taken(op)
    if mode is None or ctx.session.has_timeout("lock_timeout"):
        return
    if not ctx.first_time("require-lock-timeout"):
        return
    table = ctx.target_table(op)
    on = f" on {table}" if table else ""
    settings = ["SET lock_timeout = '2s';"]
    if not ctx.session.has_timeout("statement_timeout"):
        settings.append("SET statement_timeout = '5min';")
    advice = f"Start the migration with `{' '.join(settings)}` and retry on timeout, so a "
    advice += "blocked migration fails fast instead of stalling the application."
    if len(settings) > 1 and any(_concurrent(o) for o in ctx.file_ops):
        advice += (
            " Reset `statement_timeout = 0` before the CONCURRENTLY statements of this file: "
            "a cancelled CREATE INDEX CONCURRENTLY leaves an INVALID index behind."
        )
    article = "an" if mode[0] in "AEIOU" else "a"
    yield ctx.finding(
        op,
        f"this statement takes {article} {mode} lock{on} with no lock_timeout set: while it waits, "
        f"it {what_it_blocks(mode)} for every later query on the table",
        advice,
    )
