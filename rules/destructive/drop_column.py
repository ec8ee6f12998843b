"""Dropping a column deletes its data and breaks the release still running.

## What it does
Flags `ALTER TABLE … DROP COLUMN` on a table that existed before this migration,
outside a migration marked `-- migralint: phase=contract`.

## Why is this bad?
Release N-1 still selects and inserts the column; every such query fails from the
moment the column is gone until the rollout ends, and a rollback cannot restore the
data. ORMs that list every column (`SELECT *` mapped to a model) fail on reads too.

## Example
```sql
ALTER TABLE users DROP COLUMN legacy_token;
```

## Use instead
Stop reading and writing the column in the code (tell the ORM to ignore it), ship
that release, then drop it a release later in a contract migration:
```sql
-- migralint: phase=contract
ALTER TABLE users DROP COLUMN IF EXISTS legacy_token;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.advice import plan_command
from migralint.checks.destructive import removal_planned
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import DropColumn


@rule(
    "drop-column",
    category="destructive",
    aliases=["ban-drop-column"],
    dialects=("postgres", "mysql", "sqlite", "cockroach"),
    on_down=False,
)
def check(op: DropColumn, ctx: Context) -> Iterator[Violation]:
    if removal_planned(ctx.file):
        return
    yield ctx.finding(
        op,
        f"dropping column {op.table}.{op.column} deletes its data and breaks release N-1, "
        "which still reads and writes it",
        f"Make the code ignore {op.column} and ship that release first; drop the column a "
        "release later in a migration marked `-- migralint: phase=contract`. "
        f"`{plan_command('drop-column', op.table, column=op.column)}` writes both steps.",
    )
