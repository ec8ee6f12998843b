"""CREATE TRIGGER without dropping it first fails when the migration runs again.

## What it does
Where re-running the migration matters (no transaction around it and a later statement
that can fail, a Flyway repeatable migration, a file marked
`-- migralint: phase=expand`), flags `CREATE TRIGGER` that is not `CREATE OR REPLACE
TRIGGER` (PostgreSQL 14+) and is not preceded in the file by a `DROP TRIGGER` of the
same trigger on the same table.

## Why is this bad?
There is no `CREATE TRIGGER IF NOT EXISTS`. After a partial failure the trigger exists,
and the re-run stops with "trigger already exists for relation". Sync triggers of an
expand migration are exactly the statements that get re-run during a messy rollout.

## Example
```sql
CREATE TRIGGER trg_sync_name BEFORE INSERT OR UPDATE ON users
FOR EACH ROW EXECUTE FUNCTION sync_name();
UPDATE users SET name = full_name WHERE name IS NULL;
```

## Use instead
```sql
DROP TRIGGER IF EXISTS trg_sync_name ON users;
CREATE TRIGGER trg_sync_name BEFORE INSERT OR UPDATE ON users
FOR EACH ROW EXECUTE FUNCTION sync_name();
UPDATE users SET name = full_name WHERE name IS NULL;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.idempotency import created_key, dropped_before, rerun_reason
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.names import quote, quote_name
from migralint.sql.ops import CreateObject


@rule(
    "create-trigger-without-drop",
    category="idempotency",
    severity="warning",
    aliases=["prefer-robust-stmts", "non-idempotent-ddl"],
    on_new_tables=True,
    reruns=True,
)
def check(op: CreateObject, ctx: Context) -> Iterator[Violation]:
    if op.kind != "TRIGGER" or op.or_replace or dropped_before(ctx, created_key(op)):
        return
    why = rerun_reason(op, ctx)
    if why is None:
        return
    on = f" ON {op.table}" if op.table else ""
    sql_on = f" ON {quote_name(op.table)}" if op.table else ""
    help = f"Write `DROP TRIGGER IF EXISTS {quote(op.name.name)}{sql_on};` just before it"
    if ctx.pg_version >= (14, 0):
        help += f", or `CREATE OR REPLACE TRIGGER {quote(op.name.name)} …` (PostgreSQL 14+)"
    yield ctx.finding(
        op,
        f"CREATE TRIGGER {op.name}{on} fails with 'already exists' when the migration runs "
        f"again: {why}",
        help + ".",
    )
