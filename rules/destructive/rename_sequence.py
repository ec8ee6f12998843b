"""Renaming a sequence breaks code that still calls it by name.

## What it does
Flags `ALTER SEQUENCE … RENAME TO` of a sequence this migration did not create.

## Why is this bad?
Column defaults follow the rename (`nextval('orders_seq'::regclass)` stores the
sequence itself, not its name), but release N-1 code that names the sequence
(`nextval('orders_seq')`, `currval`, `setval` in a data fix or an ORM's id fetch) fails
with "relation does not exist" until the rollout ends, and again after a rollback.

## Example
```sql
ALTER SEQUENCE order_numbers RENAME TO invoice_numbers;
```

## Use instead
Ship code that no longer names the sequence (let the column default draw the value,
or read it with `pg_get_serial_sequence`) first; rename it a release later.
```sql
INSERT INTO orders (customer_id) VALUES (1) RETURNING id;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.destructive import renamed_object
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import RenameObject


@rule(
    "rename-sequence",
    category="destructive",
    severity="warning",
    aliases=["renaming-object"],
    dialects=("postgres", "cockroach"),
    on_down=False,
    offline=False,  # harms release N-1 only, which an offline deploy does not run
)
def check(op: RenameObject, ctx: Context) -> Iterator[Violation]:
    if op.kind == "SEQUENCE":
        yield from renamed_object(
            op,
            ctx,
            f"breaks release N-1 code that still calls nextval('{op.name.name}')",
            "no code of it names the sequence",
        )
