"""VALIDATE CONSTRAINT in the transaction that added it NOT VALID gains nothing.

## What it does
Flags `ALTER TABLE … VALIDATE CONSTRAINT` that runs in the same transaction as the
`ADD CONSTRAINT … NOT VALID` of that constraint.

## Why is this bad?
The point of `NOT VALID` is to take the ACCESS EXCLUSIVE lock only for an instant
and validate later under a lock that lets reads and writes continue. In the same
transaction the ADD's ACCESS EXCLUSIVE lock is still held, so the validating scan
blocks every query on the table, exactly as if NOT VALID had not been written.

## Example
```sql
BEGIN;
ALTER TABLE orders ADD CONSTRAINT orders_amount_positive CHECK (amount > 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_amount_positive;
COMMIT;
```

## Use instead
Commit between the two, or validate in the next migration:
```sql
BEGIN;
ALTER TABLE orders ADD CONSTRAINT orders_amount_positive CHECK (amount > 0) NOT VALID;
COMMIT;
BEGIN;
ALTER TABLE orders VALIDATE CONSTRAINT orders_amount_positive;
COMMIT;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import ValidateConstraint


@rule(
    "validate-in-same-transaction",
    category="locking",
    aliases=["constraint-missing-not-valid"],
)
def check(op: ValidateConstraint, ctx: Context) -> Iterator[Violation]:
    if (op.table.key, op.name) not in ctx.session.not_valid_added:
        return
    yield ctx.finding(
        op,
        f"validating {op.name} in the transaction that added it NOT VALID scans {op.table} "
        "while the ADD's ACCESS EXCLUSIVE lock still blocks every read and write",
        f"Commit after `ADD CONSTRAINT {op.name} … NOT VALID`, and run `ALTER TABLE {op.table} "
        f"VALIDATE CONSTRAINT {op.name};` in a separate transaction (or the next migration).",
    )
