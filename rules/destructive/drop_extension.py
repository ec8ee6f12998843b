"""Dropping an extension removes the types and functions the code uses.

## What it does
Flags `DROP EXTENSION` of an extension this migration neither created nor creates
again, outside a migration marked `-- migralint: phase=contract`.

## Why is this bad?
Every function, operator and type of the extension goes with it (`gen_random_uuid()`,
`citext`, `hstore`, PostGIS geometries); release N-1 queries that use them fail. With
`CASCADE`, table columns of the extension's types are dropped too, with their data.

## Example
```sql
DROP EXTENSION hstore CASCADE;
```

## Use instead
Move the columns and code off the extension first, then drop it without CASCADE, so
the statement fails if anything still depends on it:
```sql
-- migralint: phase=contract
DROP EXTENSION IF EXISTS hstore;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.destructive import dropped_object
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import DropObject


@rule(
    "drop-extension",
    category="destructive",
    severity="warning",
    aliases=["ban-drop-extension"],
    dialects=("postgres", "cockroach"),
    on_down=False,
)
def check(op: DropObject, ctx: Context) -> Iterator[Violation]:
    if op.kind == "EXTENSION":
        yield from dropped_object(
            op, ctx, "removes its types, functions and operators, which release N-1 may still use"
        )
