"""`alter_column(type_=…)` to an unknown type: whether it rewrites the table cannot be judged.

## What it does
Flags an Alembic `alter_column` that changes a column's type to a type migralint cannot
read (an application's own type, a TypeDecorator): the finding says the change cannot
be judged, it does not guess. A change to a type it reads is `ALTER COLUMN … TYPE`, and
the type rules judge it as they judge SQL (changing-column-type,
narrowing-column-type), from `existing_type` or, without it, from the revision that
created the column; with neither they say the old type is unknown.

## Why is this bad?
Whether `ALTER COLUMN … TYPE` is instant or rewrites the whole table under an ACCESS
EXCLUSIVE lock depends on the SQL type the application's type renders (varchar(50) to
varchar(100) is instant, integer to bigint rewrites). Neither a reviewer reading the
revision nor migralint can tell without it.

## Example
```python file=e5_long_manifest.py
from alembic import op
from app.types import UTF8LongText

revision = "e5"
down_revision = None

def upgrade():
    op.alter_column("manifest", "manifest_bytes", type_=UTF8LongText())
```

## Use instead
Write the SQL type the application's type renders (`alembic upgrade --sql` shows it):
the revision then means the same after the application's type changes, and can be
judged:
```python file=e5_long_manifest.py
import sqlalchemy as sa
from alembic import op

revision = "e5"
down_revision = None

def upgrade():
    op.alter_column("manifest", "manifest_bytes", type_=sa.Text(), existing_type=sa.Text())
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.alembic.ops import UnjudgedTypeChange
from migralint.context import Context
from migralint.rule import Violation, rule


@rule("alembic-type-change-unjudged", category="compatibility", severity="warning")
def check(op: UnjudgedTypeChange, ctx: Context) -> Iterator[Violation]:
    yield ctx.finding(
        op,
        f"alter_column changes the type of {op.table}.{op.column} to {op.written}, a type "
        "migralint does not know: whether it rewrites the table cannot be judged",
        "Check the SQL type it renders (alembic upgrade --sql); a change that is not "
        "binary-coercible rewrites the table under an ACCESS EXCLUSIVE lock.",
    )
