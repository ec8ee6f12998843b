"""ALTER TYPE … ADD VALUE without IF NOT EXISTS fails when the migration runs again.

## What it does
Where re-running the migration matters (no transaction around it, as in a goose file
marked `-- +goose NO TRANSACTION` or any file run statement by statement, a Flyway
repeatable migration, a file marked `-- migralint: phase=expand`), flags
`ALTER TYPE … ADD VALUE` without `IF NOT EXISTS`, unless the same file dropped the type
first.

## Why is this bad?
An enum label, once added, stays: the re-run stops with "enum label already exists"
and the deploy is stuck until someone edits the migration or the database by hand.
Adding enum values is the statement most often run outside a transaction (before
PostgreSQL 12 it cannot run inside one), so it is exactly where re-runs happen.

## Example
```sql
ALTER TYPE order_status ADD VALUE 'refunded';
ALTER TABLE orders ADD COLUMN IF NOT EXISTS refunded_at timestamptz;
```

## Use instead
```sql
ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'refunded';
ALTER TABLE orders ADD COLUMN IF NOT EXISTS refunded_at timestamptz;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.idempotency import dropped_before, rerun_reason
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import AlterTypeAddValue


@rule(
    "add-enum-value-without-if-not-exists",
    category="idempotency",
    severity="warning",
    aliases=["prefer-robust-stmts", "non-idempotent-ddl"],
    dialects=("postgres",),
    reruns=True,
)
def check(op: AlterTypeAddValue, ctx: Context) -> Iterator[Violation]:
    if op.if_not_exists or dropped_before(ctx, ("TYPE", op.name.key)):
        return
    why = rerun_reason(op, ctx)
    if why is None:
        return
    where = f" {op.position}" if op.position else ""
    yield ctx.finding(
        op,
        f"ALTER TYPE {op.name} ADD VALUE '{op.value}' fails with 'enum label already exists' "
        f"when the migration runs again: {why}",
        f"Write `ALTER TYPE {op.name} ADD VALUE IF NOT EXISTS '{op.value}'{where};`.",
    )
