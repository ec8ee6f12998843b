"""BEGIN without COMMIT: the migration's changes are rolled back when the session ends.

## What it does
Flags a `BEGIN` / `START TRANSACTION` that is still open at the end of a file the
migration tool does not wrap in its own transaction.

## Why is this bad?
When the connection closes, PostgreSQL rolls the open transaction back: the migration
reports success and the tool records it as applied, but none of its changes exist.
If the tool reuses the connection, the next migration runs inside this transaction
instead.

## Example
```sql
BEGIN;
ALTER TABLE users ADD COLUMN nickname text;
```

## Use instead
```sql
BEGIN;
ALTER TABLE users ADD COLUMN nickname text;
COMMIT;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql import ops


@rule(
    "uncommitted-transaction",
    category="transactions",
    aliases=["ban-uncommitted-transaction"],
    dialects=("postgres", "mysql", "cockroach"),
)
def check(op: ops.EndOfFile, ctx: Context) -> Iterator[Violation]:
    if not ctx.session.explicit or ctx.session.wrapped:
        return
    begin = next(
        (o for o in reversed(ctx.file_ops[: ctx.position]) if isinstance(o, ops.Begin)), op
    )
    yield ctx.finding(
        begin,
        "this transaction is never committed: when the session ends it is rolled back, and "
        "the migration is recorded as applied without its changes",
        "Add `COMMIT;` after the last statement of the transaction.",
    )
