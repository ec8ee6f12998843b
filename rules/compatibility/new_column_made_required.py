"""NOT NULL on a column the same migration added breaks the inserts of release N-1.

## What it does
Flags `SET NOT NULL`, `ADD CONSTRAINT … NOT NULL col` and a `CHECK (col IS NOT NULL)`
on a column that the same migration added without a default (nor identity, nor a
generated expression) and gives none anywhere in the migration: a later
`SET DEFAULT` in the same file is in place when release N-1's inserts come, so they
get it. It stands for `setting-not-null` on the same statement; on a column that
replaces one the migration drops or renames away, `expand-contract-coupled` stands
for it (release N-1 fails on the removal).

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

from migralint.advice import client_default, first_upper
from migralint.checks.destructive import has_default
from migralint.checks.file_index import added_column, after, anywhere, before
from migralint.context import Context
from migralint.pgfacts import null_rejected
from migralint.rule import Violation, rule
from migralint.sql.ops import AddColumn, AddConstraint, Name, Op, SetDefault, SetNotNull


@rule("new-column-made-required", category="compatibility")
def check(op: SetNotNull | AddConstraint, ctx: Context) -> Iterator[Violation]:
    """One finding per statement, naming every column it makes required."""
    found = [
        (o, _new_required(ctx, o)) for o in anywhere(ctx, _REQUIRING, _statement, _statement(op))
    ]
    found = [(o, columns) for o, columns in found if columns]
    if not found or found[0][0] is not op:
        return
    columns = [c for _, cs in found for c in cs]
    named = ", ".join(f"{op.table}.{c}" for c in columns)
    were, are, it = ("was", "is", "it") if len(columns) == 1 else ("were", "are", "them")
    added = {c: _added(ctx, op.table, c) for c in columns}
    given = [f"{op.table}.{c}" for c, a in added.items() if a and a.column.client_default]
    why = f"{first_upper(client_default(ctx.file.tool, ', '.join(given)))}. " if given else ""
    yield ctx.finding(
        op,
        f"{named} {were} added by this migration without a default and {are} now required: "
        f"release N-1 does not write {it}, so its INSERTs fail from here on",
        f"{why}Give {', '.join(columns)} a default in the ADD COLUMN (`DEFAULT …`), or make "
        f"{it} NOT NULL in a later release, once no running release inserts rows without it.",
        about=[f"{op.table.key}.{c}" for c in columns],
    )


_REQUIRING = (SetNotNull, AddConstraint)


def _statement(op: Op) -> tuple[int, int]:
    """The key of the statement an Op comes from (an ALTER's actions share it)."""
    return op.loc.line, op.loc.column


def _new_required(ctx: Context, op: SetNotNull | AddConstraint) -> list[str]:
    """The columns this migration added without a default that `op` makes required."""
    return [c for c in _required_columns(op) if _added_without_default(ctx, op.table, c)]


def _required_columns(op: SetNotNull | AddConstraint) -> list[str]:
    if isinstance(op, SetNotNull):
        return [op.column]
    c = op.constraint
    if c.kind == "not_null":
        return list(c.columns)
    if c.kind == "check":
        return null_rejected(c.expression)
    return []


def _added(ctx: Context, table: Name, column: str) -> AddColumn | None:
    """The ADD COLUMN of this migration, before the current Op, that added `column`."""
    return next(before(ctx, AddColumn, added_column, (table.key, column)), None)


def _added_without_default(ctx: Context, table: Name, column: str) -> bool:
    added = _added(ctx, table, column)
    if added is None or added.column.identity or added.column.generated_stored:
        return False
    state = ctx.catalog.column(table, column)
    if state is None or has_default(state):
        return False
    return not any(after(ctx, SetDefault, _given_default, (table.key, column)))


def _given_default(op: SetDefault) -> tuple[str, str] | None:
    """(table key, column) of a SET DEFAULT that gives a value (not `DEFAULT NULL`)."""
    return None if op.default.sql.strip().upper() == "NULL" else (op.table.key, op.column)
