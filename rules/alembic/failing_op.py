"""Alembic operation that fails when it runs: `op.drop_constraint(None, …)`.

## What it does
Flags an `op.` call whose literal arguments make Alembic raise before any SQL is sent:
a constraint or index name of `None` where Alembic needs the name to emit the DROP.
`alembic revision --autogenerate` writes `op.drop_constraint(None, …)` in the
downgrade of every constraint the upgrade created without a name.

## Why is this bad?
The revision cannot be rolled back: `alembic downgrade` stops with SQLAlchemy's
"Can't emit DROP CONSTRAINT for constraint …; it has no name" (an IndexError when the
metadata has a naming convention) in the middle of an incident, and the rollback has
to be written by hand.

## Example
```python file=f6_add_org.py
from alembic import op

revision = "f6"
down_revision = None

def upgrade():
    op.create_foreign_key(None, "favorites", "organizations", ["org_id"], ["id"])

def downgrade():
    op.drop_constraint(None, "favorites", type_="foreignkey")
```

## Use instead
Name the constraint in the upgrade and drop it by that name:
```python file=f6_add_org.py
from alembic import op

revision = "f6"
down_revision = None

def upgrade():
    op.create_foreign_key("favorites_org_id_fkey", "favorites", "organizations", ["org_id"], ["id"])

def downgrade():
    op.drop_constraint("favorites_org_id_fkey", "favorites", type_="foreignkey")
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.alembic.ops import FailingCall
from migralint.context import Context
from migralint.rule import DIALECTS, Violation, rule


@rule(
    "alembic-failing-op",
    category="correctness",
    dialects=DIALECTS,
    on_fresh_install=True,
    on_new_tables=True,
)
def check(op: FailingCall, ctx: Context) -> Iterator[Violation]:
    yield ctx.finding(
        op,
        f"`{op.call}(…)` fails when it runs: {op.reason}",
        "Give the object a name where it is created (naming_convention or an explicit "
        "name) and use that name here.",
    )
