"""A locking statement without lock_timeout can stall every query on the table.

## What it does
Flags a statement that takes a heavy lock (ACCESS EXCLUSIVE, EXCLUSIVE, SHARE ROW
EXCLUSIVE, SHARE) on a table that existed before its migration when no `lock_timeout`
is set before it, judged by the convention of its migration set:

- when an earlier up migration of the set sets `lock_timeout` (`SET`, `SET LOCAL`,
  `set_config(…)`), the set's convention is to set it in each file: every later
  migration that locks without it is reported, once per file, naming the file that
  set it;
- otherwise the set sets it elsewhere (the migration role, the connection, a wrapper
  script) or has decided not to, and saying so on every file is noise: the set gets
  ONE finding, at its first such statement, which says where to set the timeout for
  the set's tool. Files appended later do not move it, and are not reported one by
  one; suppressing it there accepts the convention for the whole set.

A file linted alone, a `check --since` run and a cached run replay the set's earlier
migrations first, so they reach the verdicts of a folder run. Down migrations, fresh
installs and migrations run offline neither set the convention nor get the set's
finding. The missing `statement_timeout` is part of the same finding, not a second one.

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
Or set both once where every migration of the set runs: `ALTER ROLE migrator SET
lock_timeout = '2s'`, or `options=-c lock_timeout=2s` on the connection.
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.alembic.ops import EnvironmentRun, RevisionRun
from migralint.checks.file_index import anywhere
from migralint.context import Context
from migralint.conventions import unguarded_lock
from migralint.directives import switched_off
from migralint.postgres import lock_taken, what_it_blocks
from migralint.rule import Violation, rule
from migralint.session import Session
from migralint.sql.ops import CreateIndex, CreateTable, DetachPartition, DropIndex, Op, Reindex

ID = "require-lock-timeout"
# squawk's name; `require-statement-timeout` is an opt-in rule of its own, never an alias
ALIASES = ("require-timeout-settings",)
_NAMED = 3  # revisions the project's finding names
_CIC = "a cancelled CREATE INDEX CONCURRENTLY leaves an INVALID index behind"
_EVERYWHERE = (
    "the migration role (`ALTER ROLE <role> SET lock_timeout = '2s'`) or the connection "
    "(`options=-c lock_timeout=2s`)"
)
# a tool's own place for a setting of every migration it runs, where it has one
_TOOL_PLACES = {
    "flyway": "Flyway's `initSql` (`flyway.initSql=SET lock_timeout = '2s'`; Spring Boot: "
    "`spring.flyway.init-sqls`), ",
    "diesel": "`PGOPTIONS='-c lock_timeout=2s'` in the environment of what runs the migrations "
    "(diesel connects through libpq, which reads it), ",
}
_STATEMENT_TIMEOUT_PLACES = {
    "golang-migrate": " (golang-migrate: `x-statement-timeout` in its URL)"
}


def _concurrent(op: Op) -> bool:
    return isinstance(op, CreateIndex | DropIndex | Reindex | DetachPartition) and op.concurrently


@rule(ID, category="locking", aliases=ALIASES)
def check(op: Op, ctx: Context) -> Iterator[Violation]:
    if isinstance(op, EnvironmentRun):
        yield from _project(op, ctx)
        return
    mode = unguarded_lock(op, ctx)
    if mode is None or any(anywhere(ctx, EnvironmentRun)):
        return  # no such lock; or env.py, which runs this revision, gets the project's finding
    convention = ctx.catalog.lock_timeout
    set_in = convention.set_before(ctx.file.path)
    if set_in is not None:
        if ctx.first_time(ID):
            yield _in_this_file(op, ctx, mode, set_in)
    elif not convention.told and ctx.file.direction != "down":
        yield _for_the_set(op, ctx, mode)


def _in_this_file(op: Op, ctx: Context, mode: str, set_in: str) -> Violation:
    """The finding of a file that forgets the lock_timeout its set's files set."""
    settings = ["SET lock_timeout = '2s';"]
    if not ctx.session.has_timeout("statement_timeout"):
        settings.append("SET statement_timeout = '5min';")
    advice = f"Start the migration with `{' '.join(settings)}`, as the set's earlier migrations "
    advice += "do, and retry on timeout, so a blocked migration fails fast instead of stalling "
    advice += "the application."
    if len(settings) > 1 and any(_concurrent(o) for o in ctx.file_ops):
        advice += f" Reset `statement_timeout = 0` before its CONCURRENTLY statements: {_CIC}."
    name = set_in.replace("\\", "/").rsplit("/", 1)[-1]
    return ctx.finding(
        op,
        f"{_locks(op, ctx, mode)} with no lock_timeout set, though earlier migrations of this "
        f"set set one ({name}): while it waits, it {what_it_blocks(mode)} for every later "
        "query on the table",
        advice,
    )


def _for_the_set(op: Op, ctx: Context, mode: str) -> Violation:
    """The set's one finding: no migration before this statement sets lock_timeout."""
    place = _TOOL_PLACES.get(ctx.file.tool, "") + _EVERYWHERE
    advice = (
        f"Set it once where every migration of this set runs: {place}; or in each "
        "migration (`SET lock_timeout = '2s';`), and each one without it is reported. "
        "Retry on timeout: a blocked migration then fails fast instead of stalling the "
        "application."
    )
    if not ctx.session.has_timeout("statement_timeout"):
        place = _STATEMENT_TIMEOUT_PLACES.get(ctx.file.tool, "")
        advice += (
            f" A `statement_timeout` set the same way{place} bounds a rewrite once the lock "
            f"is granted; reset it to 0 before CONCURRENTLY statements: {_CIC}."
        )
    return ctx.finding(
        op,
        f"{_locks(op, ctx, mode)} with no lock_timeout set, and no migration of this set "
        f"before it sets one: while it waits, it {what_it_blocks(mode)} for every later "
        "query on the table (one finding for the set: its later migrations are not "
        "reported one by one)",
        advice,
    )


def _locks(op: Op, ctx: Context, mode: str) -> str:
    """'this statement takes an ACCESS EXCLUSIVE lock on users'."""
    table = ctx.target_table(op)
    on = f" on {table}" if table else ""
    article = "an" if mode[0] in "AEIOU" else "a"
    return f"this statement takes {article} {mode} lock{on}"


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
