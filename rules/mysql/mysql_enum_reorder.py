"""Changing a MySQL ENUM other than by appending rebuilds the table or breaks writes.

## What it does
Flags a MySQL `ALTER TABLE … MODIFY` / `CHANGE` of an ENUM or SET column whose new
value list does not start with the old values in the old order. The old list must
be known from an earlier migration. The labels are read from the type's text
(`ENUM('a', 'b')`), since the parser keeps them there.

## Why is this bad?
MySQL stores an ENUM as the position of its value. Appending values at the end is
instant; inserting one in the middle or reordering changes the stored numbers, so
MySQL copies the whole table while writes wait. Removing a value also breaks
release N-1, which still writes it: strict mode rejects those writes, and
otherwise they are stored as the empty string. Growing past 255 values (ENUM) or
crossing a multiple of 8 (SET) changes the storage size and copies the table too.

## Example
After an earlier migration made `orders.status` an `ENUM('new', 'paid', 'shipped')`
(the first statement stands in for it, so the example is complete on its own):
```sql
ALTER TABLE orders MODIFY status ENUM('new', 'paid', 'shipped');
ALTER TABLE orders MODIFY status ENUM('new', 'pending', 'paid', 'shipped');
```

## Use instead
Append new values at the end of the list:
```sql
ALTER TABLE orders MODIFY status ENUM('new', 'paid', 'shipped', 'pending'), ALGORITHM=INSTANT;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.types import mysql_enum_values
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import AlterColumnType


@rule("mysql-enum-reorder", category="locking", dialects=("mysql",))
def check(op: AlterColumnType, ctx: Context) -> Iterator[Violation]:
    old = mysql_enum_values(ctx.catalog.type_before(op))
    new = mysql_enum_values(op.type)
    if old is None or new is None or not old:
        return
    removed = [v for v in old if v not in new]
    column = f"{op.table}.{op.column}"
    if removed:
        values = ", ".join(f"'{v}'" for v in removed)
        them = "it" if len(removed) == 1 else "them"
        message = f"{column} loses {values}: release N-1's writes of {them} fail or store ''"
    elif new[: len(old)] != old:
        message = f"{column}'s values are reordered or inserted mid-list: MySQL copies the table"
    elif _size(op.type.name, len(new)) != _size(op.type.name, len(old)):
        message = (
            f"{column} grows to {len(new)} values, a wider storage size: MySQL copies the table"
        )
    else:
        return
    kept = ", ".join(f"'{v}'" for v in old)
    yield ctx.finding(
        op,
        message,
        f"Keep {kept} first and in that order, and append new values after them; remove a "
        "value only after no running release writes it.",
    )


def _size(kind: str, count: int) -> int:
    """Bytes MySQL stores per value of an ENUM or SET with `count` members."""
    return (1 if count <= 255 else 2) if kind == "enum" else (count + 7) // 8
