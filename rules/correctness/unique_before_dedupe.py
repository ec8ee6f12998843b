"""A unique index built before the statement that makes the data unique.

## What it does
Flags `CREATE UNIQUE INDEX` (or `ADD … UNIQUE` / `PRIMARY KEY`) on an existing table
when a later statement of the same migration updates the indexed columns or deletes
rows of that table: the clean-up runs after the index it is meant to enable. Not when a
unique index the migrations created already covers some of those columns under the
same predicate (a down re-creating the index its up replaced): the rows are unique
already.

## Why is this bad?
The index build checks the existing rows. If duplicates exist, which the later
UPDATE or DELETE was written to remove, the migration fails in production even though
it passed on a development database with clean data.

## Example
```sql
DROP INDEX CONCURRENTLY IF EXISTS users_email_key;
CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);
DELETE FROM users a USING users b WHERE a.email = b.email AND a.id > b.id;
```

## Use instead
Remove the duplicates first, then build the index:
```sql
DELETE FROM users a USING users b WHERE a.email = b.email AND a.id > b.id;
DROP INDEX CONCURRENTLY IF EXISTS users_email_key;
CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.file_index import Each, first_after, table_key
from migralint.checks.idempotency import index_already_exists
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import AddConstraint, CreateIndex, Delete, Update


@rule(
    "unique-before-dedupe",
    category="correctness",
    dialects=("postgres", "mysql", "sqlite", "cockroach"),
)
def check(op: CreateIndex | AddConstraint, ctx: Context) -> Iterator[Violation]:
    if isinstance(op, CreateIndex):
        if not op.unique or index_already_exists(op, ctx.catalog):
            return
        columns, where = set(op.columns), op.where
    else:
        if op.constraint.kind not in ("unique", "primary_key") or op.constraint.using_index:
            return
        columns, where = set(op.constraint.columns), None
    if ctx.catalog.unique_already(op.table, columns, where):
        return
    candidates = [first_after(ctx, Delete, table_key, op.table.key)]
    candidates += [first_after(ctx, Update, _updated, (op.table.key, c)) for c in columns]
    first = min((p for p in candidates if p is not None), default=None)
    if first is None:
        return
    later = ctx.file_ops[first]
    what = "DELETE" if isinstance(later, Delete) else "UPDATE"
    yield ctx.finding(
        op,
        f"the unique index on {op.table} ({', '.join(sorted(columns))}) is built before the "
        f"{what} on line {later.loc.line} that removes duplicates: it fails on existing data",
        f"Move the {what} before the index, so the index is built on data that is already unique.",
    )


def _updated(op: Update) -> Each:
    """(table key, column) for each column the UPDATE sets."""
    return Each({(op.table.key, c) for c in op.columns})
