"""A foreign key whose columns have no index makes every delete on the parent scan.

## What it does
Flags a FOREIGN KEY added to an existing table when no index leads with its
referencing columns: not from earlier migrations, not the table's primary key or
unique constraints, and not a `CREATE INDEX`, UNIQUE or PRIMARY KEY later in the same
file. A foreign key the same migration dropped first (same name, or the name PostgreSQL
gave it on the same columns) and adds back, to change ON DELETE say, changes nothing
about indexes and is not judged.
One ALTER TABLE adding several such keys is one finding naming them all.

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
from migralint.checks.grouping import per_statement
from migralint.checks.locking import constraints_of
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import AddColumn, AddConstraint, Constraint, CreateIndex, Name


@rule(  # slow deletes for as long as the schema lasts, not only during the migration
    "foreign-key-without-index", category="locking", severity="warning", offline=True
)
def check(op: AddConstraint | AddColumn, ctx: Context) -> Iterator[Violation]:
    keys = [key for found in per_statement(op, ctx, _unindexed_keys, _ADDS) for key in found]
    if not keys:
        return
    statements = " ".join(_index_statements(op.table, c.columns) for c, _ in keys)
    command = plan_command("create-index", op.table, column=", ".join(keys[0][0].columns))
    if len(keys) == 1:
        ((c, parent),) = keys
        message = (
            f"no index on {op.table} ({', '.join(c.columns)}): every delete or key update on "
            f"{parent} scans {op.table} to check this foreign key"
        )
    else:
        shown = ", ".join(f"({', '.join(c.columns)}) → {parent}" for c, parent in keys)
        message = (
            f"no index on {op.table} for {len(keys)} foreign keys ({shown}): every delete or "
            f"key update on a referenced table scans {op.table} to check them"
        )
    yield ctx.finding(
        op,
        message,
        f"{statements} (a re-run rebuilds what a failed build left INVALID; `{command}`).",
    )


_ADDS = (AddConstraint, AddColumn)


def _unindexed_keys(
    op: AddConstraint | AddColumn, ctx: Context
) -> tuple[tuple[Constraint, Name], ...] | None:
    """The foreign keys (and the tables they reference) the Op adds with no index led by
    their columns, now or later in the migration; None if none."""
    keys = tuple(
        (c, c.references.table)
        for c in constraints_of(op)
        if c.kind == "foreign_key"
        and c.references is not None
        and c.columns
        and not _indexed(op, c, ctx)
    )
    return keys or None


def _indexed(op: AddConstraint | AddColumn, c: Constraint, ctx: Context) -> bool:
    if ctx.catalog.has_index_starting_with(op.table, c.columns):
        return True
    if foreign_key_replaced(ctx, op.table, c):
        return True  # the dropped key's finding, if any, was its own migration's
    leading = (op.table.key, frozenset(c.columns))
    if any(after(ctx, CreateIndex, _leading(len(c.columns)), leading)):
        return True
    return any(_indexes_key(later, op.table, c.columns) for later in after(ctx, AddConstraint))


def _indexes_key(later: AddConstraint, table: Name, columns: tuple[str, ...]) -> bool:
    """True if a UNIQUE or PRIMARY KEY added later builds an index led by `columns`."""
    built = later.constraint
    return (
        later.table.key == table.key
        and built.kind in ("unique", "primary_key")
        and frozenset(built.columns[: len(columns)]) == frozenset(columns)
    )


def _index_statements(table: Name, columns: tuple[str, ...]) -> str:
    """The statements that index a foreign key's columns, re-runnable."""
    name = f"idx_{table.name}_{'_'.join(columns)}"
    listed = ", ".join(columns)
    return (
        f"`DROP INDEX CONCURRENTLY IF EXISTS {name};` then `CREATE INDEX CONCURRENTLY "
        f"{name} ON {table} ({listed});`"
    )


@functools.cache
def _leading(n: int) -> Callable[[CreateIndex], tuple[str, frozenset[str]]]:
    """The key function: (table key, the set of an index's first `n` columns)."""

    def key(index: CreateIndex) -> tuple[str, frozenset[str]]:
        return index.table.key, frozenset(index.columns[:n])

    return key
