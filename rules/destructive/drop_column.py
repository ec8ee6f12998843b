"""Dropping a column deletes its data and breaks the release still running.

## What it does
Flags `ALTER TABLE … DROP COLUMN` on a table that existed before this migration,
outside a migration marked `-- migralint: phase=contract`.
One ALTER TABLE dropping several columns is one finding naming them all. A column
this migration replaces (backfilled into a new one) is `expand-contract-coupled`'s
finding instead.

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

from migralint.advice import KEEP_A_COPY, plan_command
from migralint.checks.destructive import removal_planned
from migralint.checks.file_index import column_added_earlier
from migralint.checks.grouping import listing, per_statement
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
    columns = per_statement(op, ctx, _column)
    if not columns:
        return
    names = ", ".join(columns)
    what = listing("column", [f"{op.table}.{c}" for c in columns])
    data, them = ("its", "it") if len(columns) == 1 else ("their", "them")
    later = "the column" if len(columns) == 1 else "them"
    each = "" if len(columns) == 1 else " (one per column)"
    breaks = f" and breaks release N-1, which still reads and writes {them}"
    yield ctx.finding(
        op,
        f"dropping {what} deletes {data} data" + (breaks if ctx.previous_release_runs else ""),
        (
            f"Make the code ignore {names} and ship that release first; drop {later} a "
            "release later in a migration marked `-- migralint: phase=contract`. "
            f"`{plan_command('drop-column', op.table, column=columns[0])}` writes both "
            f"steps{each}."
        )
        if ctx.previous_release_runs
        else KEEP_A_COPY,
        covers=columns.ops,
    )


def _column(op: DropColumn, ctx: Context) -> str | None:
    """Every dropped column counts, the data goes whatever the table, but a scratch
    column this file added earlier (release N-1 never knew it)."""
    return None if column_added_earlier(ctx, op.table, op.column) else op.column
