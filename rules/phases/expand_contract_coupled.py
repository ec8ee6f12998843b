"""One migration both adds a replacement and removes the original it replaces.

## What it does
Flags the `DROP COLUMN` / `RENAME COLUMN` (or `DROP TABLE` / `RENAME TABLE`) of an
existing column or table when the same migration added its replacement: a new column
backfilled from it or renamed to its name, or a new table filled from it or renamed to
its name. One DROP TABLE of several replaced tables is one finding naming them all.
Its finding stands for `drop-column`, `drop-table`, `rename-column` and
`rename-table` on the same statement, and for `new-column-made-required` on the
replacement: one cause, one finding.

## Why is this bad?
Expand and contract belong to different releases. Coupled in one migration, the
release still running (N-1) loses the column the moment the migration runs, and a
rollback of the code lands on a schema that no longer has what the old code reads:
the rollback door is locked.

## Example
```sql
ALTER TABLE users ADD COLUMN name text;
UPDATE users SET name = full_name;
ALTER TABLE users DROP COLUMN full_name;
```

## Use instead
Expand now (add, sync, backfill), switch the code, contract in a later release:
```sql
ALTER TABLE users ADD COLUMN IF NOT EXISTS name text;
UPDATE users SET name = full_name WHERE name IS NULL;
```
and, a release later, `ALTER TABLE users DROP COLUMN full_name;`.
`migralint plan replace-column --table users --column full_name --to name` writes the
phases, sync trigger included.
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.advice import plan_command
from migralint.checks.file_index import after, column_added_earlier, renamed_column
from migralint.checks.grouping import per_statement
from migralint.checks.phases import replacement_column, replacement_table
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql import ops

Contracting = ops.DropColumn | ops.RenameColumn | ops.DropTable | ops.RenameTable


@rule(
    "expand-contract-coupled",
    category="phases",
    dialects=("postgres", "mysql", "cockroach"),
    on_down=False,
    offline=False,  # harms release N-1 only, which an offline deploy does not run
)
def check(op: Contracting, ctx: Context) -> Iterator[Violation]:
    if isinstance(op, ops.DropColumn | ops.RenameColumn):
        found = _column_case(op, ctx)
    else:
        found = _table_case(op, ctx)
    if found is None:
        return
    key, coupled, help, about = found
    if ctx.first_time(f"expand-contract-coupled:{key}"):
        yield ctx.finding(op, coupled, help, about=about)


# (key, message, help, the keys of what is replaced and what replaces it)
Coupling = tuple[str, str, str, tuple[str, ...]]


def _column_case(op: ops.DropColumn | ops.RenameColumn, ctx: Context) -> Coupling | None:
    if column_added_earlier(ctx, op.table, op.column):
        return None  # a scratch column of this migration: the running release never used it
    added = replacement_column(op, ctx)
    if added is None:
        return None
    old = f"{op.table}.{op.column}"
    harm = f"the release still running uses {old}, and rolling the code back is no longer possible"
    if _renamed_into_place(op, added.column.name, ctx):
        what = (
            f"drops {old} and renames {op.table}.{added.column.name} to {op.column}: a change "
            "of the column in place, not a rename"
        )
        harm = (
            f"release N-1 keeps using {old}, now of type {added.column.type or 'another type'}"
            " and without the old column's default, identity and constraints unless this file "
            "re-creates them"
        )
        options = {"type": str(added.column.type)} if added.column.type else {}
        command = plan_command("change-column-type", op.table, column=op.column, **options)
        new = f"{op.table}.{added.column.name}"
    elif isinstance(op, ops.RenameColumn) and added.column.name == op.column:
        what = f"renames {old} to {op.new_name} and adds a new {op.column} in its place"
        options = {"type": str(added.column.type)} if added.column.type else {}
        command = plan_command("change-column-type", op.table, column=op.column, **options)
        new = "the new column under a new name"
    else:
        verb = "drops" if isinstance(op, ops.DropColumn) else "renames"
        what = f"adds {op.table}.{added.column.name} and {verb} {old}, which it replaces"
        command = plan_command("replace-column", op.table, column=op.column, to=added.column.name)
        new = f"{op.table}.{added.column.name}"
    key = f"{op.table.key}.{added.column.name}"
    return (
        key,
        f"this migration {what}: {harm}",
        _split(new, old, f"`{command}` writes the phases, sync trigger included."),
        (f"{op.table.key}.{op.column}", key),
    )


def _renamed_into_place(op: ops.DropColumn | ops.RenameColumn, new: str, ctx: Context) -> bool:
    """True when the file later renames the replacement to the dropped column's name
    (`ADD id_text; … DROP id; RENAME id_text TO id`): the running release still finds a
    column of that name, of another type and without what the old one carried."""
    if not isinstance(op, ops.DropColumn):
        return False
    renames = after(ctx, ops.RenameColumn, renamed_column, (op.table.key, op.column))
    return any(rename.column == new for rename in renames)


def _table_case(op: ops.DropTable | ops.RenameTable, ctx: Context) -> Coupling | None:
    """One finding per statement: `DROP TABLE a, b` of two replaced tables names both."""
    if isinstance(op, ops.DropTable):
        found = list(per_statement(op, ctx, _replaced))
    else:
        found = [pair for pair in [_replaced(op, ctx)] if pair is not None]
    if not found:
        return None
    table = found[0][1]
    old = ", ".join(str(o) for o, _ in found)
    harm = f"the release still running uses {old}, and rolling the code back is no longer possible"
    if table.key == op.table.key:
        what = f"renames {old} away and creates a new {old} in its place"
        new = "the new table under a new name"
    else:
        verb = "drops" if isinstance(op, ops.DropTable) else "renames"
        news = list(dict.fromkeys(str(t) for _, t in found))
        new = ", ".join(news)
        which = "it replaces" if len(news) == 1 else "they replace"
        what = f"creates {new} and {verb} {old}, which {which}"
    how = f"Keep both tables in sync (trigger or dual writes) until the code uses {new}."
    return (
        f"table:{table.key}",
        f"this migration {what}: {harm}",
        _split(new, old, how),
        tuple(t.key for pair in found for t in pair),
    )


def _replaced(
    op: ops.DropTable | ops.RenameTable, ctx: Context
) -> tuple[ops.Name, ops.Name] | None:
    """(the table `op` removes, the table this file creates to replace it), if one does."""
    table = replacement_table(op, ctx)
    return None if table is None else (op.table, table)


def _split(new: str, old: str, how: str) -> str:
    return (
        f"Split it: expand now (add {new}, keep it in sync, backfill), switch the code, and "
        f"remove {old} in a contract migration of a later release. {how}"
    )
