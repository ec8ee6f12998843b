"""A migration marked phase=expand contains a destructive or incompatible change.

## What it does
In a file marked `-- migralint: phase=expand`, flags every statement that the release
still running cannot live with: drops (unless the file re-creates the object, the
usual idempotency idiom), renames, `SET SCHEMA`, `TRUNCATE`, `SET NOT NULL`, a type
change that is not binary-coercible, and a `NOT NULL` column added without a default.

## Why is this bad?
An expand migration runs before the new code is deployed, while release N-1 still
serves traffic, and must be safe to roll back past: it may only add. A drop or a
rename in it breaks N-1 immediately and closes the rollback door.

## Example
```sql
-- migralint: phase=expand
ALTER TABLE users ADD COLUMN IF NOT EXISTS name text;
ALTER TABLE users DROP COLUMN full_name;
```

## Use instead
```sql
-- migralint: phase=expand
ALTER TABLE users ADD COLUMN IF NOT EXISTS name text;
```
and drop `full_name` in a `-- migralint: phase=contract` migration of a later release.
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.locking import statement_text
from migralint.checks.phases import incompatible_change
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql import ops


@rule(
    "expand-phase-violation",
    category="phases",
    dialects=("postgres", "mysql", "sqlite", "cockroach"),
    on_down=False,
)
def check(op: ops.Op, ctx: Context) -> Iterator[Violation]:
    if ctx.file.phase != "expand":
        return
    why = incompatible_change(op, ctx)
    if why is None:
        return
    yield ctx.finding(
        op,
        f"`{statement_text(op, 60)}` does not belong in an expand migration: {why}",
        "Move it to a `-- migralint: phase=contract` migration that runs a release later, "
        "once no running code depends on the old schema.",
    )
