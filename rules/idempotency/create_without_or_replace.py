"""CREATE FUNCTION, PROCEDURE or VIEW without OR REPLACE fails when run again.

## What it does
Where re-running the migration matters (no transaction around it and a later statement
that can fail, a Flyway repeatable migration, a file marked
`-- migralint: phase=expand`), flags `CREATE FUNCTION`, `CREATE PROCEDURE` and
`CREATE VIEW` without `OR REPLACE`, unless the same file dropped the object first.

## Why is this bad?
After a partial failure the function or view already exists and the re-run stops with
"already exists". Repeatable migrations, which exist to redefine views and functions,
fail on every run after the first.

## Example
```sql
CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
ALTER TABLE users ADD COLUMN IF NOT EXISTS updated_at timestamptz;
```

## Use instead
```sql
CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
ALTER TABLE users ADD COLUMN IF NOT EXISTS updated_at timestamptz;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.idempotency import created_key, dropped_before, rerun_reason
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import CreateObject

_OR_REPLACE_KINDS = ("FUNCTION", "PROCEDURE", "VIEW")


@rule(
    "create-without-or-replace",
    category="idempotency",
    severity="warning",
    aliases=["prefer-robust-stmts", "non-idempotent-ddl"],
    reruns=True,
)
def check(op: CreateObject, ctx: Context) -> Iterator[Violation]:
    if op.kind not in _OR_REPLACE_KINDS or op.or_replace:
        return
    if dropped_before(ctx, created_key(op)):
        return
    why = rerun_reason(op, ctx)
    if why is None:
        return
    yield ctx.finding(
        op,
        f"CREATE {op.kind} {op.name} fails with 'already exists' when the migration runs "
        f"again: {why}",
        f"Write `CREATE OR REPLACE {op.kind} {op.name} …`"
        + (
            " (a view can only gain columns at the end this way; otherwise "
            f"`DROP VIEW IF EXISTS {op.name};` first)."
            if op.kind == "VIEW"
            else "."
        ),
    )
