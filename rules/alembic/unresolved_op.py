"""Alembic operation that migralint cannot read statically: nothing in it was checked.

## What it does
Flags an `op.` call of a revision that the static reader cannot translate: an
operation it does not know (a plugin's `op.sync_enum_values`, a custom operation),
an argument that is not a literal (a table name computed at run time, `**kwargs`),
`op.execute()` of SQL built at run time, or a function of another module called for
its effect with `op` or a batch (`drop_foreign_keys(op, "orders")`), whose operations
are not read. The rest of the revision is still read.

## Why is this bad?
migralint reads revisions without running them, so a pull request cannot execute
code on the CI machine. What it cannot resolve it cannot judge: the call may lock a
table or drop data, and no other finding will say so.

## Example
```python file=c3_sync_enum.py
from alembic import op

revision = "c3"
down_revision = None

def upgrade():
    op.sync_enum_values("public", "status", ["new", "done"])
```

## Use instead
Write the operation with literal arguments (or its SQL in `op.execute("…")`), or
review it by hand and suppress the finding on it with
`# migralint: ignore alembic-unresolved-op -- <reason>`:
```python file=c3_sync_enum.py
from alembic import op

revision = "c3"
down_revision = None

def upgrade():
    op.execute("ALTER TYPE status ADD VALUE IF NOT EXISTS 'done'")
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.alembic.ops import UnresolvedCall
from migralint.context import Context
from migralint.rule import DIALECTS, Violation, rule


@rule(
    "alembic-unresolved-op",
    category="correctness",
    severity="warning",
    dialects=DIALECTS,
    on_new_tables=True,
)
def check(op: UnresolvedCall, ctx: Context) -> Iterator[Violation]:
    yield ctx.finding(
        op,
        f"`{op.call}(…)` cannot be read statically: {op.reason}",
        "Use literal arguments (or the SQL in op.execute), or review the call by hand and "
        "add `# migralint: ignore alembic-unresolved-op -- <reason>` on it.",
    )
