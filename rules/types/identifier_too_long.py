"""PostgreSQL silently truncates names longer than 63 bytes.

## What it does
Flags a new table, column, index, constraint, type or other object, or a rename,
whose name is longer than 63 bytes in UTF-8 (so fewer than 63 characters when it
holds accents or other non-ASCII letters).

## Why is this bad?
PostgreSQL cuts the name to 63 bytes with only a NOTICE. The object then exists
under a name the migration never wrote: a later `DROP INDEX` or `ALTER TABLE …
DROP CONSTRAINT` with the full name fails, ORMs that compare names see a
difference on every run, and two long names that share their first 63 bytes
collide.

## Example
```sql
CREATE INDEX index_customer_subscriptions_on_billing_account_id_and_plan_identifier
    ON customer_subscriptions (billing_account_id, plan_identifier);
```

## Use instead
```sql
CREATE INDEX idx_customer_subscriptions_account_plan
    ON customer_subscriptions (billing_account_id, plan_identifier);
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.types import NAMEDATALEN, new_names, truncated
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import (
    AddColumn,
    AddConstraint,
    CreateIndex,
    CreateObject,
    CreateTable,
    RenameColumn,
    RenameConstraint,
    RenameObject,
    RenameTable,
)


@rule(
    "identifier-too-long",
    category="types",
    severity="warning",
    aliases=["identifier-too-long"],
    on_new_tables=True,
)
def check(
    op: CreateTable
    | AddColumn
    | AddConstraint
    | CreateIndex
    | CreateObject
    | RenameTable
    | RenameColumn
    | RenameConstraint
    | RenameObject,
    ctx: Context,
) -> Iterator[Violation]:
    for kind, name in new_names(op):
        size = len(name.encode("utf-8"))
        if size <= NAMEDATALEN:
            continue
        kept = truncated(name)
        yield ctx.finding(
            op,
            f"{kind} name {name} is {size} bytes: PostgreSQL truncates it to {kept}",
            f"Give the {kind} a name of at most {NAMEDATALEN} bytes, and use that name in "
            "every later statement that refers to it.",
        )
