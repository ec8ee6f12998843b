"""DETACH PARTITION without CONCURRENTLY blocks reads and writes of the partitioned table.

## What it does
Flags `ALTER TABLE … DETACH PARTITION` without `CONCURRENTLY` on PostgreSQL 14 or
later (set `pg_version`; older versions have no concurrent form).

## Why is this bad?
A plain DETACH takes an ACCESS EXCLUSIVE lock on the parent table: every query on any
partition waits, and while the DETACH itself waits for running queries, every new
query queues behind it.

## Example
```sql
ALTER TABLE events DETACH PARTITION events_2019;
```

## Use instead
On PostgreSQL 14+, outside a transaction block (it needs a SHARE UPDATE EXCLUSIVE
lock only; a table with a default partition cannot use it):
```sql
ALTER TABLE events DETACH PARTITION events_2019 CONCURRENTLY;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.advice import outside_transaction
from migralint.context import Context
from migralint.postgres import DETACH_PARTITION_CONCURRENTLY
from migralint.rule import Violation, rule
from migralint.sql.ops import DetachPartition


@rule(
    "require-concurrent-partition-detach",
    category="locking",
    aliases=["require-concurrent-partition-detach"],
)
def check(op: DetachPartition, ctx: Context) -> Iterator[Violation]:
    if op.concurrently or ctx.pg_version < DETACH_PARTITION_CONCURRENTLY:
        return
    yield ctx.finding(
        op,
        f"detaching {op.partition} from {op.table} without CONCURRENTLY takes an ACCESS "
        f"EXCLUSIVE lock on {op.table}, blocking reads and writes of every partition",
        f"Use `ALTER TABLE {op.table} DETACH PARTITION {op.partition} CONCURRENTLY;`; it cannot "
        f"run in a transaction, so {outside_transaction(ctx.file.tool)}. If it is interrupted, "
        f"finish it with `… DETACH PARTITION {op.partition} FINALIZE;`.",
    )
