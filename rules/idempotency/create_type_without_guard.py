"""CREATE TYPE or CREATE DOMAIN without a guard fails when run again.

## What it does
Where re-running the migration matters (no transaction around it and a later statement
that can fail, a Flyway repeatable migration, a file marked
`-- migralint: phase=expand`), flags `CREATE TYPE` and `CREATE DOMAIN` that are neither
inside a DO block that checks for the type first nor preceded by a `DROP TYPE` /
`DROP DOMAIN` of the same name in the file.

## Why is this bad?
PostgreSQL has no `CREATE TYPE IF NOT EXISTS`. After a partial failure the type exists
and the re-run stops with "type already exists".

## Example
```sql
CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped');
ALTER TABLE orders ADD COLUMN IF NOT EXISTS status order_status;
```

## Use instead
```sql
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'order_status') THEN
    CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped');
  END IF;
END $$;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS status order_status;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.idempotency import created_key, dropped_before, rerun_reason
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.names import quote_name
from migralint.sql.ops import CreateObject


@rule(
    "create-type-without-guard",
    category="idempotency",
    severity="warning",
    aliases=["prefer-robust-stmts", "non-idempotent-ddl"],
    reruns=True,
)
def check(op: CreateObject, ctx: Context) -> Iterator[Violation]:
    if op.kind not in ("TYPE", "DOMAIN") or dropped_before(ctx, created_key(op)):
        return
    why = rerun_reason(op, ctx)
    if why is None:
        return
    schema = f" AND typnamespace = '{op.name.schema}'::regnamespace" if op.name.schema else ""
    yield ctx.finding(
        op,
        f"CREATE {op.kind} {op.name} fails with 'already exists' when the migration runs "
        f"again (there is no IF NOT EXISTS for types): {why}",
        f"Wrap it: `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = "
        f"'{op.name.name}'{schema}) THEN CREATE {op.kind} {quote_name(op.name)} …; END IF; "
        f"END $$;`. `DROP {op.kind} IF EXISTS {quote_name(op.name)};` before it also works "
        "while no column uses it.",
    )
