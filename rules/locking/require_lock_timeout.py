"""A locking statement without lock_timeout can stall every query on the table.

## What it does
Flags the first statement of a migration that takes a heavy lock on an existing
table (ACCESS EXCLUSIVE, EXCLUSIVE, SHARE ROW EXCLUSIVE, SHARE) when no `lock_timeout`
is set before it. Reported once per file; the missing `statement_timeout` is part of
the same finding, not a second one.

An Alembic project whose `env.py` sets no `lock_timeout` gets one finding, at the
`context.configure` call of its `env.py` (which runs every revision), naming how
many revisions take such a lock without a timeout of their own, and the first few;
its revisions get none of their own. A revision that sets its own `lock_timeout`
first, or whose locking `op.` call is suppressed for this rule (`# migralint: ignore
require-lock-timeout`, or `ignore-file`), is not counted. A timeout env.py sets (`SET
lock_timeout`, `options="-c lock_timeout=…"` in `connect_args`) holds for every
revision.

## Why is this bad?
The statement queues behind any long-running query on the table, and while it waits,
every later query on the table queues behind it: a five-second `ALTER TABLE … ADD
COLUMN` becomes an outage as long as the slowest running transaction. A
`statement_timeout` also bounds how long a rewrite or scan may hold the lock once it
has it. (Never put a `statement_timeout` on `CREATE INDEX CONCURRENTLY`: cancelled,
it leaves an INVALID index behind.)

## Example
```sql
ALTER TABLE users ADD COLUMN nickname text;
```

## Use instead
Give up quickly and retry the migration instead of blocking the application:
```sql
SET lock_timeout = '2s';
SET statement_timeout = '5min';
ALTER TABLE users ADD COLUMN nickname text;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.alembic.ops import EnvironmentRun, RevisionRun
from migralint.checks.file_index import anywhere
from migralint.context import Context
from migralint.directives import switched_off
from migralint.postgres import lock_taken, what_it_blocks
from migralint.rule import Violation, rule
from migralint.session import Session
from migralint.sql.ops import CreateIndex, CreateTable, DetachPartition, DropIndex, Op, Reindex

ID = "require-lock-timeout"
ALIASES = ("require-timeout-settings", "require-lock-timeout", "require-statement-timeout")
_NAMED = 3  # revisions the project's finding names


def _concurrent(op: Op) -> bool:
    return isinstance(op, CreateIndex | DropIndex | Reindex | DetachPartition) and op.concurrently


@rule(ID, category="locking", aliases=ALIASES)
def check(op: Op, ctx: Context) -> Iterator[Violation]:
    if isinstance(op, EnvironmentRun):
        yield from _project(op, ctx)
        return
    mode = lock_taken(op)
    if mode is None or ctx.session.has_timeout("lock_timeout"):
        return
    if any(anywhere(ctx, EnvironmentRun)):
        return  # env.py, which runs this revision, gets the project's finding
    if not ctx.first_time(ID):
        return
    table = ctx.target_table(op)
    on = f" on {table}" if table else ""
    settings = ["SET lock_timeout = '2s';"]
    if not ctx.session.has_timeout("statement_timeout"):
        settings.append("SET statement_timeout = '5min';")
    advice = f"Start the migration with `{' '.join(settings)}` and retry on timeout, so a "
    advice += "blocked migration fails fast instead of stalling the application."
    if len(settings) > 1 and any(_concurrent(o) for o in ctx.file_ops):
        advice += (
            " Reset `statement_timeout = 0` before the CONCURRENTLY statements of this file: "
            "a cancelled CREATE INDEX CONCURRENTLY leaves an INVALID index behind."
        )
    article = "an" if mode[0] in "AEIOU" else "a"
    yield ctx.finding(
        op,
        f"this statement takes {article} {mode} lock{on} with no lock_timeout set: while it waits, "
        f"it {what_it_blocks(mode)} for every later query on the table",
        advice,
    )


def _project(op: EnvironmentRun, ctx: Context) -> Iterator[Violation]:
    """The finding at env.py: which revisions lock a table with no lock_timeout set."""
    locking = [found for run in op.revisions if (found := _first_lock(run)) is not None]
    if not locking:
        return
    named = "; ".join(locking[:_NAMED]) + ("; …" if len(locking) > _NAMED else "")
    yield ctx.finding(
        op,
        f"env.py sets no lock_timeout, and {len(locking)} of the {len(op.revisions)} "
        f"revisions it runs take a table lock without one ({named}): while one waits, it "
        "blocks every later query on its table",
        'Set it once in env.py for every revision: `connection.execute(text("SET '
        "lock_timeout = '2s'\"))` before `context.configure(…)`, or "
        '`connect_args={"options": "-c lock_timeout=2000"}` on the engine; retry '
        "on timeout, so a blocked migration fails fast instead of stalling the application.",
    )


def _first_lock(run: RevisionRun) -> str | None:
    """'file line N: MODE on table' for the revision's first lock on a table it did not
    create, taken before it sets a lock_timeout of its own and not suppressed for this
    rule; None when there is none."""
    session, created = Session(False), set[str]()
    names = {ID, *ALIASES}
    for op, suppressions in run.steps():
        mode = lock_taken(op)
        table = getattr(op, "table", None)
        new = table is not None and table.key in created
        if isinstance(op, CreateTable):
            created.add(op.table.key)
        elif (
            mode is not None
            and not new
            and not session.has_timeout("lock_timeout")
            and not switched_off(names, suppressions)  # a lock the revision accepts
        ):
            on = f" on {table}" if table is not None else ""
            return f"{run.path.rsplit('/', 1)[-1]} line {op.loc.line}: {mode}{on}"
        session.apply(op)
    return None
