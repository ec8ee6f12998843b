"""Renaming a type or domain breaks code that still names it.

## What it does
Flags `ALTER TYPE … RENAME TO` and `ALTER DOMAIN … RENAME TO` of a type this
migration did not create.

## Why is this bad?
Columns follow the rename, but release N-1 queries that cast to the old name
(`'active'::user_status`) or declare it in functions fail with "type does not
exist" until the rollout ends, and again after a rollback of the code.

## Example
```sql
ALTER TYPE user_status RENAME TO account_status;
```

## Use instead
Ship code that no longer names the type (casts to text are enough for most queries)
first; rename it a release later.
```sql
SELECT id FROM users WHERE status = 'active';
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.destructive import renamed_object
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import RenameObject


@rule(
    "rename-type",
    category="destructive",
    severity="warning",
    aliases=["renaming-object"],
    dialects=("postgres", "cockroach"),
    on_down=False,
    offline=False,  # harms release N-1 only, which an offline deploy does not run
)
def check(op: RenameObject, ctx: Context) -> Iterator[Violation]:
    if op.kind in ("TYPE", "DOMAIN"):
        yield from renamed_object(
            op,
            ctx,
            f"breaks release N-1 queries that still cast to {op.name.name}",
            "no query of it names the type",
        )
