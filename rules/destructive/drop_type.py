"""Dropping a type breaks the code and columns that use it.

## What it does
Flags `DROP TYPE` of a type this migration neither created nor re-creates, outside a
migration marked `-- migralint: phase=contract`. A drop followed by a `CREATE TYPE`
of the same name (the usual way to change an enum's values) stays quiet, unless
`CASCADE` dropped columns of the type on the way.

## Why is this bad?
Release N-1 may still cast to the type (`'active'::user_status`) or call functions
taking it. With `CASCADE`, every table column of the type is dropped too, and its data
is lost for good.

## Example
```sql
DROP TYPE user_status CASCADE;
```

## Use instead
Move the columns off the type first (`ALTER COLUMN … TYPE text`), ship code that no
longer names it, and drop it without CASCADE in a contract migration:
```sql
-- migralint: phase=contract
DROP TYPE IF EXISTS user_status;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.destructive import dropped_object
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import DropObject


@rule(
    "drop-type",
    category="destructive",
    severity="warning",
    aliases=["ban-drop-type"],
    dialects=("postgres", "cockroach"),
    on_down=False,
)
def check(op: DropObject, ctx: Context) -> Iterator[Violation]:
    if op.kind == "TYPE":
        yield from dropped_object(
            op, ctx, "breaks release N-1 wherever it still casts to it or passes it to functions"
        )
