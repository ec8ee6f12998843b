"""ALTER DOMAIN … ADD CONSTRAINT checks every column of the domain, blocking writes.

## What it does
Flags `ALTER DOMAIN … ADD CONSTRAINT` (a CHECK or NOT NULL) without `NOT VALID`.

## Why is this bad?
PostgreSQL checks the new constraint against every row of every table that has a
column of the domain, holding a SHARE lock on each of those tables while it scans: no
INSERT, UPDATE or DELETE on any of them until the last table has been read. With
`NOT VALID` only new values are checked; `ALTER DOMAIN … VALIDATE CONSTRAINT` then
checks old rows without blocking writes.

## Example
```sql
ALTER DOMAIN positive_amount ADD CONSTRAINT positive_amount_check CHECK (VALUE > 0);
```

## Use instead
```sql
ALTER DOMAIN positive_amount ADD CONSTRAINT positive_amount_check CHECK (VALUE > 0) NOT VALID;
```
then, in a later migration, `ALTER DOMAIN positive_amount VALIDATE CONSTRAINT
positive_amount_check;` (or move the check onto the tables' columns).
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import AlterDomainAddConstraint


@rule("ban-alter-domain-with-add-constraint", category="locking", severity="warning")
def check(op: AlterDomainAddConstraint, ctx: Context) -> Iterator[Violation]:
    if op.not_valid:
        return
    name = op.constraint or "the new constraint"
    yield ctx.finding(
        op,
        f"adding {name} to domain {op.name} scans every table with a column of the domain, "
        "blocking writes to each of them until the scan ends",
        f"Add it `NOT VALID`, then `ALTER DOMAIN {op.name} VALIDATE CONSTRAINT …` in a later "
        "migration; or put the check on each table's column instead.",
    )
