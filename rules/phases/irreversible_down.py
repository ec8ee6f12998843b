"""A down migration re-creates a dropped column or table, but not its data.

## What it does
In down migrations, flags `ADD COLUMN` and `CREATE TABLE` that bring back what the up
migration dropped, unless the down file also refills it (an `UPDATE` or `INSERT` into
that table; in an Alembic `downgrade()`, also rows written through the application's
models or SQL built at run time, whose table cannot be read) or a comment in it says
the data is not restored. In an Alembic revision the `downgrade()` is judged only when
the revision is marked `# migralint: phase=contract`: otherwise the `upgrade()` in the
same file is told its drop deletes the data (drop-column, drop-table), and that is the
one finding of that loss.

## Why is this bad?
The rollback looks complete, and the previous release starts against a column that is
all NULL or a table that is empty: user data it depends on is gone. A rollback plan
that counts on this down file needs to know it restores the structure only.

## Example
```sql file=1_split_name.down.sql
ALTER TABLE users ADD COLUMN full_name text;
```

## Use instead
Refill it from where the data went, or say plainly that it is not restored:
```sql file=1_split_name.down.sql
ALTER TABLE users ADD COLUMN full_name text;
UPDATE users SET full_name = name WHERE full_name IS NULL;
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from migralint.alembic.ops import UnreadWrite
from migralint.checks.destructive import removal_planned
from migralint.checks.file_index import after, table_key
from migralint.checks.grouping import listing, per_statement
from migralint.checks.phases import rebuild_source
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql import ops

_NOTE = re.compile(
    r"(?:irreversible|data (?:is |will be )?(?:lost|not restored)|"
    r"not restore|cannot (?:be )?(?:restored|recovered)|structure only|refill(?:s|ed)?\b)",
    re.IGNORECASE,
)


_REFILLS = (ops.Update, ops.Insert)


@rule(
    "irreversible-down",
    category="phases",
    severity="info",
    dialects=("postgres", "mysql", "sqlite", "cockroach"),
    on_down=True,
)
def check(op: ops.AddColumn | ops.CreateTable, ctx: Context) -> Iterator[Violation]:
    if ctx.file.direction != "down" or any(_NOTE.search(c.text) for c in ctx.comments):
        return
    if ctx.file.tool == "alembic" and not removal_planned(ctx.file):
        return  # the upgrade's own drop finding, in this file, reports the loss
    found = per_statement(op, ctx, _recreated_empty)
    if not found:
        return
    noun = found[0][0]  # several come from one ALTER TABLE: columns
    fills = {fill for *_, fill in found}
    fill = fills.pop() if len(fills) == 1 else "empty or with only its default"
    what = listing(noun, [name for _, name, _ in found])
    what += f" {fill}" if len(found) == 1 else f", each {fill}"
    yield ctx.finding(
        op,
        f"this rollback re-creates {what}: the data the up migration dropped is not restored",
        "Refill it in this down migration from where the data went, or add a comment saying "
        "the data is not restored (e.g. `-- data is lost: structure only`), so the rollback "
        "plan accounts for it.",
        covers=found.ops,
    )


def _recreated_empty(
    op: ops.AddColumn | ops.CreateTable, ctx: Context
) -> tuple[str, str, str] | None:
    """(table or column, its name, how it is filled), unless it is filled from data."""
    if isinstance(op, ops.CreateTable) and (op.as_query or rebuild_source(op, ctx)):
        return None  # filled from a query, or a copy of an existing table being rebuilt
    if any(after(ctx, _REFILLS, table_key, op.table.key)) or any(after(ctx, UnreadWrite)):
        return None
    if isinstance(op, ops.AddColumn):
        filled = "with only its default" if op.column.default else "empty"
        return "column", f"{op.table}.{op.column.name}", filled
    return "table", str(op.table), "empty"
