"""Dropping a trigger silently changes what every write does.

## What it does
Flags `DROP TRIGGER` of a trigger this migration neither created nor re-creates, on
a table that existed before the migration, outside a migration marked `-- migralint:
phase=contract`. `DROP TRIGGER IF EXISTS t` followed by `CREATE TRIGGER t` (the
idempotent way to re-create a trigger) stays quiet, and so does a drop the migration
follows with another trigger on the same table (its replacement under a new name).

## Why is this bad?
Whatever the trigger did on each write (keeping a renamed column in sync, writing an
audit row, maintaining a derived value) stops at once, while release N-1 may still
rely on it: a column it kept in sync drifts with no error anywhere. It also takes an
ACCESS EXCLUSIVE lock on the table.

## Example
```sql
DROP TRIGGER users_sync_full_name ON users;
```

## Use instead
Drop a sync or audit trigger only once no running release relies on it, in a
contract migration; to change it, drop and re-create it in one migration:
```sql
-- migralint: phase=contract
DROP TRIGGER IF EXISTS users_sync_full_name ON users;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.destructive import dropped_object
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import DropObject


@rule(
    "drop-trigger",
    category="destructive",
    severity="warning",
    aliases=["ban-drop-trigger"],
    dialects=("postgres", "mysql", "sqlite", "cockroach"),
    on_down=False,
)
def check(op: DropObject, ctx: Context) -> Iterator[Violation]:
    if op.kind == "TRIGGER":
        yield from dropped_object(
            op,
            ctx,
            "stops what it did on every write (sync, audit, derived values), which release "
            "N-1 may rely on",
        )
