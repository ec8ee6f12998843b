"""Adding an EXCLUDE constraint blocks the table while its index is built.

## What it does
Flags `ALTER TABLE … ADD [CONSTRAINT …] EXCLUDE …` on an existing table.

## Why is this bad?
PostgreSQL builds the exclusion index and checks every row under an ACCESS EXCLUSIVE
lock: no reads or writes until it finishes. There is no safe path: an exclusion
constraint cannot be added `NOT VALID`, and it cannot be attached `USING INDEX`.

## Example
```sql
ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap
    EXCLUDE USING gist (room_id WITH =, during WITH &&);
```

## Use instead
Create a new table with the constraint, copy the rows in batches while the
application writes to both, then switch over:
```sql
CREATE TABLE bookings_new (LIKE bookings INCLUDING ALL,
    CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room_id WITH =, during WITH &&));
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import AddConstraint


@rule("adding-exclusion-constraint", category="locking")
def check(op: AddConstraint, ctx: Context) -> Iterator[Violation]:
    c = op.constraint
    if c.kind != "exclude":
        return
    name = c.name or "the exclusion constraint"
    yield ctx.finding(
        op,
        f"adding {name} on {op.table} builds an exclusion index and checks every row under "
        "an ACCESS EXCLUSIVE lock, blocking reads and writes; it has no NOT VALID form",
        f"Create `{op.table.name}_new (LIKE {op.table} INCLUDING ALL)` with the constraint, "
        "copy the rows in batches while writes go to both tables, then swap the names in "
        "one short transaction. For a small table, accept the lock with a lock_timeout.",
    )
