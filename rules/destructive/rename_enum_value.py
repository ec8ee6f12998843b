"""Renaming an enum value breaks the code that still writes or compares the old one.

## What it does
Flags `ALTER TYPE … RENAME VALUE` on an enum this migration did not create, unless
the migration also added the renamed value.

## Why is this bad?
Release N-1 still writes the old label: every such insert or update fails with
"invalid input value for enum", and its queries comparing to the old label stop
matching any row. The rename takes effect everywhere at once, so there is no moment
when both releases work.

## Example
```sql
ALTER TYPE order_status RENAME VALUE 'shipped' TO 'dispatched';
```

## Use instead
Add the new value, make the code write it and accept both, move the rows over in
batches, and stop using the old value a release later (enum values cannot be
dropped; a lookup table or a text column with a CHECK can change freely):
```sql
ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'dispatched' AFTER 'shipped';
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.destructive import created_here
from migralint.checks.file_index import before
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import AlterTypeAddValue, RenameObject


@rule(
    "rename-enum-value",
    category="destructive",
    aliases=["renaming-object"],
    dialects=("postgres",),
    on_down=False,
    offline=False,
)
def check(op: RenameObject, ctx: Context) -> Iterator[Violation]:
    if op.kind != "TYPE VALUE" or created_here(ctx, "TYPE", op.name):
        return
    old = op.old_name
    if any(before(ctx, AlterTypeAddValue, _added_value, (op.name.key, old))):
        return  # a value this migration added: nothing uses it yet
    label = f"'{old}'" if old is not None else "the old label"
    yield ctx.finding(
        op,
        f"renaming {label} of enum {op.name} to '{op.new_name}' breaks release N-1, which "
        f"still writes and compares {label}",
        f"Add '{op.new_name}' with `ALTER TYPE {op.name} ADD VALUE IF NOT EXISTS "
        f"'{op.new_name}'`, ship code that writes it and reads both, update the rows in "
        f"batches, and stop using {label} a release later.",
    )


def _added_value(op: AlterTypeAddValue) -> tuple[str, str]:
    return op.name.key, op.value
