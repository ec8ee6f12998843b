"""Alembic revision that `--alembic-render` cannot render: linted statically instead.

## What it does
With `--alembic-render`, each revision is loaded and its `upgrade()` and `downgrade()`
run in Alembic's offline mode (`alembic upgrade --sql`), and the SQL they write is
linted. Flags a revision whose module body or function raises there, at the line of
the revision that raised (else at the function's `def`); that function is then linted
from its source, as without `--alembic-render`.

## Why is this bad?
Offline mode has no database connection: a revision that reads data
(`op.get_bind().execute(…)`), opens an ORM session, or imports the application cannot
render, so `alembic upgrade --sql` cannot produce the script a DBA reviews or runs,
and what the revision really sends is checked only as far as its source shows.

## Example
```python file=r1_backfill.py
from alembic import op

revision = "r1"
down_revision = None

def upgrade():
    rows = op.get_bind().execute("SELECT id FROM users").fetchall()
```

## Use instead
Write the data change as SQL the database runs, so offline mode can write it out:
```python file=r1_backfill.py
from alembic import op

revision = "r1"
down_revision = None

def upgrade():
    op.execute("UPDATE users SET active = true WHERE active IS NULL")
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.alembic.ops import RenderFailed
from migralint.context import Context
from migralint.rule import DIALECTS, Violation, rule


@rule(
    "alembic-render-failed",
    category="correctness",
    severity="warning",
    dialects=DIALECTS,
    on_fresh_install=True,
    on_new_tables=True,
)
def check(op: RenderFailed, ctx: Context) -> Iterator[Violation]:
    yield ctx.finding(
        op,
        op.message,
        "Make the revision render offline (no reads through the connection, no ORM "
        "session, no application imports at load time), or lint it without "
        "--alembic-render.",
    )
