"""Dropping a foreign table breaks the queries of release N-1 that still read it.

## What it does
Flags `DROP FOREIGN TABLE` outside a migration marked `-- migralint: phase=contract`.
Its rows live on the remote server and stay there; what goes is the local
definition every query names.

## Why is this bad?
Release N-1 keeps running during the rollout and after a rollback of the code; every
one of its queries on the foreign table fails with "relation does not exist" from the
moment it is gone, and so do views and functions that read it.

## Example
```sql
DROP FOREIGN TABLE remote_users;
```

## Use instead
Stop using it first, and drop it in a contract migration a release later:
```sql
-- migralint: phase=contract
DROP FOREIGN TABLE IF EXISTS remote_users;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.destructive import dropped_object
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import DropObject


@rule(
    "drop-foreign-table",
    category="destructive",
    severity="warning",
    aliases=["ban-drop-table"],
    dialects=("postgres",),
    on_down=False,
)
def check(op: DropObject, ctx: Context) -> Iterator[Violation]:
    if op.kind == "FOREIGN TABLE":
        yield from dropped_object(op, ctx, "breaks every query of release N-1 that still reads it")
