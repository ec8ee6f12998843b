"""DELETE … WHERE in an up migration removes rows that the down cannot bring back.

## What it does
Flags `DELETE FROM table WHERE …` on a table that existed before this migration, in
an up migration that has a down migration beside it (golang-migrate, popx, diesel: the
project says this migration can be undone), unless the migration fills the table
again afterwards (reference data being re-seeded) or keeps a copy first (a `CREATE
TABLE … AS` earlier in it). Forward-only projects (Flyway, Prisma …) delete on purpose
and are not judged.
A DELETE without WHERE is `delete-without-where`; system catalogs (`pg_*`) are not
application data and are left alone.

## Why is this bad?
The rows are gone once the migration commits: rolling the release back (or running
the down migration) restores the schema, not the data. Release N-1, still running
during the deploy, may also still read or reference those rows.

## Example
```sql file=2_drop_stale.up.sql siblings=2_drop_stale.down.sql
DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE deleted);
```

## Use instead
Keep what you delete, so the down (or a person) can restore it, and delete in
batches:
```sql file=2_drop_stale.up.sql siblings=2_drop_stale.down.sql
CREATE TABLE sessions_removed_20240501 AS
    SELECT * FROM sessions WHERE user_id IN (SELECT id FROM users WHERE deleted);
DELETE FROM sessions WHERE id IN (SELECT id FROM sessions_removed_20240501);
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.destructive import refilled_later
from migralint.checks.file_index import before
from migralint.context import Context
from migralint.pgfacts import always_true, is_system_catalog
from migralint.rule import Violation, rule
from migralint.sql.ops import CreateTable, Delete


@rule(
    "delete-existing-rows",
    category="destructive",
    severity="warning",
    dialects=("postgres", "mysql", "sqlite", "cockroach"),
    on_down=False,
)
def check(op: Delete, ctx: Context) -> Iterator[Violation]:
    if not ctx.file.has_down:
        return  # forward-only: the project does not claim this migration can be undone
    if always_true(op.where) or is_system_catalog(op.table) or refilled_later(ctx, op.table):
        return
    if _copied_before(ctx, op):
        return
    yield ctx.finding(
        op,
        f"this DELETE removes rows of {op.table} for good: the down migration (or a rollback of "
        "the release) cannot bring them back",
        f"If the rows matter, copy them first (`CREATE TABLE {op.table.name}_removed AS SELECT "
        f"* FROM {op.table} WHERE …`) so they can be restored; delete in batches on a large "
        "table.",
    )


def _copied_before(ctx: Context, op: Delete) -> bool:
    """True when an earlier `CREATE TABLE … AS` of this migration may hold the rows."""
    return any(c.as_query for c in before(ctx, CreateTable))
