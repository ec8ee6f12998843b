"""An UPDATE of every row in one statement locks those rows for the whole run.

## What it does
Flags an `UPDATE` of an existing table without a WHERE clause, or with one that does
not bound a batch (no range, LIMIT, IN list or key equal to a literal or a bind
parameter: `IS NULL`, `<>` and join conditions do not count). An UPDATE in a LOOP of
a DO block runs once per pass and is not judged, nor is an UPDATE of a system catalog
(`pg_index`, `pg_catalog.…`), which changes a few rows. An UPDATE inside a transaction that
altered the table is the `backfill-with-ddl` rule instead.

## Why is this bad?
One statement rewrites every matching row in one transaction: each row stays locked
against concurrent UPDATEs and DELETEs until the whole run commits, the WAL burst can
lag replicas, and every updated row leaves a dead copy behind (bloat). It cannot be
paused or resumed.

## Example
```sql
UPDATE users SET active = true;
```

## Use instead
Batch by primary-key ranges, one short transaction per batch (a script or a loop
outside the migration, repeating until no row is updated):
```sql
UPDATE users SET active = true
WHERE id IN (SELECT id FROM users WHERE active IS NULL ORDER BY id LIMIT 10000);
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.locking import backfill_under_lock, bounds_a_batch
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import Update


@rule("unbatched-backfill", category="locking", severity="warning")
def check(op: Update, ctx: Context) -> Iterator[Violation]:
    if bounds_a_batch(op, ctx) or backfill_under_lock(op, ctx) is not None:
        return
    columns = ", ".join(op.columns) or "…"
    where = " ".join(op.where.split()) if op.where else ""
    where = where if len(where) <= 60 else where[:59] + "…"
    scope = f"every row matching `{where}`" if where else "every row"
    remaining = f" AND ({op.where})" if op.where else ""
    key = _batch_key(op, ctx)
    yield ctx.finding(
        op,
        f"this UPDATE changes {scope} of {op.table} in one transaction, holding the row "
        "locks until it ends and writing the whole change to WAL at once",
        f"Backfill {op.table}.{columns} in keyset batches, each its own transaction, "
        f"e.g. `UPDATE {op.table} SET … WHERE {key} IN (SELECT {key} FROM {op.table} "
        f"WHERE {key} > :last_id{remaining} ORDER BY {key} LIMIT 10000)`, repeated with "
        "the last key until no row changes.",
    )


def _batch_key(op: Update, ctx: Context) -> str:
    """The column to batch on: the table's one-column primary key, or a placeholder
    when the migrations give it none (naming `id` would invent a column)."""
    key = ctx.catalog.primary_key(op.table)
    return key[0] if len(key) == 1 else "<key>"
