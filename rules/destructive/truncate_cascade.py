"""TRUNCATE … CASCADE also empties every table that references this one.

## What it does
Flags `TRUNCATE … CASCADE` of a table that existed before this migration.

## Why is this bad?
`CASCADE` truncates every table with a foreign key to the named one, and every table
referencing those, recursively: a truncate of a small lookup table can empty `orders`
and `invoices`. None of those tables is named in the statement, so review does not
see them go.

## Example
```sql
TRUNCATE TABLE countries CASCADE;
```

## Use instead
Name every table that must be emptied, so the statement fails instead of reaching
further than intended:
```sql
TRUNCATE TABLE countries, country_aliases;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import Truncate


@rule(
    "truncate-cascade",
    category="destructive",
    aliases=["ban-truncate-cascade"],
    dialects=("postgres", "cockroach"),
    on_down=False,
)
def check(op: Truncate, ctx: Context) -> Iterator[Violation]:
    if not op.cascade:
        return
    yield ctx.finding(
        op,
        f"TRUNCATE {op.table} CASCADE also empties every table that references {op.table}, "
        "recursively, with none of them named",
        f"Drop CASCADE and list every table to empty (`TRUNCATE {op.table}, …`), so the "
        "statement fails rather than deleting rows of a table nobody named.",
    )
