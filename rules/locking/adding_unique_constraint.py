"""Adding a UNIQUE constraint builds its index while reads and writes are blocked.

## What it does
Flags `ALTER TABLE … ADD [CONSTRAINT …] UNIQUE (…)` and `ADD COLUMN … UNIQUE` on an
existing table, unless the constraint is attached to an existing index with
`USING INDEX`.

## Why is this bad?
PostgreSQL builds the unique index inside the ALTER TABLE, holding an ACCESS EXCLUSIVE
lock for the whole build: no reads or writes of the table until it finishes. A UNIQUE
constraint cannot be added `NOT VALID`.

## Example
```sql
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
```

## Use instead
Build the index concurrently (outside a transaction), then attach it, which takes the
lock only for an instant:
```sql
DROP INDEX CONCURRENTLY IF EXISTS users_email_key;
CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.advice import plan_command
from migralint.checks.locking import constraints_of
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import AddColumn, AddConstraint


@rule("adding-unique-constraint", category="locking", aliases=["disallowed-unique-constraint"])
def check(op: AddConstraint | AddColumn, ctx: Context) -> Iterator[Violation]:
    for c in constraints_of(op):
        if c.kind != "unique" or c.using_index is not None:
            continue
        columns = ", ".join(c.columns) or "…"
        name = c.name or f"{op.table.name}_{'_'.join(c.columns) or 'expr'}_key"
        command = plan_command("add-unique", op.table, column=columns)
        yield ctx.finding(
            op,
            f"adding UNIQUE ({columns}) on {op.table} builds its index under an ACCESS "
            "EXCLUSIVE lock, blocking reads and writes for the whole build",
            f"`CREATE UNIQUE INDEX CONCURRENTLY {name} ON {op.table} ({columns});` outside a "
            f"transaction, then `ALTER TABLE {op.table} ADD CONSTRAINT {name} UNIQUE USING "
            f"INDEX {name};`. `{command}` writes both steps.",
        )
