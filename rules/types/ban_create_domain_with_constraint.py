"""A CHECK on a domain is checked against every column of that domain, in every table.

## What it does
Flags `CREATE DOMAIN … CHECK (…)`.

## Why is this bad?
Changing the rule later (`ALTER DOMAIN … ADD CONSTRAINT`) scans every table with a
column of the domain while blocking their writes, and `NOT VALID` plus a later
`VALIDATE` is the only way around it. The same CHECK written on each table's column
can be replaced table by table, `NOT VALID` and validated without blocking writes.

## Example
```sql
CREATE DOMAIN email_address AS text CHECK (VALUE ~ '^[^@]+@[^@]+$');
```

## Use instead
```sql
CREATE DOMAIN email_address AS text;
ALTER TABLE users ADD CONSTRAINT users_email_format CHECK (email ~ '^[^@]+@[^@]+$') NOT VALID;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import CreateObject


@rule(
    "ban-create-domain-with-constraint",
    category="types",
    severity="info",
    enabled_by_default=False,
    aliases=["ban-create-domain-with-constraint"],
    on_down=False,
)
def check(op: CreateObject, ctx: Context) -> Iterator[Violation]:
    if op.kind != "DOMAIN" or not op.has_check:
        return
    yield ctx.finding(
        op,
        f"domain {op.name} carries a CHECK: changing it later scans every table that uses "
        "the domain while blocking their writes",
        f"Create {op.name} without the CHECK and put the CHECK on each table's column, where "
        "it can be replaced NOT VALID and validated without blocking.",
    )
