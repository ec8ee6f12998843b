"""DROP without IF EXISTS fails when a half-applied migration is run again.

## What it does
Where re-running the migration matters (no transaction around it and a later statement
that can fail, a Flyway repeatable migration, a file marked
`-- migralint: phase=expand`), flags `DROP TABLE`, `DROP INDEX`, `DROP VIEW`,
`DROP FUNCTION`, `DROP TYPE`, `DROP TRIGGER` … and `ALTER TABLE … DROP COLUMN` /
`DROP CONSTRAINT` without `IF EXISTS`. A drop of something the same file created just
before is left alone, and so is one the same statement re-creates (`DROP CONSTRAINT
q_pkey, …, ADD PRIMARY KEY (k)`: PostgreSQL names the new key q_pkey). One statement
is one finding, at the action its re-run stops at (an ALTER TABLE runs its drops
first), naming every drop of it that fails.

## Why is this bad?
After a partial failure the object is already gone, and the re-run stops with "does
not exist": the deploy is stuck until someone edits the database by hand.

## Example
```sql
DROP INDEX CONCURRENTLY idx_users_old_email;
DROP INDEX CONCURRENTLY IF EXISTS idx_users_email;
CREATE INDEX CONCURRENTLY idx_users_email ON users (lower(email));
```

## Use instead
```sql
DROP INDEX CONCURRENTLY IF EXISTS idx_users_old_email;
DROP INDEX CONCURRENTLY IF EXISTS idx_users_email;
CREATE INDEX CONCURRENTLY idx_users_email ON users (lower(email));
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.idempotency import rerun_reason
from migralint.checks.statement_rerun import action, fail_next, failing_here
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql import ops
from migralint.sql.names import quote, quote_name

Dropping = ops.DropTable | ops.DropIndex | ops.DropObject | ops.DropColumn | ops.DropConstraint


@rule(
    "drop-without-if-exists",
    category="idempotency",
    severity="warning",
    aliases=["prefer-robust-stmts", "non-idempotent-ddl"],
    dialects=("postgres", "cockroach"),
    on_new_tables=True,
    reruns=True,
)
def check(op: Dropping, ctx: Context) -> Iterator[Violation]:
    dropped = failing_here(ctx, _drops)
    if not dropped:
        return
    why = rerun_reason(op, ctx)
    if why is None:
        return
    what = action(op)
    if len(dropped) > 1:
        what = f"{', '.join(action(d) for d in dropped)}: the statement"
    guarded = "; ".join(f"`{_guarded(d)}`" for d in dropped if isinstance(d, Dropping))
    yield ctx.finding(
        op,
        f"{what} fails with 'does not exist' when the migration runs again: {why}",
        f"Write it with IF EXISTS: {guarded}." + fail_next(ctx, _drops),
        covers=dropped,
    )


def _drops(op: ops.Op) -> bool:
    return isinstance(op, Dropping)


def _guarded(op: Dropping) -> str:
    if isinstance(op, ops.DropTable):
        return f"DROP TABLE IF EXISTS {quote_name(op.table)}"
    if isinstance(op, ops.DropColumn):
        return f"ALTER TABLE {quote_name(op.table)} DROP COLUMN IF EXISTS {quote(op.column)}"
    if isinstance(op, ops.DropConstraint):
        return f"ALTER TABLE {quote_name(op.table)} DROP CONSTRAINT IF EXISTS {quote(op.name)}"
    if isinstance(op, ops.DropIndex):
        concurrently = "CONCURRENTLY " if op.concurrently else ""
        return f"DROP INDEX {concurrently}IF EXISTS {quote_name(op.name)}"
    on = f" ON {quote_name(op.table)}" if op.table is not None else ""
    return f"DROP {op.kind} IF EXISTS {quote_name(op.name)}{on}"
