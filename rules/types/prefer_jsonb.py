"""json stores the text as written; jsonb is what queries and indexes want.

## What it does
Flags `json` columns in a new table, a new column, or an ALTER COLUMN … TYPE.

## Why is this bad?
`json` re-parses the whole document on every access, keeps duplicate keys and
whitespace, has no equality operator (so `DISTINCT`, `GROUP BY` and `UNION` on it
fail), and cannot be indexed with GIN. `jsonb` is parsed once, compares, and
supports containment operators and GIN indexes. Keep `json` only when the exact
text (key order, duplicates) must survive.

## Example
```sql
CREATE TABLE webhooks (id bigint PRIMARY KEY, payload json NOT NULL);
```

## Use instead
```sql
CREATE TABLE webhooks (id bigint PRIMARY KEY, payload jsonb NOT NULL);
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.types import declared_columns, quoted, type_finding
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import AddColumn, AlterColumnType, CreateTable


@rule(
    "prefer-jsonb",
    category="types",
    severity="info",
    enabled_by_default=False,
    on_new_tables=True,
    on_down=False,
)
def check(op: CreateTable | AddColumn | AlterColumnType, ctx: Context) -> Iterator[Violation]:
    for d in declared_columns(op):
        if d.type.name != "json":
            continue
        yield type_finding(
            ctx,
            d,
            f"{d.table}.{d.name} is json: re-parsed on every access, no equality, no GIN index",
            f"Declare {quoted(d.name)} as jsonb{'[]' if d.type.array else ''}, unless the "
            "exact text (key order, duplicate keys) must be kept.",
        )
