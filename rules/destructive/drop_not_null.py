"""Dropping NOT NULL lets NULLs reach code that assumes a value.

## What it does
Flags `ALTER TABLE … ALTER COLUMN … DROP NOT NULL` on an existing column, unless the
column is nullable already, the migration added it or drops it, or the migration is
marked `-- migralint: phase=contract`.

## Why is this bad?
Releases N-1 and N may read the column as always set: a NULL written by the new code
(or by a backfill) turns into a crash or a wrong result in code that never checked.
Making a column nullable is usually the first step of removing it, which belongs in
a planned expand/contract sequence.

## Example
```sql
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;
```

## Use instead
Make every reader handle NULL and ship that release first; then make the column
nullable in a migration marked as that step:
```sql
-- migralint: phase=contract
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.advice import plan_command
from migralint.checks.destructive import (
    column_reworked_later,
    known_column,
    removal_planned,
)
from migralint.checks.file_index import column_added_earlier
from migralint.checks.grouping import listing, per_statement
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import DropNotNull


@rule(
    "drop-not-null",
    category="destructive",
    severity="warning",
    aliases=["ban-drop-not-null"],
    dialects=("postgres", "cockroach"),
    on_down=False,
)
def check(op: DropNotNull, ctx: Context) -> Iterator[Violation]:
    if removal_planned(ctx.file):
        return
    columns = per_statement(op, ctx, _made_nullable)
    if not columns:
        return
    what = listing("", [f"{op.table}.{c}" for c in columns], "columns")
    verb = "may" if len(columns) == 1 else "may each"
    readers = columns[0] if len(columns) == 1 else ", ".join(columns)
    yield ctx.finding(
        op,
        f"{what} {verb} now be NULL, while code of releases N-1 and N may still assume it "
        "always has a value",
        f"Make every reader of {readers} handle NULL and ship that release first. If this "
        "starts removing the column, "
        f"`{plan_command('drop-column', op.table, column=columns[0])}` writes the steps.",
        covers=columns.ops,
    )


def _made_nullable(op: DropNotNull, ctx: Context) -> str | None:
    """The column, unless this migration added or reworks it, or it was nullable."""
    if column_added_earlier(ctx, op.table, op.column) or column_reworked_later(
        ctx, op.table, op.column
    ):
        return None
    column = known_column(ctx, op.table, op.column)
    return None if column is not None and column.nullable else op.column
