"""BEGIN while a transaction is already open does not nest: the first COMMIT ends both.

## What it does
Flags `BEGIN` / `START TRANSACTION` while an explicit `BEGIN` of the same file is still
open.

## Why is this bad?
PostgreSQL has no nested transactions: the inner BEGIN only prints a warning, and the
inner COMMIT commits everything since the outer BEGIN. The statements after it then
run outside any transaction, so a failure there leaves the migration half-applied,
and the outer COMMIT commits nothing.

## Example
```sql
BEGIN;
ALTER TABLE users ADD COLUMN nickname text;
BEGIN;
UPDATE users SET nickname = name WHERE nickname IS NULL;
COMMIT;
COMMIT;
```

## Use instead
One transaction, or `SAVEPOINT` for a part that may be rolled back on its own:
```sql
BEGIN;
ALTER TABLE users ADD COLUMN nickname text;
SAVEPOINT backfill;
UPDATE users SET nickname = name WHERE nickname IS NULL;
RELEASE SAVEPOINT backfill;
COMMIT;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.file_index import first_after, last_before
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql import ops


@rule(
    "nested-transaction",
    category="transactions",
    severity="warning",
    aliases=["transaction-nesting"],
    dialects=("postgres", "mysql", "cockroach"),
)
def check(op: ops.Begin, ctx: Context) -> Iterator[Violation]:
    if not ctx.session.explicit:
        return
    opened = _open_begin(ctx)
    where = f" (opened on line {opened.loc.line})" if opened else ""
    yield ctx.finding(
        op,
        f"BEGIN inside an open transaction{where} does not nest: the next COMMIT ends the "
        "whole transaction and what follows runs outside it",
        "Remove this BEGIN (and its COMMIT), or use `SAVEPOINT name` / `RELEASE SAVEPOINT "
        "name` for the inner part.",
    )


def _open_begin(ctx: Context) -> ops.Begin | None:
    """The BEGIN that opened the current transaction."""
    committed = last_before(ctx, ops.Commit)
    begin = first_after(ctx, ops.Begin, position=-1 if committed is None else committed)
    opened = ctx.file_ops[begin] if begin is not None and begin < ctx.position else None
    return opened if isinstance(opened, ops.Begin) else None
