"""Dropping NOT NULL and writing NULLs in one migration hands NULLs to release N-1.

## What it does
Flags `ALTER TABLE … ALTER COLUMN … DROP NOT NULL` on an existing NOT NULL column when
the same migration then writes NULL into it (`UPDATE … SET col = NULL`), unless the
migration added the column, reworks it later (a new default, an identity, a drop), or
is marked `-- migralint: phase=contract`. DROP NOT NULL alone is not flagged: it only
relaxes a constraint, release N-1 still writes every column it wrote, and it is the
expand step that lets a later release stop writing the column.

## Why is this bad?
Release N-1 keeps running during the deploy and after a code rollback, and it was
written against a column that always has a value. The NULLs this migration writes
reach its reads at once: a crash or a wrong result in code that never checked. (NULLs
that the new code writes are the new code's business; a dropped default that makes
N-1's own inserts store NULL is the `drop-default` rule.)

## Example
```sql
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;
UPDATE users SET email = NULL WHERE email = '';
```

## Use instead
Relax the constraint now and keep writing values; clear them in a later release,
once no running release assumes a value:
```sql
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.destructive import column_reworked_later, known_column, removal_planned
from migralint.checks.file_index import Each, after, column_added_earlier
from migralint.checks.grouping import listing, per_statement
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import DropNotNull, Update


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
    found = per_statement(op, ctx, _nulls_written)
    if not found:
        return
    columns = [c for c, _ in found]
    what = listing("", [f"{op.table}.{c}" for c in columns], "columns")
    lines = ", ".join(sorted({str(line) for _, line in found}))
    readers = ", ".join(columns)
    yield ctx.finding(
        op,
        f"{what} may now be NULL, and this migration writes NULL into "
        f"{'it' if len(columns) == 1 else 'them'} (line {lines}): release N-1, still "
        "running, reads rows without the value it assumes",
        f"Keep the values while release N-1 runs: relax the constraint now, and write NULL "
        f"into {readers} in a later release, once every running release handles NULL.",
        covers=found.ops,
    )


def _nulls_written(op: DropNotNull, ctx: Context) -> tuple[str, int] | None:
    """(column, the line of an UPDATE of this file that then sets it to NULL), unless
    this migration added or reworks the column, or it was nullable already."""
    if column_added_earlier(ctx, op.table, op.column) or column_reworked_later(
        ctx, op.table, op.column
    ):
        return None
    column = known_column(ctx, op.table, op.column)
    if column is not None and column.nullable:
        return None
    update = next(after(ctx, Update, _set_to_null, (op.table.key, op.column)), None)
    return None if update is None else (op.column, update.loc.line)


def _set_to_null(op: Update) -> Each:
    """(table key, column) for each column the UPDATE sets to NULL."""
    return Each(
        (op.table.key, a.column) for a in op.assignments or () if a.value.strip().upper() == "NULL"
    )
