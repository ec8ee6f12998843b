"""A long statement after an ACCESS EXCLUSIVE lock in the same transaction blocks the
table for its whole run.

## What it does
In a transaction, flags the first statement that rewrites or scans a table, builds an
index, changes or copies rows, or (with no `lock_timeout` set) locks another table,
while an ACCESS EXCLUSIVE lock taken earlier in the same transaction on an existing
table is still held. Reported once per transaction; it names the table held and the
statement that took the lock. (UPDATEs are the `backfill-with-ddl` rule; DDL that
locks a held table itself is judged by its own rule for that table, and reported here
only for another table held meanwhile.) The locks held are PostgreSQL's, on every table
a statement locks: a foreign key dropped holds the table it referenced too. When a
locking rule flags the statement for what it does itself (an index build, a validated
constraint, a rewrite), that finding stands for this one and says which lock is held
meanwhile; a mere wait for another table's lock is the missing lock_timeout, and
`require-lock-timeout`'s finding in the same migration says it instead. Such a wait
is not reported in a set whose files never set `lock_timeout` (it may come from the
role or the connection): `require-lock-timeout` tells that set once.

## Why is this bad?
Locks are released only at commit. A brief `ALTER TABLE … ADD COLUMN` followed by a
`CREATE INDEX` keeps the table closed to reads and writes for the whole index build,
and waiting without a `lock_timeout` for a lock on another table keeps it closed for
as long as that table's slowest query runs (and risks deadlocks).

## Example
```sql
BEGIN;
ALTER TABLE orders ADD COLUMN note text;
CREATE INDEX idx_customers_email ON customers (email);
COMMIT;
```

## Use instead
Commit after the statement that takes the ACCESS EXCLUSIVE lock, or move the rest to
its own migration:
```sql
BEGIN;
ALTER TABLE orders ADD COLUMN note text;
COMMIT;
DROP INDEX CONCURRENTLY IF EXISTS idx_customers_email;
CREATE INDEX CONCURRENTLY idx_customers_email ON customers (email);
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.advice import commit_after, first_upper
from migralint.checks.locking import (
    HeldLocks,
    held_lock,
    lock_wait_unbounded,
    other_tables_locked,
    work_under_lock,
)
from migralint.context import Context
from migralint.overlaps import LOCK_WAIT
from migralint.postgres import lock_taken
from migralint.rule import Violation, rule
from migralint.sql.ops import Op, Update

_LOCKING = "the statement that takes the ACCESS EXCLUSIVE lock"


@rule("statements-after-access-exclusive", category="locking", severity="warning")
def check(op: Op, ctx: Context) -> Iterator[Violation]:
    if isinstance(op, Update) or not ctx.session.in_transaction:
        return
    held = HeldLocks(ctx)
    table = ctx.target_table(op)
    own = table.key if table is not None and lock_taken(op) is not None else None
    # DDL on a table held already is its own locking rule's to judge for that table; its
    # work keeps the other tables held closed all the same
    working_while = held.first(besides=own if own in held else None, before=op)
    work = work_under_lock(op, ctx) if working_while is not None else None
    locked = []
    if lock_wait_unbounded(ctx):  # with a lock_timeout, the wait is bounded
        locked = list(other_tables_locked(op, ctx, held))
    first = working_while if work else held.first(before=op)
    if first is None or (work is None and not locked):
        return
    first_table, first_op = first
    if not ctx.first_time(f"statements-after-access-exclusive:{first_op.loc.line}"):
        return
    why = work or f"must also lock {locked[0]}"
    holds = held_lock(first_table, first_op)
    closed = f"so {first_table} stays closed to reads and writes"
    if work:
        aside = f"meanwhile {holds}, {closed} until the transaction commits"
    else:  # the wait itself: with no lock_timeout, as long as the other table's slowest query
        aside = f"line {op.loc.line} then waits for a lock on {locked[0]} while {holds}, {closed}"
    commit = commit_after(ctx.file.tool, ctx.file.transaction, _LOCKING)
    yield ctx.finding(
        op,
        f"this statement {why} while {holds}, so {first_table} is closed to reads and writes "
        "until the transaction commits",
        f"{first_upper(commit)}, or move this statement to a separate migration, so the lock "
        "is held only for an instant.",
        aside=aside,
        aside_remedy=commit,
        aside_cites=first_op if work else None,  # a wait is news even to its own finding
        cause="" if work else LOCK_WAIT,
    )
