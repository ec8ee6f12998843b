"""NOT NULL on a column the same migration added breaks the inserts of release N-1.

## What it does
Flags `SET NOT NULL`, `ADD CONSTRAINT … NOT NULL col` and a `CHECK (col IS NOT NULL)`
on a column that the same migration added without a default (nor identity, nor a
generated expression) and has not given one since.

## Why is this bad?
During the deploy, release N-1 keeps inserting rows, and it does not know the
column: its INSERTs leave it NULL, and from this statement on every one of them
fails. (A backfill between the ADD COLUMN and the SET NOT NULL only covers the rows
that existed when it ran.) A CHECK that rejects NULL does the same, `NOT VALID` or
not: new rows are always checked.

## Example
```sql
ALTER TABLE orders ADD COLUMN region text;
UPDATE orders SET region = 'eu';
ALTER TABLE orders ALTER COLUMN region SET NOT NULL;
```

## Use instead
Give the column a default that N-1's inserts get, or make it required in a later
release, once every running release writes it:
```sql
ALTER TABLE orders ADD COLUMN region text DEFAULT 'eu';
ALTER TABLE orders ALTER COLUMN region SET NOT NULL;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.destructive import has_default
from migralint.checks.file_index import added_column, before
from migralint.context import Context
from migralint.pgfacts import null_rejected
from migralint.rule import Violation, rule
from migralint.sql.ops import AddColumn, AddConstraint, Name, SetNotNull


@rule("new-column-made-required", category="compatibility")
def check(op: SetNotNull | AddConstraint, ctx: Context) -> Iterator[Violation]:
    for column in _required_columns(op):
        if not _added_without_default(ctx, op.table, column):
            continue
        yield ctx.finding(
            op,
            f"{op.table}.{column} was added by this migration without a default and is now "
            "required: release N-1 does not write it, so its INSERTs fail from here on",
            f"Give {column} a default in the ADD COLUMN (`DEFAULT …`), or make it NOT NULL in a "
            "later release, once no running release inserts rows without it.",
        )


def _required_columns(op: SetNotNull | AddConstraint) -> list[str]:
    if isinstance(op, SetNotNull):
        return [op.column]
    c = op.constraint
    if c.kind == "not_null":
        return list(c.columns)
    if c.kind == "check":
        return null_rejected(c.expression)
    return []


def _added_without_default(ctx: Context, table: Name, column: str) -> bool:
    added = next(before(ctx, AddColumn, added_column, (table.key, column)), None)
    if added is None or added.column.identity or added.column.generated_stored:
        return False
    state = ctx.catalog.column(table, column)
    return state is not None and not has_default(state)
