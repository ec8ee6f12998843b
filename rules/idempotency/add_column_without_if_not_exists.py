"""ADD COLUMN without IF NOT EXISTS fails when a half-applied migration is run again.

## What it does
Where re-running the migration matters (no transaction around it and a later statement
that can fail, a Flyway repeatable migration, a file marked
`-- migralint: phase=expand`), flags `ALTER TABLE … ADD COLUMN` without
`IF NOT EXISTS`, unless the same file dropped the column first or a DO block guards it.

## Why is this bad?
After a partial failure the column is already there, and the re-run stops with
"column already exists": the deploy is stuck until someone fixes the database by hand.
Expand migrations in particular must be safe to re-run at any time during a rollout.

## Example
```sql
ALTER TABLE users ADD COLUMN nickname text;
DROP INDEX CONCURRENTLY IF EXISTS idx_users_nickname;
CREATE INDEX CONCURRENTLY idx_users_nickname ON users (nickname);
```

## Use instead
```sql
ALTER TABLE users ADD COLUMN IF NOT EXISTS nickname text;
DROP INDEX CONCURRENTLY IF EXISTS idx_users_nickname;
CREATE INDEX CONCURRENTLY idx_users_nickname ON users (nickname);
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.idempotency import created_key, dropped_before, rerun_reason
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import AddColumn


@rule(
    "add-column-without-if-not-exists",
    category="idempotency",
    severity="warning",
    aliases=["prefer-robust-stmts", "non-idempotent-ddl"],
    dialects=("postgres", "cockroach"),
    on_new_tables=True,
)
def check(op: AddColumn, ctx: Context) -> Iterator[Violation]:
    if op.if_not_exists or dropped_before(ctx, created_key(op)):
        return
    why = rerun_reason(op, ctx)
    if why is None:
        return
    column = op.column.name
    if ctx.pg_version >= (9, 6):
        help = f"Write `ALTER TABLE {op.table} ADD COLUMN IF NOT EXISTS {column} …`."
    else:
        help = (
            "PostgreSQL before 9.6 has no ADD COLUMN IF NOT EXISTS: guard it in a DO block "
            f"that checks information_schema.columns for {op.table}.{column}."
        )
    yield ctx.finding(
        op,
        f"ADD COLUMN {op.table}.{column} fails with 'already exists' when the migration runs "
        f"again: {why}",
        help,
    )
