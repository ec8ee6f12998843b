"""Dropping a table deletes its data and breaks the release still running.

## What it does
Flags `DROP TABLE` of a table that existed before this migration, outside a
migration marked `-- migralint: phase=contract`.

## Why is this bad?
The data is gone for good: a rollback of the code cannot bring it back. During the
rollout, release N-1 still reads and writes the table and fails on every query.

## Example
```sql
DROP TABLE legacy_sessions;
```

## Use instead
Stop using the table in the code first; drop it a release later, in a contract
migration of its own:
```sql
-- migralint: phase=contract
DROP TABLE IF EXISTS legacy_sessions;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.advice import plan_command
from migralint.checks.destructive import removal_planned
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import DropTable


@rule(
    "drop-table",
    category="destructive",
    aliases=["ban-drop-table"],
    dialects=("postgres", "mysql", "sqlite", "cockroach"),
    on_down=False,
)
def check(op: DropTable, ctx: Context) -> Iterator[Violation]:
    if removal_planned(ctx.file):
        return
    yield ctx.finding(
        op,
        f"dropping table {op.table} deletes its data and breaks release N-1, which still uses it",
        "Remove every use of the table from the code and ship that release first; then drop "
        "the table in a later migration marked `-- migralint: phase=contract`. "
        f"`{plan_command('drop-table', op.table)}` writes both steps.",
    )
