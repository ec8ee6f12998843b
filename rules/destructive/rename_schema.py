"""Renaming a schema breaks every query that names it.

## What it does
Flags `ALTER SCHEMA … RENAME TO` of a schema this migration did not create.

## Why is this bad?
Every qualified name in release N-1 (`billing.invoices`), and every `search_path`
that lists the schema, stops resolving at once: N-1 fails on everything in the
schema, during the rollout and after a rollback of the code.

## Example
```sql
ALTER SCHEMA billing RENAME TO finance;
```

## Use instead
Keep the schema name; if the objects must move, move them one at a time behind views
under the old names, or point `search_path` at both schemas while releases switch:
```sql
CREATE SCHEMA IF NOT EXISTS finance;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.destructive import renamed_object
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import RenameObject


@rule(
    "rename-schema",
    category="destructive",
    aliases=["renaming-object"],
    dialects=("postgres", "cockroach"),
    on_down=False,
    offline=False,  # harms release N-1 only, which an offline deploy does not run
)
def check(op: RenameObject, ctx: Context) -> Iterator[Violation]:
    if op.kind == "SCHEMA":
        yield from renamed_object(
            op,
            ctx,
            f"breaks every release N-1 query that names {op.name.name} or has it in search_path",
            f"views in {op.name.name} over the moved objects, or both schemas in search_path",
        )
