"""Recreating an enum type without some of its values breaks writes of release N-1.

## What it does
Flags a migration that replaces an enum type by a new one that lacks some of the old
values: a column moved to another enum (`ALTER TABLE … ALTER COLUMN … TYPE s_new
USING …`, as Prisma writes it), `ALTER TYPE s RENAME TO s_old; CREATE TYPE s AS ENUM
(…)` (Alembic and hand-written), or `DROP TYPE s` followed by a type that takes its
name. The old values must be known from earlier migrations; each replacement is
reported once.

## Why is this bad?
Release N-1 still writes the removed values during the rollout and after a rollback
of the code: each such insert or update fails with `invalid input value for enum`.
The conversion itself fails if any row still holds a removed value.

## Example
```sql
CREATE TYPE "Status" AS ENUM ('DRAFT', 'PUBLISHED', 'ARCHIVED'); -- an earlier migration
ALTER TYPE "Status" RENAME TO "Status_old";
CREATE TYPE "Status" AS ENUM ('DRAFT', 'PUBLISHED');
ALTER TABLE "Post" ALTER COLUMN "status" TYPE "Status" USING ("status"::text::"Status");
DROP TYPE "Status_old";
```

## Use instead
Stop writing the value first (one release), move the rows off it, and remove it
from the type only in a later release; adding values needs no recreation:
```sql
ALTER TYPE "Status" ADD VALUE IF NOT EXISTS 'HIDDEN';
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.types import enum_replacement
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import AlterColumnType, CreateObject, DropObject


@rule("enum-value-removal", category="compatibility", on_down=False)
def check(op: CreateObject | DropObject | AlterColumnType, ctx: Context) -> Iterator[Violation]:
    found = enum_replacement(op, ctx)
    if found is None:
        return
    name, old, new = found
    removed = [v for v in old if v not in new]
    if not removed or not ctx.first_time(f"enum-value-removal {old} {new}"):
        return  # one finding per replacement, however many statements show it
    values = ", ".join(f"'{v}'" for v in removed)
    yield ctx.finding(
        op,
        f"enum {name} is recreated without {values}: release N-1's writes of "
        f"{'that value' if len(removed) == 1 else 'those values'} fail",
        f"Keep {values} in {name} for now; stop writing {'it' if len(removed) == 1 else 'them'}, "
        "update the rows that hold it, and recreate the type in a later release.",
    )
