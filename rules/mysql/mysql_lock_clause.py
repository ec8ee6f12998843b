"""LOCK=SHARED or LOCK=EXCLUSIVE blocks the application for the whole ALTER.

## What it does
Flags a MySQL `ALTER TABLE … LOCK=SHARED` (writes wait) or `LOCK=EXCLUSIVE`
(reads and writes wait) on a table that existed before this migration.
`LOCK=SHARED` next to `ALGORITHM=COPY` is left to mysql-algorithm-copy, which
already reports the blocked writes.

## Why is this bad?
The clause tells MySQL to hold that lock for the entire operation, even when the
change could run online. Every request that touches the table waits until the
ALTER finishes, which on a large table means an outage.

## Example
```sql
ALTER TABLE orders ADD INDEX idx_orders_customer (customer_id), LOCK=EXCLUSIVE;
```

## Use instead
Ask for no lock, so MySQL fails instead of blocking when it cannot run online:
```sql
ALTER TABLE orders ADD INDEX idx_orders_customer (customer_id), ALGORITHM=INPLACE, LOCK=NONE;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.file_index import anywhere
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import AlterTableOption, Location

_BLOCKS = {"SHARED": "writes wait", "EXCLUSIVE": "reads and writes wait"}


@rule("mysql-lock-clause", category="locking", dialects=("mysql",))
def check(op: AlterTableOption, ctx: Context) -> Iterator[Violation]:
    if op.name != "LOCK" or op.value not in _BLOCKS:
        return
    if op.value == "SHARED" and any(
        o.value == "COPY" for o in anywhere(ctx, AlterTableOption, _location, op.loc)
    ):
        return  # ALGORITHM=COPY holds the same lock; mysql-algorithm-copy reports it
    yield ctx.finding(
        op,
        f"LOCK={op.value} on {op.table}: {_BLOCKS[op.value]} for the whole ALTER",
        "Use LOCK=NONE (with ALGORITHM=INPLACE or INSTANT) so MySQL fails rather than "
        "blocks; if the change cannot run online, use gh-ost or pt-online-schema-change.",
    )


def _location(op: AlterTableOption) -> Location:
    return op.loc
