"""Moving an object to another schema breaks the queries that find it by its old name.

## What it does
Flags `ALTER TABLE / VIEW / TYPE / FUNCTION / SEQUENCE / EXTENSION … SET SCHEMA` of an
object this migration did not create, unless the migration creates a view under the
old name (a bridge for release N-1).

## Why is this bad?
Release N-1 names the object `public.orders`, or just `orders` and finds it through
`search_path`. After the move neither resolves unless the new schema is on every
session's `search_path`, so N-1 fails on every query of it during the rollout and
after a rollback of the code.

## Example
```sql
ALTER TABLE orders SET SCHEMA billing;
```

## Use instead
Move it and keep the old name working with a simple (hence updatable) view in the
same transaction; drop the view once no release uses the old name:
```sql
BEGIN;
ALTER TABLE orders SET SCHEMA billing;
CREATE VIEW public.orders AS SELECT * FROM billing.orders;
COMMIT;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.advice import rename_in_steps
from migralint.checks.destructive import created_here, recreated_later
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import Name, SetSchema


@rule(
    "set-schema",
    category="destructive",
    aliases=["ban-set-schema"],
    dialects=("postgres", "cockroach"),
    on_down=False,
    offline=False,  # harms release N-1 only, which an offline deploy does not run
)
def check(op: SetSchema, ctx: Context) -> Iterator[Violation]:
    if created_here(ctx, op.kind, op.name) or recreated_later(ctx, op.kind, op.name):
        return
    kind = op.kind.lower()
    moved = Name(op.name.name, op.new_schema)
    yield ctx.finding(
        op,
        f"moving {kind} {op.name} to schema {op.new_schema} breaks release N-1 queries "
        f"that find it as {op.name}",
        rename_in_steps(
            f"{kind} {op.name}",
            str(moved),
            f"a view or wrapper named {op.name} over {moved}, or {op.new_schema} on every "
            "search_path",
        ),
    )
