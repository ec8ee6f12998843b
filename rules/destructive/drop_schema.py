"""Dropping a schema removes everything in it, data included.

## What it does
Flags `DROP SCHEMA`, unless this migration created the schema or the migration is
marked `-- migralint: phase=contract`.

## Why is this bad?
With `CASCADE`, every table, view, function and sequence in the schema goes with it,
and their data cannot be brought back by rolling the code back. Without `CASCADE`
the statement fails unless the schema is empty, and release N-1 may still name it.

## Example
```sql
DROP SCHEMA reporting CASCADE;
```

## Use instead
Move or drop the schema's objects one by one, each in a reviewed migration, after the
code stopped using them; drop the emptied schema in a contract migration:
```sql
-- migralint: phase=contract
DROP SCHEMA IF EXISTS reporting;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.advice import remove_later
from migralint.checks.destructive import created_here, removal_planned
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import DropObject


@rule(
    "drop-schema",
    category="destructive",
    aliases=["ban-drop-schema"],
    dialects=("postgres", "cockroach"),
    on_down=False,
)
def check(op: DropObject, ctx: Context) -> Iterator[Violation]:
    if op.kind != "SCHEMA" or removal_planned(ctx.file) or created_here(ctx, "SCHEMA", op.name):
        return
    if op.cascade:
        harm = "and every table, view and function in it, with all their data"
    else:
        harm = "which fails unless it is empty, and breaks release N-1 if it still names it"
    yield ctx.finding(
        op,
        f"dropping schema {op.name} {harm}",
        "Drop the objects in it explicitly, each after the code stopped using it, then the "
        f"empty schema without CASCADE. {remove_later(f'schema {op.name}')}",
    )
