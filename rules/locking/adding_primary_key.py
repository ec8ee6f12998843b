"""Adding a PRIMARY KEY builds its index while reads and writes are blocked.

## What it does
Flags `ALTER TABLE … ADD [CONSTRAINT …] PRIMARY KEY (…)` and `ADD COLUMN … PRIMARY
KEY` on an existing table, unless the key is attached to an existing unique index with
`USING INDEX`. Nullable key columns add a NOT NULL scan, and the message says so.

## Why is this bad?
PostgreSQL builds the unique index inside the ALTER TABLE under an ACCESS EXCLUSIVE
lock, and first checks every row for NULLs in columns that are not yet NOT NULL: no
reads or writes of the table until both finish. A PRIMARY KEY cannot be added
`NOT VALID`.

## Example
```sql
ALTER TABLE events ADD PRIMARY KEY (id);
```

## Use instead
Prove the columns NOT NULL without a long lock (a validated CHECK, then SET NOT NULL,
PostgreSQL 12+), build the unique index concurrently, then attach it:
```sql
DROP INDEX CONCURRENTLY IF EXISTS events_pkey;
CREATE UNIQUE INDEX CONCURRENTLY events_pkey ON events (id);
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_pkey;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.advice import plan_command
from migralint.checks.locking import constraints_of
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import AddColumn, AddConstraint


@rule("adding-primary-key", category="locking", aliases=["adding-serial-primary-key-field"])
def check(op: AddConstraint | AddColumn, ctx: Context) -> Iterator[Violation]:
    for c in constraints_of(op):
        if c.kind != "primary_key" or c.using_index is not None:
            continue
        columns = ", ".join(c.columns) or "…"
        name = c.name or f"{op.table.name}_pkey"
        nullable = [] if isinstance(op, AddColumn) else _nullable(op, ctx)
        scan = f" after scanning for NULLs in {', '.join(nullable)}" if nullable else ""
        steps = f"`CREATE UNIQUE INDEX CONCURRENTLY {name} ON {op.table} ({columns});`"
        if nullable:
            steps = (
                f"make {', '.join(nullable)} NOT NULL first (`CHECK (… IS NOT NULL) NOT VALID`, "
                "VALIDATE, SET NOT NULL), then " + steps
            )
        command = plan_command("add-primary-key", op.table, column=columns)
        yield ctx.finding(
            op,
            f"adding PRIMARY KEY ({columns}) on {op.table} builds its index{scan} under an "
            "ACCESS EXCLUSIVE lock, blocking reads and writes",
            f"{steps[0].upper()}{steps[1:]} outside a transaction, then `ALTER TABLE {op.table} "
            f"ADD CONSTRAINT {name} PRIMARY KEY USING INDEX {name};`. `{command}` writes the "
            "steps.",
        )


def _nullable(op: AddConstraint, ctx: Context) -> list[str]:
    """Key columns the catalog knows to be nullable (unknown columns are not claimed)."""
    found = []
    for name in op.constraint.columns:
        column = ctx.catalog.column(op.table, name)
        proven = ctx.catalog.has_valid_not_null_check(op.table, name)
        if column is not None and column.nullable and not proven:
            found.append(name)
    return found
