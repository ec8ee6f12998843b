"""Dropping a database deletes all of its data.

## What it does
Flags `DROP DATABASE` in a migration.

## Why is this bad?
Every table in the database and all their data are gone at once; no rollback of the
code brings them back. A migration is the wrong place for it: migrations run against
every environment, production included.

## Example
```sql
DROP DATABASE analytics;
```

## Use instead
Drop databases by hand, after a backup, outside the migration history; a migration
should only change objects inside the database it runs in:
```sql
DROP TABLE IF EXISTS analytics_scratch;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import DropObject


@rule(
    "drop-database",
    category="destructive",
    aliases=["ban-drop-database"],
    dialects=("postgres", "mysql", "cockroach"),
    on_down=False,
)
def check(op: DropObject, ctx: Context) -> Iterator[Violation]:
    mysql_schema = op.kind == "SCHEMA" and ctx.file.dialect == "mysql"  # a synonym there
    if op.kind != "DATABASE" and not mysql_schema:
        return
    yield ctx.finding(
        op,
        f"dropping database {op.name} deletes every table in it and all their data",
        "Do not drop databases from a migration, which runs in every environment including "
        "production; drop it by hand after a backup, once nothing connects to it.",
    )
