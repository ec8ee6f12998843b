"""CREATE or ADD CONSTRAINT that fails when a half-applied migration is run again.

## What it does
Where re-running the migration matters (no transaction around it and a later statement
that can fail, a Flyway repeatable migration, a file marked
`-- migralint: phase=expand`), flags `CREATE TABLE`, `CREATE INDEX`, `CREATE SCHEMA`,
`CREATE SEQUENCE`, `CREATE EXTENSION` and `CREATE MATERIALIZED VIEW` without
`IF NOT EXISTS`, and `ADD CONSTRAINT`, which has no `IF NOT EXISTS` in PostgreSQL,
unless the same file drops the object first or a DO block guards it. An unnamed
constraint re-adds the one PostgreSQL named `<table>_pkey`, `<table>_check` … unless the
statement drops that name first. One statement is one finding, at the action its
re-run stops at, naming every action of it this rule flags.

## Why is this bad?
A migration that fails halfway outside a transaction leaves its first statements
applied. Running it again, by hand or by the next deploy, then stops at the first of
them ("relation already exists"), and the deploy is stuck until someone edits the
database by hand. An unnamed constraint or index is worse: the re-run silently adds a
second copy.

## Example
```sql
CREATE INDEX CONCURRENTLY idx_users_email ON users (email);
CREATE INDEX CONCURRENTLY idx_users_name ON users (name);
```

## Use instead
```sql
DROP INDEX CONCURRENTLY IF EXISTS idx_users_email;
CREATE INDEX CONCURRENTLY idx_users_email ON users (email);
DROP INDEX CONCURRENTLY IF EXISTS idx_users_name;
CREATE INDEX CONCURRENTLY idx_users_name ON users (name);
```
For a constraint, drop it first: `ALTER TABLE users DROP CONSTRAINT IF EXISTS
users_email_key;` then `ADD CONSTRAINT users_email_key …`.
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.idempotency import rerun_reason
from migralint.checks.statement_rerun import (
    IF_NOT_EXISTS_KINDS,
    action,
    duplicated_here,
    fail_next,
    failing_here,
)
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql import ops

Creating = ops.CreateTable | ops.CreateIndex | ops.CreateObject | ops.AddConstraint


@rule(
    "create-without-if-not-exists",
    category="idempotency",
    severity="warning",
    aliases=["prefer-robust-stmts", "non-idempotent-ddl"],
    dialects=("postgres", "cockroach"),
    on_new_tables=True,
    reruns=True,
)
def check(op: Creating, ctx: Context) -> Iterator[Violation]:
    found = failing_here(ctx, _flagged) or duplicated_here(ctx, _flagged)
    if not found:
        return
    why = rerun_reason(op, ctx)
    if why is None:
        return
    message, help = _unguarded(op) or ("", "")
    if len(found) > 1:
        rest = ", ".join(action(o) for o in found[1:])
        message += f" (and so does {rest}, in the same statement)"
    yield ctx.finding(
        op,
        f"{message} when the migration runs again: {why}",
        help + fail_next(ctx, _flagged),
        covers=found,
    )


def _flagged(op: ops.Op) -> bool:
    return isinstance(op, Creating) and _unguarded(op) is not None


def _unguarded(op: Creating) -> tuple[str, str] | None:
    """(message start, help) for a create that a re-run trips over, else None."""
    if isinstance(op, ops.CreateTable):
        if op.if_not_exists or op.temporary:
            return None
        return (
            f"CREATE TABLE {op.table} fails with 'already exists'",
            f"Write `CREATE TABLE IF NOT EXISTS {op.table} …`.",
        )
    if isinstance(op, ops.CreateIndex):
        return None if op.if_not_exists else _index(op)
    if isinstance(op, ops.AddConstraint):
        return _constraint(op)
    if op.kind not in IF_NOT_EXISTS_KINDS or op.if_not_exists:
        return None
    return (
        f"CREATE {op.kind} {op.name} fails with 'already exists'",
        f"Write `CREATE {op.kind} IF NOT EXISTS {op.name} …`.",
    )


def _index(op: ops.CreateIndex) -> tuple[str, str]:
    if op.name is None:
        return (
            f"the unnamed index on {op.table} is built a second time",
            "Name the index and write `CREATE INDEX IF NOT EXISTS <name> ON …`.",
        )
    if op.concurrently:
        help = (
            f"Write `DROP INDEX CONCURRENTLY IF EXISTS {op.name};` before it: a failed "
            "concurrent build leaves an INVALID index behind, which IF NOT EXISTS would keep "
            "and the re-run then rebuilds."
        )
    else:
        help = f"Write `CREATE INDEX IF NOT EXISTS {op.name} …`."
    return f"CREATE INDEX {op.name} fails with 'already exists'", help


def _constraint(op: ops.AddConstraint) -> tuple[str, str]:
    c = op.constraint
    if c.name is None:
        if c.kind == "primary_key":
            return (
                f"ADD PRIMARY KEY on {op.table} fails ('multiple primary keys')",
                "Name the constraint and drop it first with `DROP CONSTRAINT IF EXISTS`, or "
                "guard it in a DO block that checks pg_constraint.",
            )
        return (
            f"the unnamed {c.kind.replace('_', ' ')} constraint on {op.table} is added a "
            "second time",
            f"Name it, and write `ALTER TABLE {op.table} DROP CONSTRAINT IF EXISTS <name>;` "
            "before adding it.",
        )
    return (
        f"ADD CONSTRAINT {c.name} on {op.table} fails with 'already exists' "
        "(PostgreSQL has no ADD CONSTRAINT IF NOT EXISTS)",
        f"Write `ALTER TABLE {op.table} DROP CONSTRAINT IF EXISTS {c.name};` before it, or "
        "guard it in a DO block: `IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = "
        f"'{c.name}') THEN … END IF`.",
    )
