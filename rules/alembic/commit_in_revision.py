"""`.commit()` inside an Alembic revision: a failure after it leaves the revision half-applied.

## What it does
Flags a call of `.commit()` in `upgrade()` or `downgrade()` that commits the
migration's transaction, or another connection's, after the revision has begun:
`db.session.commit()` (the application's session), `op.get_bind().commit()`
(SQLAlchemy 2.x). Not flagged: a session bound to the migration's connection
(`orm.Session(bind=op.get_bind())`, `sessionmaker(bind=bind)()`), which joins its
transaction, so its `commit()` commits nothing; the application's session when the
function has neither used it nor queried a model (`Model.query`) before: it wrote
nothing, so its commit commits nothing; and a commit before anything else the
function does, which leaves nothing of the revision half-applied. A COMMIT sent as
SQL (`op.execute("COMMIT")`) is flagged wherever it is: SQLAlchemy does not see it, and
what the statements after it run in depends on the driver.

## Why is this bad?
Alembic runs the revision inside its transaction and records the new version only
when the revision returns. A commit of the migration's connection in the middle makes
what ran before it permanent; if anything after it fails, the database holds half the
revision while `alembic_version` still names the previous one, and re-running the
upgrade fails on what already exists. A session with a connection of its own (the
application's `db.session`) commits only what was written through it, independently
of the revision's transaction: its commit is what makes those writes persist at all,
but if the revision fails later they stay while its schema changes roll back (when
it runs in a transaction), and the re-run repeats them, which matters only where
those writes are not idempotent. The finding says which of the two it is.

## Example
```python file=d4_backfill.py
from alembic import op
from myapp import db

revision = "d4"
down_revision = None

def upgrade():
    db.session.execute("UPDATE users SET active = true")
    db.session.commit()
```

## Use instead
Run the data change on the migration's own connection and let Alembic commit it:
```python file=d4_backfill.py
from alembic import op

revision = "d4"
down_revision = None

def upgrade():
    op.execute("UPDATE users SET active = true WHERE active IS NULL")
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.alembic.ops import CommitInRevision
from migralint.context import Context
from migralint.rule import DIALECTS, Violation, rule


@rule(
    "alembic-commit-in-revision",
    category="transactions",
    dialects=DIALECTS,
    on_new_tables=True,
)
def check(op: CommitInRevision, ctx: Context) -> Iterator[Violation]:
    if op.raw:
        yield ctx.finding(
            op,
            f"`{op.call}` ends Alembic's transaction behind SQLAlchemy's back: what ran "
            "before it stays if a later statement fails, and the statements after it run "
            "outside any transaction (psycopg2) or in one the driver opens (psycopg 3, "
            "where CONCURRENTLY still fails)",
            "Put the statements that cannot run in a transaction in `with "
            "op.get_context().autocommit_block():`, which commits and runs them in "
            "autocommit mode with every driver.",
        )
        return
    if op.own_session:
        yield ctx.finding(
            op,
            f"`{op.call}()` commits what was written through that session on its own "
            "connection, apart from the revision's transaction: if the revision fails "
            "later, those writes stay while its schema changes roll back (in a transaction), "
            "and re-running the upgrade repeats them, which matters where they are not "
            "idempotent",
            "Write through op.execute / op.get_bind() so the changes commit with the "
            "revision, or make each write idempotent (a WHERE that skips rows already "
            "changed, an INSERT … ON CONFLICT DO NOTHING).",
        )
        return
    yield ctx.finding(
        op,
        f"`{op.call}()` ends Alembic's transaction inside the revision: if anything after "
        "it fails, the revision is half-applied and cannot simply be re-run",
        "Run the statements through op.execute / op.get_bind() and leave the commit to "
        "Alembic; split a large data change into its own revision.",
    )
