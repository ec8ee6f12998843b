"""Renaming a table breaks the release that is still running.

## What it does
Flags `ALTER TABLE … RENAME TO` (and MySQL `RENAME TABLE`) on a table that existed
before this migration.

## Why is this bad?
Release N-1 still queries the old name; all of its queries on the table fail from
the rename until the rollout ends, and again after a rollback of the code.

## Example
```sql
ALTER TABLE customers RENAME TO clients;
```

## Use instead
Rename, and in the same transaction keep the old name working with a simple (hence
updatable) view until no release uses it; drop the view in a later contract migration:
```sql
BEGIN;
ALTER TABLE customers RENAME TO clients;
CREATE VIEW customers AS SELECT * FROM clients;
COMMIT;
```
`migralint plan rename-table --table customers --to clients` writes the phases.
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.advice import plan_command
from migralint.checks.destructive import old_name_kept_as_view, removal_planned
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import RenameTable


@rule(
    "rename-table",
    category="destructive",
    aliases=["renaming-table"],
    dialects=("postgres", "mysql", "sqlite", "cockroach"),
    on_down=False,
    offline=False,  # harms release N-1 only, which an offline deploy does not run
)
def check(op: RenameTable, ctx: Context) -> Iterator[Violation]:
    if old_name_kept_as_view(op, ctx) or removal_planned(ctx.file):
        return
    command = plan_command("rename-table", op.table, to=op.new_name)
    yield ctx.finding(
        op,
        f"renaming table {op.table} to {op.new_name} breaks release N-1, "
        f"which still queries {op.table.name}",
        f"Keep the old name working while N-1 runs (a view named {op.table.name} over the "
        f"renamed table, or dual writes), and drop it a release later. `{command}` writes "
        "the phases.",
    )
