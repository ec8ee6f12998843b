"""`batch_alter_table(recreate="always")` outside SQLite copies the table instead of altering it.

## What it does
Flags an Alembic `batch_alter_table(…, recreate="always")` block on a table that
existed before the revision, when the revision is linted for a database other than
SQLite (a block under `if op.get_context().dialect.name == "sqlite":` is not).

## Why is this bad?
With `recreate="always"` Alembic does its "move and copy" on every database: it creates
`_alembic_tmp_<table>`, copies every row into it with `INSERT … SELECT`, drops the
table and renames the copy to its name. The copy reads the rows as they were when it
started, while the application keeps writing to the original: those writes are lost
when the original is dropped. The drop fails when another table's foreign key or a
view depends on the table, and until the transaction commits the table is held under
an ACCESS EXCLUSIVE lock. The default, `recreate="auto"`, alters the table in place on
every database but SQLite.

## Example
```python file=b7_widen_note.py
import sqlalchemy as sa
from alembic import op

revision = "b7"
down_revision = None

def upgrade():
    with op.batch_alter_table("orders", recreate="always") as batch_op:
        batch_op.alter_column("note", type_=sa.Text(), existing_type=sa.String(200))
```

## Use instead
Leave `recreate` at its default, or move and copy only on SQLite:
```python file=b7_widen_note.py
import sqlalchemy as sa
from alembic import op

revision = "b7"
down_revision = None

def upgrade():
    with op.batch_alter_table("orders") as batch_op:
        batch_op.alter_column("note", type_=sa.Text(), existing_type=sa.String(200))
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.alembic.ops import BatchRecreate
from migralint.context import Context
from migralint.rule import Violation, rule


@rule(
    "alembic-batch-recreate",
    category="destructive",
    severity="error",
    dialects=("postgres", "mysql", "cockroach"),
)
def check(op: BatchRecreate, ctx: Context) -> Iterator[Violation]:
    lost = (
        ""
        if ctx.file.deployment == "offline"
        else ", so rows written to it while the copy runs are lost"
    )
    yield ctx.finding(
        op,
        f'`batch_alter_table(recreate="always")` rebuilds {op.table}: Alembic copies its '
        f"rows into a new table, drops {op.table} and renames the copy{lost}, and the "
        "drop fails if another table's foreign key or a view depends on it",
        'Leave recreate at its default ("auto" alters the table in place outside SQLite), '
        'or put the block under `if op.get_context().dialect.name == "sqlite":`.',
    )
