"""ALGORITHM=COPY rebuilds the whole table while blocking writes to it.

## What it does
Flags a MySQL `ALTER TABLE … ALGORITHM=COPY` on a table that existed before this
migration.

## Why is this bad?
COPY makes MySQL build a new copy of the table row by row and swap it in. For the
whole copy, concurrent INSERT, UPDATE and DELETE wait (the copy holds a shared
lock), so on a large table the application's writes stall for minutes or hours,
and the server needs room for a second copy of the table.

## Example
```sql
ALTER TABLE orders ADD COLUMN note varchar(255), ALGORITHM=COPY;
```

## Use instead
Let MySQL pick the cheapest algorithm, and ask for an online one so the statement
fails instead of silently copying:
```sql
ALTER TABLE orders ADD COLUMN note varchar(255), ALGORITHM=INSTANT;
```
For changes that really need a copy, use an online schema-change tool (gh-ost,
pt-online-schema-change).
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import AlterTableOption


@rule("mysql-algorithm-copy", category="locking", dialects=("mysql",))
def check(op: AlterTableOption, ctx: Context) -> Iterator[Violation]:
    if op.name != "ALGORITHM" or op.value != "COPY":
        return
    yield ctx.finding(
        op,
        f"ALGORITHM=COPY rebuilds {op.table} row by row while its writes wait",
        "Drop the clause or ask for ALGORITHM=INSTANT / INPLACE with LOCK=NONE, so MySQL "
        "fails rather than copies; for changes that need a copy use gh-ost or "
        "pt-online-schema-change.",
    )
