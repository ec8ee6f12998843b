"""ALTER TYPE … ADD VALUE without BEFORE or AFTER appends the value at the end.

## What it does
Opt-in. Flags `ALTER TYPE … ADD VALUE` without a `BEFORE` or `AFTER` clause.

## Why is this bad?
An enum's sort order is its declaration order: `ORDER BY status` and comparisons
such as `status < 'shipped'` follow it. A value appended at the end sorts after
every other, which is right for most enums and wrong for ordered ones (levels,
stages, sizes). Saying where the value goes makes the intended order part of the
migration. Appending is usually what is meant, so this rule is off by default.

## Example
```sql
ALTER TYPE order_status ADD VALUE 'on_hold';
```

## Use instead
```sql
ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'on_hold' AFTER 'paid';
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import AlterTypeAddValue


@rule(
    "require-enum-value-ordering",
    category="types",
    severity="info",
    aliases=["require-enum-value-ordering"],
    enabled_by_default=False,
    on_new_tables=True,
)
def check(op: AlterTypeAddValue, ctx: Context) -> Iterator[Violation]:
    if op.position is not None:
        return
    values = ctx.catalog.enums.get(op.name.key)
    last = f" (after '{values[-1]}')" if values else ""
    where = f"AFTER '{values[-1]}'" if values else "BEFORE '…' or AFTER '…'"
    yield ctx.finding(
        op,
        f"'{op.value}' is appended to enum {op.name}{last} without saying where it sorts",
        f"Write `ALTER TYPE {op.name} ADD VALUE '{op.value}' {where}` so the order it "
        "sorts in is deliberate.",
    )
