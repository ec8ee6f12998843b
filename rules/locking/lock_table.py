"""An explicit LOCK TABLE blocks writes (or reads too) until the transaction ends.

## What it does
Flags `LOCK TABLE … IN SHARE | SHARE ROW EXCLUSIVE | EXCLUSIVE | ACCESS EXCLUSIVE
MODE` (a bare `LOCK TABLE` is ACCESS EXCLUSIVE) on a table that existed before this
migration. The lighter modes, which let writes continue, are not flagged.

## Why is this bad?
The lock is held until the transaction commits, so everything the migration does
afterwards runs while writes (in ACCESS EXCLUSIVE mode, reads too) are blocked. While
LOCK waits for running queries, every new query on the table queues behind it.

## Example
```sql
BEGIN;
LOCK TABLE orders IN ACCESS EXCLUSIVE MODE;
COMMIT;
```

## Use instead
Let each statement take the lock it needs, with a `lock_timeout`, and keep the
transaction short:
```sql
BEGIN;
SET LOCAL lock_timeout = '2s';
ALTER TABLE orders ADD COLUMN note text;
COMMIT;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.postgres import WRITE_BLOCKING_MODES, what_it_blocks
from migralint.rule import Violation, rule
from migralint.sql.ops import LockTable


@rule("lock-table", category="locking", severity="warning")
def check(op: LockTable, ctx: Context) -> Iterator[Violation]:
    if op.mode not in WRITE_BLOCKING_MODES:
        return
    yield ctx.finding(
        op,
        f"LOCK TABLE {op.table} IN {op.mode} MODE {what_it_blocks(op.mode)} on {op.table} "
        "until the transaction commits",
        "Drop the explicit lock and let each statement take its own, with "
        "`SET lock_timeout = '2s'`; if the lock is needed for correctness, keep the "
        "transaction to the statements that need it and use the weakest mode that works.",
    )
