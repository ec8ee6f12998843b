"""SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock.

## What it does
Flags `ALTER TABLE … ALTER COLUMN … SET NOT NULL` on an existing table, unless the
column is NOT NULL already (PostgreSQL then does nothing) or, on PostgreSQL 12 or
later, a validated `CHECK (column IS NOT NULL)` already proves it.
One ALTER TABLE setting several columns NOT NULL is one finding naming them all.

On a column the same migration added without a default, `new-column-made-required`
stands for it: its fix (a default in the ADD COLUMN, or NOT NULL a release later)
removes the scan too.

## Why is this bad?
PostgreSQL checks every row before it commits, holding a lock that blocks all reads
and writes of the table for the whole scan. It also breaks release N-1 if that
release still inserts rows without the column.

## Example
```sql
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
```

## Use instead
On PostgreSQL 12+, prove it with a CHECK first (validated without blocking), after
which SET NOT NULL skips the scan:
```sql
ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
ALTER TABLE users DROP CONSTRAINT users_email_not_null;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.advice import plan_command
from migralint.checks.grouping import listing, per_statement
from migralint.checks.locking import not_null_needs_no_scan
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import SetNotNull


@rule("setting-not-null", category="locking", aliases=["adding-not-nullable-field"])
def check(op: SetNotNull, ctx: Context) -> Iterator[Violation]:
    columns = per_statement(op, ctx, _scanned)
    if not columns:
        return
    command = plan_command("set-not-null", op.table, column=columns[0])
    each = "" if len(columns) == 1 else " (one column at a time)"
    if ctx.pg_version < (12, 0):
        how = "PostgreSQL before 12 always scans; backfill and add a validated CHECK instead"
    elif len(columns) == 1:
        how = (
            f"Add `CHECK ({columns[0]} IS NOT NULL) NOT VALID`, VALIDATE it in a separate "
            "transaction, then SET NOT NULL (no scan) and drop the CHECK"
        )
    else:
        how = (
            f"Add a `CHECK (<column> IS NOT NULL) NOT VALID` for each of {', '.join(columns)}, "
            "VALIDATE them in a separate transaction, then SET NOT NULL (no scan) and drop "
            "the CHECKs"
        )
    what = listing("", [f"{op.table}.{c}" for c in columns], "columns")
    yield ctx.finding(
        op,
        f"SET NOT NULL on {what} scans the whole table while blocking reads and writes",
        f"{how}. `{command}` writes the steps{each}.",
        covers=columns.ops,
    )


def _scanned(op: SetNotNull, ctx: Context) -> str | None:
    """The column, if PostgreSQL must scan the table to prove it has no NULL."""
    return None if not_null_needs_no_scan(op, ctx) else op.column
