"""TRUNCATE deletes every row of a table that is in use.

## What it does
Flags `TRUNCATE` (without `CASCADE`; see `truncate-cascade`) of a table that existed
before this migration, unless the migration fills the table again afterwards
(reference data being re-seeded).

## Why is this bad?
All rows are gone at once, and rolling the code back does not bring them back;
release N-1 keeps running against an empty table. `TRUNCATE` also holds an ACCESS
EXCLUSIVE lock, which blocks every read of the table while it waits and runs.

## Example
```sql
TRUNCATE TABLE user_sessions;
```

## Use instead
Delete what must go, with a condition that says what that is, in batches:
```sql
DELETE FROM user_sessions WHERE expires_at < now() - interval '30 days';
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.destructive import refilled_later
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import Truncate


@rule(
    "truncate-table",
    category="destructive",
    severity="warning",
    dialects=("postgres", "mysql", "cockroach"),
    on_down=False,
)
def check(op: Truncate, ctx: Context) -> Iterator[Violation]:
    if op.cascade or refilled_later(ctx, op.table):
        return
    yield ctx.finding(
        op,
        f"TRUNCATE deletes every row of {op.table}, and blocks all reads of it while it runs",
        f"If only some rows of {op.table} must go, DELETE them with a WHERE that says which, "
        "in batches; if the table really must be emptied, back it up first and say why in a "
        "`-- migralint: ignore truncate-table -- reason` comment.",
    )
