"""`alter_column(type_=…)` without `existing_type`: whether it rewrites the table cannot be judged.

## What it does
Flags an Alembic `alter_column` that changes a column's type to a type migralint cannot
read (an application's own type), or without saying the type it had
(`existing_type`) when no earlier revision of the set created that column
either: the finding says the change cannot be judged, it does not guess. When an
earlier revision created the column, its type there is the old type.

## Why is this bad?
Whether `ALTER COLUMN … TYPE` is instant or rewrites the whole table under an ACCESS
EXCLUSIVE lock depends on the old type (varchar(50) to varchar(100) is instant,
integer to bigint rewrites). Without it neither a reviewer nor migralint can tell;
Alembic also needs `existing_type` to render the change on MySQL and in batch mode.

## Example
```python file=e5_widen_name.py
import sqlalchemy as sa
from alembic import op

revision = "e5"
down_revision = None

def upgrade():
    op.alter_column("users", "name", type_=sa.String(100))
```

## Use instead
```python file=e5_widen_name.py
import sqlalchemy as sa
from alembic import op

revision = "e5"
down_revision = None

def upgrade():
    op.alter_column("users", "name", type_=sa.String(100), existing_type=sa.String(50))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.alembic.ops import UnjudgedTypeChange
from migralint.context import Context
from migralint.postgres import is_binary_coercible
from migralint.rule import Violation, rule


@rule("alembic-type-change-unjudged", category="compatibility", severity="warning")
def check(op: UnjudgedTypeChange, ctx: Context) -> Iterator[Violation]:
    known = ctx.catalog.column(op.table, op.column)
    old = known.type if known is not None else None
    if old is not None and op.type is not None:
        if is_binary_coercible(old, op.type, pg_version=ctx.pg_version[0]):
            return
        yield ctx.finding(
            op,
            f"changing {op.table}.{op.column} from {old} (as an earlier revision created it) "
            f"to {op.type} rewrites the table under an ACCESS EXCLUSIVE lock",
            f"Add existing_type for {old}, and expand/contract the change: a new column, "
            "a trigger, a batched backfill, then drop the old one.",
        )
        return
    if op.type is None:
        yield ctx.finding(
            op,
            f"alter_column changes the type of {op.table}.{op.column} to {op.written}, a type "
            "migralint does not know: whether it rewrites the table cannot be judged",
            "Check the SQL type it renders (alembic upgrade --sql); a change that is not "
            "binary-coercible rewrites the table under an ACCESS EXCLUSIVE lock.",
        )
        return
    yield ctx.finding(
        op,
        f"alter_column changes the type of {op.table}.{op.column} to {op.type} without "
        "existing_type: whether it rewrites the table cannot be judged",
        "Add existing_type=<the column's current type> so the change can be judged.",
    )
