"""Renaming an index breaks code and later migrations that name it.

## What it does
Opt-in. Flags `ALTER INDEX … RENAME TO` of an index on a table that existed before
this migration, unless the migration created the index.

## Why is this bad?
Queries do not name indexes, but some code does: optimizer hints, `DROP INDEX` or
`REINDEX` in maintenance jobs and later migrations, monitoring keyed by index name.
Those fail or silently stop matching after the rename.

## Example
```sql
ALTER INDEX idx_users_email RENAME TO users_email_idx;
```

## Use instead
Keep the index name, or search the code and operations scripts for the old name and
change them in the same release as the rename:
```sql
-- migralint: ignore rename-index -- no code names idx_users_email
ALTER INDEX idx_users_email RENAME TO users_email_idx;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.file_index import before, index_name
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import CreateIndex, RenameObject


@rule(
    "rename-index",
    category="destructive",
    severity="info",
    aliases=["renaming-object"],
    dialects=("postgres", "cockroach"),
    enabled_by_default=False,
    on_down=False,
)
def check(op: RenameObject, ctx: Context) -> Iterator[Violation]:
    if op.kind != "INDEX":
        return
    table = ctx.catalog.index_table(op.name)
    if (table and ctx.is_new_table(table)) or any(
        before(ctx, CreateIndex, index_name, op.name.name)
    ):
        return
    yield ctx.finding(
        op,
        f"renaming index {op.name} to {op.new_name}: code, hints and scripts that name "
        f"{op.name.name} stop finding it",
        f"Search the code and operations scripts for {op.name.name} and change them in the "
        "same release, or keep the old name.",
    )
