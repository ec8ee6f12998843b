"""Renaming a constraint breaks code that names it.

## What it does
Opt-in. Flags `ALTER TABLE … RENAME CONSTRAINT` on a table that existed before this
migration, unless the migration added the constraint itself.

## Why is this bad?
Release N-1 may name the constraint: `INSERT … ON CONFLICT ON CONSTRAINT name` fails
outright after the rename, and code that maps constraint violations to user errors
by name stops recognising them.

## Example
```sql
ALTER TABLE users RENAME CONSTRAINT users_email_key TO users_email_unique;
```

## Use instead
Keep the constraint name while any release names it, or switch `ON CONFLICT` to the
column list (`ON CONFLICT (email)`) a release before the rename:
```sql
INSERT INTO users (email) VALUES ('a@example.com') ON CONFLICT (email) DO NOTHING;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.destructive import constraint_added_here
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import RenameConstraint


@rule(
    "rename-constraint",
    category="destructive",
    severity="warning",
    aliases=["renaming-object"],
    dialects=("postgres", "cockroach"),
    enabled_by_default=False,
    on_down=False,
    offline=False,  # harms release N-1 only, which an offline deploy does not run
)
def check(op: RenameConstraint, ctx: Context) -> Iterator[Violation]:
    if constraint_added_here(ctx, op):
        return
    yield ctx.finding(
        op,
        f"renaming constraint {op.name} on {op.table} to {op.new_name} breaks release N-1 "
        f"code that names it (ON CONFLICT ON CONSTRAINT {op.name}, error mapping)",
        f"Keep the name {op.name} while any release names it, or move `ON CONFLICT` to a "
        "column list a release before renaming.",
    )
