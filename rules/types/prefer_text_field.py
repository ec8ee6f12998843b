"""varchar(n) makes changing the limit a locking ALTER; use text with a CHECK.

## What it does
Flags `varchar(n)` (`character varying(n)`) in a new table, a new column, or an
ALTER COLUMN … TYPE. `varchar` without a length and `text` pass.

## Why is this bad?
PostgreSQL stores text, varchar and varchar(n) the same way; the length is only a
check. But it is a check you cannot change gently: raising it takes an ACCESS
EXCLUSIVE lock on the table, lowering it rewrites the table. A `CHECK
(char_length(col) <= n)` constraint can be replaced with `NOT VALID` and validated
later without blocking reads or writes.

## Example
```sql
CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100) NOT NULL);
```

## Use instead
```sql
CREATE TABLE users (
    id bigint PRIMARY KEY,
    email text NOT NULL CONSTRAINT users_email_length CHECK (char_length(email) <= 100)
);
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.types import declared_columns, quoted, type_finding
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import AddColumn, AlterColumnType, CreateTable


@rule(
    "prefer-text-field",
    category="types",
    severity="info",
    enabled_by_default=False,
    aliases=["prefer-text-field"],
    on_new_tables=True,
    on_down=False,
)
def check(op: CreateTable | AddColumn | AlterColumnType, ctx: Context) -> Iterator[Violation]:
    for d in declared_columns(op):
        if d.type.name != "varchar" or not d.type.params:
            continue
        n = d.type.params[0]
        col = quoted(d.name)
        yield type_finding(
            ctx,
            d,
            f"{d.table}.{d.name} is {str(d.type).lower()}: "
            f"changing its limit later locks the table",
            f"Declare {col} as text{'[]' if d.type.array else ''} with "
            f"`CHECK (char_length({col}) <= {n})`"
            f"{' on each element' if d.type.array else ''}; a CHECK can be replaced "
            "NOT VALID and validated without blocking.",
        )
