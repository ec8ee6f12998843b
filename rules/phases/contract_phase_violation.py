"""A migration marked phase=contract adds schema, which belongs in an expand migration.

## What it does
In a file marked `-- migralint: phase=contract`, flags statements that add schema:
`CREATE TABLE`, `ADD COLUMN`, `CREATE INDEX`, `CREATE TYPE` / `VIEW` / `FUNCTION` …
(not `CREATE OR REPLACE`, and not an object the file dropped just before), and new
enum values.

## Why is this bad?
A contract migration runs a release after the code switched, and only removes what
that code no longer uses. An addition in it comes too late for the release that
needed it, and ties an expand step to the destructive one: if the contract is
postponed or rolled back, the addition goes with it.

## Example
```sql
-- migralint: phase=contract
ALTER TABLE users DROP COLUMN IF EXISTS full_name;
ALTER TABLE users ADD COLUMN IF NOT EXISTS display_name text;
```

## Use instead
```sql
-- migralint: phase=contract
ALTER TABLE users DROP COLUMN IF EXISTS full_name;
```
and add `display_name` in an expand migration of its own.
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.phases import additive_change
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql import ops


@rule(
    "contract-phase-violation",
    category="phases",
    severity="warning",
    dialects=("postgres", "mysql", "sqlite", "cockroach"),
    on_down=False,
)
def check(op: ops.Op, ctx: Context) -> Iterator[Violation]:
    if ctx.file.phase != "contract":
        return
    what = additive_change(op, ctx)
    if what is None:
        return
    yield ctx.finding(
        op,
        f"this contract migration {what}: additions belong in an expand migration",
        "Move it to a `-- migralint: phase=expand` migration that runs before the code "
        "that uses it; keep the contract migration to removals.",
    )
