"""Dropping a table deletes its data and breaks the release still running.

## What it does
Flags `DROP TABLE` of a table that existed before this migration, outside a
migration marked `-- migralint: phase=contract`: one finding per statement, naming
every such table it drops. A table the same migration creates again under its name
and fills (`CREATE TABLE … AS SELECT`, `SELECT … INTO`, or `CREATE TABLE` then
`INSERT`) is redefined, not lost, and is not flagged.

## Why is this bad?
The data is gone for good: a rollback of the code cannot bring it back (unless the
migration copied its rows into another table first, which the finding then says). During the
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

from migralint.advice import KEEP_A_COPY, plan_command
from migralint.checks.destructive import refilled_under_its_name, removal_planned
from migralint.checks.grouping import per_statement
from migralint.checks.phases import copied_into
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import DropTable, Name


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
    found = per_statement(op, ctx, _existing_table)  # one finding per statement
    if not found:
        return
    names = ", ".join(str(t) for t in found)
    copy = copied_into(op, ctx) if len(found) == 1 else None
    if copy is not None and not ctx.previous_release_runs:
        return  # the rows live on in the copy, and no running release uses the old table
    breaks = " and breaks release N-1, which still uses it" if ctx.previous_release_runs else ""
    if copy is not None:
        message = (
            f"dropping table {names} breaks release N-1, which still uses it (its rows were "
            f"copied into {copy.table} on line {copy.loc.line}: the data lives on there)"
        )
    else:
        what = f"table {names} deletes its" if len(found) == 1 else f"tables {names} deletes their"
        message = f"dropping {what} data{breaks}"
    yield ctx.finding(
        op,
        message,
        (
            "Remove every use of the table from the code and ship that release first; then "
            "drop the table in a later migration marked `-- migralint: phase=contract`. "
            f"`{plan_command('drop-table', op.table)}` writes both steps."
        )
        if ctx.previous_release_runs
        else KEEP_A_COPY,
        covers=found.ops,
    )


def _existing_table(op: DropTable, ctx: Context) -> Name | None:
    """The table, unless this migration created it (the engine leaves out only the first
    table of a statement that names several) or fills it again under its name."""
    if ctx.is_new_table(op.table) or refilled_under_its_name(ctx, op.table):
        return None
    return op.table
