"""A foreign key whose columns have no index makes every delete on the parent scan.

## What it does
Flags a FOREIGN KEY added to an existing table when no index leads with its
referencing columns: not from earlier migrations, not the table's primary key or
unique constraints, and not a `CREATE INDEX` later in the same file. A foreign key the
same migration dropped first (same name, or the name PostgreSQL gave it on the same
columns) and adds back, to change ON DELETE say, changes nothing about indexes and is
not judged.

## Why is this bad?
PostgreSQL indexes the referenced side only. Every DELETE (or key UPDATE) of a
parent row must find the child rows that reference it, which without an index is a
sequential scan of the child table, holding locks while it runs; `ON DELETE CASCADE`
and joins on the key are slow for the same reason.

## Example
```sql
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk
    FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
```

## Use instead
```sql
DROP INDEX CONCURRENTLY IF EXISTS idx_orders_customer_id;
CREATE INDEX CONCURRENTLY idx_orders_customer_id ON orders (customer_id);
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk
    FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
```
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator

from migralint.advice import plan_command
from migralint.checks.destructive import foreign_key_replaced
from migralint.checks.file_index import after
from migralint.checks.locking import constraints_of
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import AddColumn, AddConstraint, CreateIndex


@rule(  # slow deletes for as long as the schema lasts, not only during the migration
    "foreign-key-without-index", category="locking", severity="warning", offline=True
)
def check(op: AddConstraint | AddColumn, ctx: Context) -> Iterator[Violation]:
    for c in constraints_of(op):
        if c.kind != "foreign_key" or c.references is None or not c.columns:
            continue
        if ctx.catalog.has_index_starting_with(op.table, c.columns):
            continue
        if foreign_key_replaced(ctx, op.table, c):
            continue  # the dropped key's finding, if any, was its own migration's
        leading = (op.table.key, frozenset(c.columns))
        if any(after(ctx, CreateIndex, _leading(len(c.columns)), leading)):
            continue
        columns = ", ".join(c.columns)
        name = f"idx_{op.table.name}_{'_'.join(c.columns)}"
        command = plan_command("create-index", op.table, column=columns)
        yield ctx.finding(
            op,
            f"no index on {op.table} ({columns}): every delete or key update on "
            f"{c.references.table} scans {op.table} to check this foreign key",
            f"`DROP INDEX CONCURRENTLY IF EXISTS {name};` then `CREATE INDEX CONCURRENTLY "
            f"{name} ON {op.table} ({columns});` (a re-run rebuilds what a failed build left "
            f"INVALID; `{command}`).",
        )


@functools.cache
def _leading(n: int) -> Callable[[CreateIndex], tuple[str, frozenset[str]]]:
    """The key function: (table key, the set of an index's first `n` columns)."""

    def key(index: CreateIndex) -> tuple[str, frozenset[str]]:
        return index.table.key, frozenset(index.columns[:n])

    return key
