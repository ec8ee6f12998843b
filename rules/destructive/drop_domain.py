"""Dropping a domain breaks the code and columns that use it.

## What it does
Flags `DROP DOMAIN` of a domain this migration neither created nor re-creates,
outside a migration marked `-- migralint: phase=contract`.

## Why is this bad?
Release N-1 may still cast to the domain or call functions that take it. With
`CASCADE`, every table column of the domain is dropped too, with its data.

## Example
```sql
DROP DOMAIN email_address CASCADE;
```

## Use instead
Move the columns to the base type first (`ALTER COLUMN … TYPE text`), ship code that
no longer names the domain, and drop it without CASCADE in a contract migration:
```sql
-- migralint: phase=contract
DROP DOMAIN IF EXISTS email_address;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.destructive import dropped_object
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import DropObject


@rule(
    "drop-domain",
    category="destructive",
    severity="warning",
    aliases=["ban-drop-domain"],
    dialects=("postgres",),
    on_down=False,
)
def check(op: DropObject, ctx: Context) -> Iterator[Violation]:
    if op.kind == "DOMAIN":
        yield from dropped_object(op, ctx, "breaks release N-1 wherever it still casts to it")
