"""Renaming a function or procedure breaks the code that still calls it.

## What it does
Flags `ALTER FUNCTION`, `ALTER PROCEDURE` and `ALTER ROUTINE … RENAME TO` of a
routine this migration did not create, unless the migration creates a routine under the old
name again (a wrapper for release N-1), or the set's migrations created it `RETURNS
trigger` (no query calls a trigger function, and its triggers follow the rename).

## Why is this bad?
Release N-1 keeps calling the old name during the rollout and after a rollback of the
code; each call fails with "function does not exist". Triggers follow the rename
(they refer to the function itself), but SQL text in the code does not.

## Example
```sql
ALTER FUNCTION calculate_discount(numeric) RENAME TO discount_for;
```

## Use instead
Create the routine under its new name, switch the code, and drop the old one a
release later:
```sql
CREATE FUNCTION discount_for(amount numeric) RETURNS numeric
    LANGUAGE sql AS $$ SELECT calculate_discount(amount) $$;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.destructive import renamed_object
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import RenameObject


@rule(
    "rename-function",
    category="destructive",
    aliases=["renaming-object"],
    dialects=("postgres", "cockroach"),
    on_down=False,
    offline=False,  # harms release N-1 only, which an offline deploy does not run
)
def check(op: RenameObject, ctx: Context) -> Iterator[Violation]:
    if op.kind in ("FUNCTION", "PROCEDURE", "ROUTINE") and not _trigger_function(op, ctx):
        yield from renamed_object(
            op,
            ctx,
            f"breaks release N-1, which still calls {op.name.name}",
            f"a {op.kind.lower()} named {op.name.name} that calls the renamed one",
        )


def _trigger_function(op: RenameObject, ctx: Context) -> bool:
    """True for a function the set's migrations created `RETURNS trigger`: no query can
    call it, and its triggers follow the rename."""
    return op.name.name.lower() in ctx.catalog.trigger_functions
