"""COMMIT or ROLLBACK in a file the migration tool already runs in a transaction.

## What it does
In files the tool wraps in a transaction (Flyway, diesel, dbmate, popx), flags
`ROLLBACK`, and `COMMIT` that has statements after it. Tools that send the file as one
multi-statement query (golang-migrate, Prisma) open no transaction: PostgreSQL runs
such a string as one implicit transaction only while it has no transaction control of
its own, so there the file's BEGIN … COMMIT blocks are what run, and only `ROLLBACK`
(which undoes the statements before it) is flagged.

## Why is this bad?
The COMMIT ends the tool's transaction early: the statements after it run in a new
transaction (or none), so a failure there leaves the first part committed and the
migration half-applied, and the tool cannot roll it back. A ROLLBACK silently undoes
everything before it while the tool records the migration as applied. The BEGIN is
only a warning: PostgreSQL does not nest transactions.

## Example
```sql file=V1__nickname.sql
-- migralint: phase=expand
BEGIN;
ALTER TABLE users ADD COLUMN nickname text;
COMMIT;
CREATE INDEX idx_users_nickname ON users (nickname);
```

## Use instead
Let the tool's transaction cover the whole file; a statement that must run outside a
transaction goes into a migration of its own:
```sql file=V1__nickname.sql
ALTER TABLE users ADD COLUMN nickname text;
CREATE INDEX idx_users_nickname ON users (nickname);
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.advice import outside_transaction
from migralint.checks.idempotency import statements_after
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql import ops


@rule(
    "transaction-in-wrapped-file",
    category="transactions",
    severity="warning",
    aliases=["transaction-nesting"],
)
def check(op: ops.Commit, ctx: Context) -> Iterator[Violation]:
    if not ctx.session.wrapped:
        return
    tool = ctx.file.tool if ctx.file.tool != "plain" else "the migration tool"
    implicit = ctx.file.transaction == "implicit"  # one query: no transaction of the tool's
    if op.rollback:
        where = "before it" if implicit else f"inside the transaction {tool} opened"
        yield ctx.finding(
            op,
            f"ROLLBACK undoes this file's changes {where}, yet the migration is recorded "
            "as applied",
            "Remove the ROLLBACK; to abandon the migration, raise an error instead "
            "(`DO $$ BEGIN RAISE EXCEPTION '…'; END $$;`).",
        )
        return
    if implicit or not statements_after(ctx, op):
        return
    yield ctx.finding(
        op,
        f"COMMIT ends the transaction {tool} wraps around this file: the statements after "
        "it are not atomic with those before, so a failure leaves the migration half-applied",
        "Remove BEGIN/COMMIT and let the tool's transaction cover the file; a statement that "
        f"cannot run in a transaction must go alone: {outside_transaction(ctx.file.tool)}.",
    )
