"""Dropping a view breaks the queries of release N-1 that still read it.

## What it does
Flags `DROP VIEW` of a view this migration neither created nor re-creates, outside a
migration marked `-- migralint: phase=contract`. Dropping a view and creating it
again in the same migration (to change its columns, which `CREATE OR REPLACE VIEW`
cannot do) is a redefinition and stays quiet.
One statement dropping several views is one finding naming them all.

## Why is this bad?
Release N-1 keeps running during the rollout and after a rollback of the code; every
one of its queries on the view fails from the moment it is gone. So do other views,
reports and functions that read it.

## Example
```sql
DROP VIEW active_users;
```

## Use instead
To change the view, drop and re-create it in one migration; to remove it, stop using
it first and drop it in a contract migration:
```sql
DROP VIEW IF EXISTS active_users;
CREATE VIEW active_users AS SELECT id, email, last_seen_at FROM users WHERE active;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.destructive import dropped_object
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import DropObject


@rule(
    "drop-view",
    category="destructive",
    severity="warning",
    aliases=["ban-drop-view"],
    dialects=("postgres", "mysql", "sqlite", "cockroach"),
    on_down=False,
)
def check(op: DropObject, ctx: Context) -> Iterator[Violation]:
    if op.kind == "VIEW":
        yield from dropped_object(op, ctx, "breaks every query of release N-1 that still reads it")
