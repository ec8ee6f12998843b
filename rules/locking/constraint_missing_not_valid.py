"""Adding a validated CHECK constraint blocks the table while it scans.

## What it does
Flags `ALTER TABLE … ADD CONSTRAINT … CHECK (…)` on an existing table without
`NOT VALID`. (Foreign keys are the `adding-foreign-key-constraint` rule; UNIQUE and
PRIMARY KEY cannot be NOT VALID.)

## Why is this bad?
The statement holds an ACCESS EXCLUSIVE lock while it reads every row to check the
condition: no reads or writes of the table until the scan ends.

## Example
```sql
ALTER TABLE orders ADD CONSTRAINT orders_amount_positive CHECK (amount > 0);
```

## Use instead
```sql
ALTER TABLE orders ADD CONSTRAINT orders_amount_positive CHECK (amount > 0) NOT VALID;
```
then, in a separate transaction (it takes a lock that lets reads and writes run):
```
ALTER TABLE orders VALIDATE CONSTRAINT orders_amount_positive;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.advice import plan_command
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import AddConstraint


@rule(
    "constraint-missing-not-valid",
    category="locking",
    aliases=["constraint-missing-not-valid"],
)
def check(op: AddConstraint, ctx: Context) -> Iterator[Violation]:
    c = op.constraint
    if c.kind != "check" or c.not_valid:
        return
    name = c.name or "the constraint"
    yield ctx.finding(
        op,
        f"adding CHECK {name} on {op.table} without NOT VALID locks the table against reads "
        "and writes while every row is checked",
        f"Add it with `NOT VALID`, then `ALTER TABLE {op.table} VALIDATE CONSTRAINT {name};` "
        f"in a separate transaction. `{plan_command('add-check', op.table)} --check '…'` "
        "writes both steps.",
    )
