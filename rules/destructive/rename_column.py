"""Renaming a column breaks the release that is still running.

## What it does
Flags `ALTER TABLE … RENAME COLUMN` on a table that existed before this migration,
unless the same migration added the column (release N-1 never used it); and
`ALTER VIEW | MATERIALIZED VIEW | FOREIGN TABLE … RENAME COLUMN`, which breaks the
queries of release N-1 that select the old name just the same.

## Why is this bad?
During a rollout and during a rollback, release N-1 still reads and writes the old
name; every one of its queries that names the column fails until the rollout
finishes, and rolling the code back after the rename breaks it again.

## Example
```sql
ALTER TABLE users RENAME COLUMN full_name TO name;
```

## Use instead
Expand/contract: add `name`, keep it in sync with `full_name` by a trigger, backfill
in batches, switch the code, and drop `full_name` a release later.
```sql
ALTER TABLE users ADD COLUMN IF NOT EXISTS name text;
```
`migralint plan rename-column --table users --column full_name --to name` writes all
three phases, sync trigger included.
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.advice import plan_command
from migralint.checks.file_index import column_added_earlier
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import RenameColumn


@rule(
    "rename-column",
    category="destructive",
    aliases=["renaming-column"],
    dialects=("postgres", "mysql", "sqlite", "cockroach"),
    on_down=False,
    offline=False,  # harms release N-1 only, which an offline deploy does not run
)
def check(op: RenameColumn, ctx: Context) -> Iterator[Violation]:
    if column_added_earlier(ctx, op.table, op.column):
        return  # added by this migration: release N-1 never used it
    if op.relation != "table":
        yield ctx.finding(
            op,
            f"renaming column {op.column} of {op.relation} {op.table} to {op.new_name} breaks "
            f"release N-1, which still selects {op.column}",
            f"Give the {op.relation} the new column beside the old one{_append(op)}, switch "
            f"the code, then drop {op.column} a release later.",
        )
        return
    command = plan_command("rename-column", op.table, column=op.column, to=op.new_name)
    yield ctx.finding(
        op,
        f"renaming {op.table}.{op.column} to {op.new_name} breaks release N-1, "
        f"which still uses {op.column}",
        f"Expand/contract instead: add {op.new_name}, keep both columns in sync with a trigger, "
        f"backfill, switch the code, then drop {op.column} a release later. `{command}` writes "
        "the expand, migrate and contract migrations.",
    )


def _append(op: RenameColumn) -> str:
    """How a view gains the new column: CREATE OR REPLACE VIEW may add columns at the end."""
    return f" (CREATE OR REPLACE VIEW may append {op.new_name})" if "view" in op.relation else ""
