"""timestamp without time zone stores wall-clock times that mean nothing alone.

## What it does
Flags `timestamp` (`timestamp without time zone`) in a new table, a new column, or
an ALTER COLUMN … TYPE.

## Why is this bad?
A `timestamp` keeps the digits it is given and drops the offset: the same instant
written by servers or sessions in different time zones is stored as different
values, comparisons across them are wrong, and daylight-saving changes make some
values ambiguous. `timestamptz` stores an instant (as UTC) and converts on the way
out; it takes the same eight bytes.

## Example
```sql
ALTER TABLE orders ADD COLUMN shipped_at timestamp;
```

## Use instead
```sql
ALTER TABLE orders ADD COLUMN IF NOT EXISTS shipped_at timestamptz;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.types import declared_columns, quoted, type_finding
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import AddColumn, AlterColumnType, CreateTable


@rule(
    "prefer-timestamptz",
    category="types",
    severity="info",
    enabled_by_default=False,
    aliases=["prefer-timestamptz", "prefer-timestamp-tz"],
    dialects=("postgres", "cockroach"),
    on_new_tables=True,
    on_down=False,
)
def check(op: CreateTable | AddColumn | AlterColumnType, ctx: Context) -> Iterator[Violation]:
    for d in declared_columns(op):
        if d.type.name != "timestamp":
            continue
        precision = f"({d.type.params[0]})" if d.type.params else ""
        yield type_finding(
            ctx,
            d,
            f"{d.table}.{d.name} is a timestamp without time zone: values written from "
            "different time zones cannot be compared",
            f"Declare {quoted(d.name)} as timestamptz{precision}"
            f"{'[]' if d.type.array else ''}; it stores an instant in the same 8 bytes.",
        )
