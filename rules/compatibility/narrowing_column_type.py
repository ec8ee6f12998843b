"""Narrowing a column's type rejects values the running release still writes.

## What it does
Flags `ALTER COLUMN … TYPE` (and MySQL `MODIFY`/`CHANGE`) that makes a column
accept less than before: a shorter varchar, text to varchar(n), a smaller integer,
a numeric with fewer digits before or after the point, a decimal or a float to an
integer, double precision to real, and on PostgreSQL a lossy conversion: timestamp to
date (the time of day goes), timestamptz to time (the date goes), fewer digits of
fractional seconds (values are rounded), bytea to a string type without `USING` (each
value becomes the hex escape text of its bytes).
The old type must be known from an earlier migration; when it is not, this rule
stays quiet and changing-column-type reports the change instead.

## Why is this bad?
The statement itself fails if any existing row does not fit. If it succeeds,
release N-1, which still runs during the rollout (and again after a rollback),
keeps writing values the new type rejects: its inserts and updates fail, or the
digits it wrote are silently rounded away. On PostgreSQL the change also rewrites
the table under an ACCESS EXCLUSIVE lock.

## Example
After an earlier migration made `users.nickname` a varchar(50) (the first statement
stands in for it, so the example is complete on its own):
```sql
ALTER TABLE users ALTER COLUMN nickname TYPE varchar(50);
ALTER TABLE users ALTER COLUMN nickname TYPE varchar(20);
```

## Use instead
Widening is safe; narrow only after every release writes values that fit, by
enforcing the new limit with a CHECK added `NOT VALID` and validated:
```sql
ALTER TABLE users ADD CONSTRAINT users_nickname_length
    CHECK (char_length(nickname) <= 20) NOT VALID;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.types import narrows
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import AlterColumnType


@rule(
    "narrowing-column-type",
    category="compatibility",
    aliases=["changing-column-type"],
    dialects=("postgres", "mysql", "cockroach"),
)
def check(op: AlterColumnType, ctx: Context) -> Iterator[Violation]:
    effect = narrows(op, ctx)
    if effect is None:
        return
    old = ctx.catalog.type_before(op)
    writer = (
        "the newer release, still running during the rollback,"
        if (ctx.file.direction == "down")
        else "release N-1"
    )
    yield ctx.finding(
        op,
        f"narrowing {op.table}.{op.column} from {str(old).lower()} to {str(op.type).lower()} "
        f"{effect}, which {writer} may still write",
        f"Keep {op.column} as {old}; enforce the new limit with a CHECK added NOT VALID and "
        "validated, once every running release writes values that fit.",
    )
