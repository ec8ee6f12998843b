"""Dropping an index without CONCURRENTLY blocks reads and writes of its table.

## What it does
Flags `DROP INDEX` without `CONCURRENTLY`, unless the index belongs to a table created
in this same migration, or the statement is `DROP INDEX IF EXISTS` of an index that
does not exist: when the migration set created every table it has touched and every
index the catalog follows, and none has that name, PostgreSQL takes no lock and does
nothing (a set that works on a table it did not create, runs dynamic SQL or a
statement migralint cannot read, or builds an index PostgreSQL names, such as an
unnamed `CREATE INDEX` or a partition's, is never assumed to know every index).
When an earlier statement of the same transaction holds ACCESS EXCLUSIVE on its
table, the drop waits for no one and blocks no one more until commit: that
statement's finding, if it has one, stands for this one and says so (moved out of
the transaction, the drop must become concurrent).
A drop of an index whose table a later statement of the migration drops is not
reported either: the DROP TABLE takes the same lock right after, and drop-table says
what it costs (Alembic's autogenerate writes the index drops first).
One DROP INDEX of several indexes is one finding naming them all.

## Why is this bad?
A plain DROP INDEX takes an ACCESS EXCLUSIVE lock on the table. While it waits for
running queries to finish, every new query on the table queues behind it.

## Example
```sql
DROP INDEX idx_orders_customer;
```

## Use instead
```sql
DROP INDEX CONCURRENTLY IF EXISTS idx_orders_customer;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.advice import outside_transaction
from migralint.checks.file_index import after, table_key
from migralint.checks.grouping import listing, per_statement
from migralint.checks.locking import held_by_earlier
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import DropIndex, DropTable, Op


@rule(
    "require-concurrent-index-deletion",
    category="locking",
    aliases=["require-concurrent-index-deletion"],
)
def check(op: DropIndex, ctx: Context) -> Iterator[Violation]:
    found = per_statement(op, ctx, _locking)
    if not found:
        return
    names = [name for name, _ in found]
    takers = {id(taker): taker for _, taker in found}
    taker = next(iter(takers.values())) if len(takers) == 1 else None
    if len(names) == 1:
        what, tables = f"index {names[0]}", "its table"
        how = "Use `DROP INDEX CONCURRENTLY IF EXISTS …`"
    else:
        what, tables = listing("index", names, "indexes"), "their tables"
        how = "Use one `DROP INDEX CONCURRENTLY IF EXISTS …` per index (CONCURRENTLY drops one)"
    yield ctx.finding(
        op,
        f"dropping {what} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on {tables}, "
        "blocking reads and writes",
        f"{how}; it cannot run in a transaction, so {outside_transaction(ctx.file.tool)}.",
        covers=found.ops,
        caused_by=taker,
        aside=f"then line {op.loc.line} drops {what} under this statement's lock, at no "
        "further cost (on its own, outside the transaction, it would need DROP INDEX "
        "CONCURRENTLY)",
    )


def _locking(op: DropIndex, ctx: Context) -> tuple[str, Op | None] | None:
    """(the index's name, the earlier Op of the transaction that holds ACCESS EXCLUSIVE on
    its table already, if one does: then the drop waits for nobody and blocks nobody
    more), if it is dropped without CONCURRENTLY from a table that existed before the
    migration (one DROP INDEX can name indexes of several tables)."""
    table = ctx.target_table(op)
    if op.concurrently or (table is not None and ctx.is_new_table(table)) or ctx.drops_nothing(op):
        return None
    if table is not None and next(after(ctx, DropTable, table_key, table.key), None):
        return None  # the table goes next, under the same lock: drop-table's finding
    held = held_by_earlier(op, ctx)
    return str(op.name), held[1] if held else None
