"""An UPDATE in the transaction that changed the table's schema holds the lock for the
whole backfill.

## What it does
Flags an `UPDATE` of an existing table inside a transaction that already altered that
table (ADD COLUMN, CREATE INDEX, …), or that still holds an ACCESS EXCLUSIVE lock on
any existing table. Reported once per table and held lock. An UPDATE of a system
catalog (`pg_index`, `pg_catalog.…`) changes a few rows and is no backfill.

## Why is this bad?
Locks are released only at commit. The DDL's lock (for ALTER TABLE, ACCESS EXCLUSIVE)
stays held while the UPDATE visits every row, so a one-instant schema change becomes
an outage as long as the backfill; the backfill also holds all its row locks until the
end and cannot be resumed halfway.

## Example
```sql
BEGIN;
ALTER TABLE users ADD COLUMN active boolean;
UPDATE users SET active = true;
COMMIT;
```

## Use instead
Commit the DDL first, then backfill in batches, each in its own short transaction:
```sql
BEGIN;
ALTER TABLE users ADD COLUMN active boolean;
COMMIT;
UPDATE users SET active = true WHERE id BETWEEN 1 AND 10000 AND active IS NULL;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.locking import backfill_under_lock
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import Update


@rule("backfill-with-ddl", category="locking")
def check(op: Update, ctx: Context) -> Iterator[Violation]:
    reason = backfill_under_lock(op, ctx)
    if reason is None or not ctx.first_time(f"backfill-with-ddl:{op.table.key}:{reason}"):
        return  # one finding per table and held lock: the fix moves all of its UPDATEs
    yield ctx.finding(
        op,
        f"this UPDATE of {op.table} runs while {reason}: the lock stays held for the whole "
        "backfill",
        "Move the UPDATE to a separate migration that runs after the DDL has committed, and "
        f"backfill {op.table} in batches (e.g. by primary-key ranges), one short transaction "
        "each.",
    )
