"""Renaming a view breaks the queries of release N-1 that still use the old name.

## What it does
Flags `ALTER VIEW … RENAME TO` and `ALTER MATERIALIZED VIEW … RENAME TO` of a view
this migration did not create, unless the migration creates a view under the old
name again (a bridge for release N-1).

## Why is this bad?
Release N-1 keeps querying the old name during the rollout and after a rollback of
the code; every one of those queries fails from the rename on.

## Example
```sql
ALTER VIEW active_users RENAME TO recently_active_users;
```

## Use instead
Create the view under its new name beside the old one, switch the code, and drop the
old view a release later:
```sql
CREATE VIEW recently_active_users AS SELECT * FROM active_users;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.destructive import renamed_object
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import RenameObject


@rule(
    "rename-view",
    category="destructive",
    aliases=["renaming-object"],
    dialects=("postgres", "cockroach"),
    on_down=False,
    offline=False,  # harms release N-1 only, which an offline deploy does not run
)
def check(op: RenameObject, ctx: Context) -> Iterator[Violation]:
    if op.kind in ("VIEW", "MATERIALIZED VIEW"):
        yield from renamed_object(
            op,
            ctx,
            f"breaks release N-1, which still queries {op.name.name}",
            f"a view named {op.name.name} selecting from the renamed one",
        )
