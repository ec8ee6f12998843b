"""Dropping a function or procedure breaks the code that still calls it.

## What it does
Flags `DROP FUNCTION`, `DROP PROCEDURE`, `DROP ROUTINE` and `DROP AGGREGATE` of a
routine this migration neither created nor re-creates, outside a migration marked `-- migralint:
phase=contract`. Dropping and creating a routine of the same name in one migration
(to change its signature or return type, which `CREATE OR REPLACE` cannot do) stays
quiet, and so does a `RETURNS trigger` function dropped without CASCADE: no query can
call it, and PostgreSQL refuses the drop while a trigger still uses it.
One statement dropping several routines is one finding naming them all.

## Why is this bad?
Release N-1 keeps calling it during the rollout and after a rollback of the code, and
every call fails. With `CASCADE`, triggers, defaults and views that use it are dropped
too, silently changing what the database does on every write.

## Example
```sql
DROP FUNCTION calculate_discount(numeric);
```

## Use instead
To change it, drop and re-create it in one migration; to remove it, stop calling it
first and drop it in a contract migration:
```sql
DROP FUNCTION IF EXISTS calculate_discount(numeric);
CREATE FUNCTION calculate_discount(amount numeric, rate numeric) RETURNS numeric
    LANGUAGE sql AS $$ SELECT amount * rate $$;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.destructive import dropped_name, dropped_object
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import DropObject


@rule(
    "drop-function",
    category="destructive",
    severity="warning",
    aliases=["ban-drop-function"],
    dialects=("postgres", "mysql", "cockroach"),
    on_down=False,
)
def check(op: DropObject, ctx: Context) -> Iterator[Violation]:
    if op.kind in ("FUNCTION", "PROCEDURE", "ROUTINE", "AGGREGATE"):
        harm = "breaks release N-1 wherever it still calls it"
        yield from dropped_object(op, ctx, harm, _dropped_routine)


def _dropped_routine(op: DropObject, ctx: Context) -> str | None:
    """The routine's name, unless it is a function the set's migrations created `RETURNS
    trigger`, dropped without CASCADE: no query can call it, and PostgreSQL refuses the
    drop while a trigger uses it (with CASCADE its triggers go too, which is worth a
    finding)."""
    trigger = op.kind == "FUNCTION" and op.name.name.lower() in ctx.catalog.trigger_functions
    return None if trigger and not op.cascade else dropped_name(op, ctx)
