"""ADD COLUMN without IF NOT EXISTS fails when a half-applied migration is run again.

## What it does
Where re-running the migration matters (no transaction around it and a later statement
that can fail, a Flyway repeatable migration, a file marked
`-- migralint: phase=expand`), flags `ALTER TABLE … ADD COLUMN` without
`IF NOT EXISTS`, unless the same file dropped the column first or a DO block guards it.
One statement is one finding, at the action its re-run stops at, naming every column
it adds without `IF NOT EXISTS` (see `drop-without-if-exists` for a statement that
stops at one of its drops first).

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

from migralint.checks.idempotency import rerun_reason
from migralint.checks.statement_rerun import fail_next, failing_here
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql import ops


@rule(
    "add-column-without-if-not-exists",
    category="idempotency",
    severity="warning",
    aliases=["prefer-robust-stmts", "non-idempotent-ddl"],
    dialects=("postgres", "cockroach"),
    on_new_tables=True,
    reruns=True,
)
def check(op: ops.AddColumn, ctx: Context) -> Iterator[Violation]:
    added = failing_here(ctx, _adds_column)
    if not added:
        return
    why = rerun_reason(op, ctx)
    if why is None:
        return
    columns = [a.column.name for a in added if isinstance(a, ops.AddColumn)]
    if len(columns) == 1:
        what = f"ADD COLUMN {op.table}.{columns[0]} fails with 'already exists'"
    else:
        what = (
            f"ADD COLUMN of {len(columns)} columns to {op.table} ({', '.join(columns)}) fails "
            f"with 'already exists' at {columns[0]}"
        )
    if ctx.pg_version >= (9, 6):
        each = "" if len(columns) == 1 else " (each of them)"
        help = f"Write `ALTER TABLE {op.table} ADD COLUMN IF NOT EXISTS {columns[0]} …`{each}."
    else:
        help = (
            "PostgreSQL before 9.6 has no ADD COLUMN IF NOT EXISTS: guard it in a DO block "
            f"that checks information_schema.columns for {op.table}.{columns[0]}."
        )
    yield ctx.finding(
        op,
        f"{what} when the migration runs again: {why}",
        help + fail_next(ctx, _adds_column),
        covers=added,
    )


def _adds_column(op: ops.Op) -> bool:
    return isinstance(op, ops.AddColumn)
