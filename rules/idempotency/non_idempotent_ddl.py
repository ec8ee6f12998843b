"""DDL that fails when a half-applied migration is run again.

## What it does
In migrations of several statements that do not run inside one transaction, and in
files marked `-- migralint: phase=expand`, flags CREATE without `IF NOT EXISTS` (tables, indexes,
schemas, sequences, extensions), ADD COLUMN without `IF NOT EXISTS`, DROP without
`IF EXISTS`, and CREATE FUNCTION / PROCEDURE / VIEW without `OR REPLACE`.

## Why is this bad?
Without a transaction, a migration that fails halfway leaves its first statements
applied. Running it again, by hand or by the next deploy, then fails on the very first
statement ("relation already exists"), and the deploy is stuck until someone edits
the database by hand. An expand migration must be safe to re-run at any time.

## Example
```sql
CREATE INDEX CONCURRENTLY idx_users_email ON users (email);
CREATE INDEX CONCURRENTLY idx_users_name ON users (name);
```

## Use instead
```sql
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_email ON users (email);
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_name ON users (name);
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql import ops

_IF_NOT_EXISTS_KINDS = ("SCHEMA", "SEQUENCE", "EXTENSION")
_OR_REPLACE_KINDS = ("FUNCTION", "PROCEDURE", "VIEW")
Guardable = (
    ops.CreateTable
    | ops.CreateIndex
    | ops.CreateObject
    | ops.AddColumn
    | ops.DropTable
    | ops.DropIndex
    | ops.DropObject
    | ops.DropColumn
    | ops.DropConstraint
)


def _missing_guard(op: Guardable) -> str | None:
    """The guard the statement lacks, or None when re-running it is safe."""
    if isinstance(op, (ops.CreateTable, ops.CreateIndex, ops.AddColumn)):
        return None if op.if_not_exists else "IF NOT EXISTS"
    if isinstance(op, ops.CreateObject):
        if op.kind in _IF_NOT_EXISTS_KINDS and not op.if_not_exists:
            return "IF NOT EXISTS"
        if op.kind in _OR_REPLACE_KINDS and not op.or_replace:
            return "OR REPLACE"
        return None
    return None if op.if_exists else "IF EXISTS"


@rule(
    "non-idempotent-ddl",
    category="idempotency",
    severity="warning",
    aliases=["prefer-robust-stmts"],
    on_new_tables=True,
)
def check(op: Guardable, ctx: Context) -> Iterator[Violation]:
    atomic = ctx.session.in_transaction or ctx.file.statements == 1
    if atomic and ctx.file.phase != "expand":
        return  # a failed migration that rolls back whole is safe to re-run
    if isinstance(op, ops.CreateTable) and op.temporary:
        return
    guard = _missing_guard(op)
    if guard is None:
        return
    why = (
        "this expand migration must be safe to re-run"
        if ctx.file.phase == "expand"
        else "this migration runs outside a transaction, so a failure leaves it half-applied"
    )
    yield ctx.finding(
        op,
        f"statement without {guard} fails when the migration is run again: {why}",
        f"Write it with {guard}, so a re-run after a partial failure passes.",
    )
