"""serial columns are a legacy shorthand; identity columns are the standard.

## What it does
Flags `serial`, `bigserial` and `smallserial` columns in a new table or a new column
(PostgreSQL 10 and later, where identity columns exist).

## Why is this bad?
A serial column owns a separate sequence that permissions, `CREATE TABLE … LIKE`,
dumps and copies treat as an unrelated object: grants must cover the sequence too,
and inserts that set the id by hand leave the sequence behind, so later inserts
collide. An identity column ties the sequence to the column, and
`GENERATED ALWAYS` rejects hand-written ids outright.

## Example
```sql
CREATE TABLE events (id bigserial PRIMARY KEY, payload jsonb);
```

## Use instead
```sql
CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload jsonb);
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.types import declared_columns, type_finding
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import AddColumn, CreateTable

_SERIALS = ("smallserial", "serial", "bigserial")


@rule(
    "prefer-identity",
    category="types",
    severity="info",
    enabled_by_default=False,
    aliases=["prefer-identity"],
    on_new_tables=True,
    on_down=False,
)
def check(op: CreateTable | AddColumn, ctx: Context) -> Iterator[Violation]:
    if ctx.pg_version < (10, 0):
        return
    for d in declared_columns(op):
        if d.type.name not in _SERIALS:
            continue
        yield type_finding(
            ctx,
            d,
            f"{d.table}.{d.name} is a {d.type.name}: its sequence is a separate object "
            "that grants, copies and hand-set ids do not keep in step",
            f"Write `{d.name} bigint GENERATED ALWAYS AS IDENTITY` (or BY DEFAULT if the "
            "application sets ids itself).",
        )
