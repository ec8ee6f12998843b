"""VACUUM FULL rewrites the table while reads and writes are blocked.

## What it does
Flags `VACUUM FULL` (also `VACUUM (FULL, …)`) in a migration, unless the table was
created in the same migration.

## Why is this bad?
VACUUM FULL copies the whole table and rebuilds every index under an ACCESS EXCLUSIVE
lock: no query can read or write the table until it is done, which takes minutes to
hours on a large table. Without a table name it does this to every table in turn.

## Example
```sql
VACUUM FULL orders;
```

## Use instead
Reclaim space online with the pg_repack extension (or pg_squeeze), run by an operator
rather than a migration; a plain VACUUM does not block reads or writes:
```sql
VACUUM (ANALYZE) orders;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import Vacuum


@rule("vacuum-full", category="locking", aliases=["prefer-repack"])
def check(op: Vacuum, ctx: Context) -> Iterator[Violation]:
    if not op.full:
        return
    target = str(op.name) if op.name else "every table of the database"
    yield ctx.finding(
        op,
        f"VACUUM FULL rewrites {target} under an ACCESS EXCLUSIVE lock, blocking reads and "
        "writes until it finishes",
        f"Use pg_repack (`pg_repack --table={op.name or '…'}`) to reclaim the space online, "
        "run outside the migration; a plain `VACUUM` blocks nothing.",
    )
