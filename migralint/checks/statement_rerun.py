"""Where one statement stops when the migration runs again.

A statement is atomic: on a re-run it did all of its actions the first time, or none.
So it starts from what it left behind (what it created exists, what it dropped is
gone), except where an earlier statement of the file, run again before it, creates or
drops the object first; and it stops at its first action that fails, in the order
PostgreSQL runs them: an ALTER TABLE runs its drops first, then its ADD COLUMNs, then
its constraints (ATController's passes), whatever order they are written in. So
`ALTER TABLE q DROP CONSTRAINT q_pkey, DROP COLUMN id, ADD PRIMARY KEY (k)` fails at
DROP COLUMN id only: the ADD PRIMARY KEY re-created a constraint named q_pkey
(PostgreSQL's name for it), which the re-run drops again.

The idempotency rules report a statement's re-run failure once, in the rule of the
action it stops at, naming that rule's other failing actions of the statement.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from migralint.checks.constraint_names import generated_name
from migralint.checks.file_index import file_index, statement_run
from migralint.checks.idempotency import ObjectKey, created_key, dropped_key, touched_positions
from migralint.context import Context
from migralint.sql import ops

# kinds whose CREATE takes IF NOT EXISTS (the others: OR REPLACE, or no guard)
IF_NOT_EXISTS_KINDS = ("SCHEMA", "SEQUENCE", "EXTENSION", "MATERIALIZED VIEW")


@dataclass(frozen=True, slots=True)
class Rerun:
    """What the statement's actions do when it runs again: the positions of those that
    fail, in the order PostgreSQL runs them (the statement stops at the first; the others
    fail next once it is guarded), and, of a statement that does not fail, those that
    add an unnamed index or constraint a second time."""

    failing: tuple[int, ...] = ()
    duplicated: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class _Step:
    """What one action does to one object (`key`: None when it cannot be named)."""

    key: ObjectKey | None
    creates: bool
    guarded: bool
    duplicates: bool = False  # an unguarded re-create adds a copy instead of failing


def statement_rerun(ctx: Context) -> Rerun:
    """The re-run of the statement holding the current Op, worked out once per statement
    (with the catalog as the first of its actions judged finds it)."""
    run = statement_run(ctx)
    memo: dict[int, Rerun] = file_index(ctx).derived(_new_memo, ctx)
    if run.start not in memo:
        memo[run.start] = _replay(ctx, run)
    return memo[run.start]


def failing_here(ctx: Context, mine: Callable[[ops.Op], bool]) -> list[ops.Op]:
    """The statement's failing actions that `mine` claims, when the statement stops at
    the current Op and `mine` claims it; else []."""
    return _claimed(ctx, statement_rerun(ctx).failing, mine)


def duplicated_here(ctx: Context, mine: Callable[[ops.Op], bool]) -> list[ops.Op]:
    """The statement's duplicating actions that `mine` claims, when the current Op is
    the first of them; else []."""
    return _claimed(ctx, statement_rerun(ctx).duplicated, mine)


def fail_next(ctx: Context, mine: Callable[[ops.Op], bool]) -> str:
    """`" Then … fail(s) too: guard it as well."` for the statement's failing actions
    that another rule claims, or ''."""
    others = [ctx.file_ops[i] for i in statement_rerun(ctx).failing]
    labels = [action(o) for o in others if not mine(o)]
    if not labels:
        return ""
    verb, them = ("fails", "it") if len(labels) == 1 else ("fail", "them")
    return f" Then {', '.join(labels)} {verb} on the re-run too: guard {them} as well."


def action(op: ops.Op) -> str:
    """How a finding names a statement's action: `ADD COLUMN t.a`, `DROP TABLE t` …"""
    if isinstance(op, ops.AddColumn):
        return f"ADD COLUMN {op.table}.{op.column.name}"
    if isinstance(op, ops.DropColumn):
        return f"DROP COLUMN {op.table}.{op.column}"
    if isinstance(op, ops.DropConstraint):
        return f"DROP CONSTRAINT {op.name} on {op.table}"
    if isinstance(op, ops.AddConstraint):
        c = op.constraint
        if c.name:
            return f"ADD CONSTRAINT {c.name} on {op.table}"
        if c.kind == "primary_key":
            return f"ADD PRIMARY KEY on {op.table}"
        return f"the unnamed {c.kind.replace('_', ' ')} constraint on {op.table}"
    if isinstance(op, ops.DropTable):
        return f"DROP TABLE {op.table}"
    if isinstance(op, ops.DropIndex):
        return f"DROP INDEX {op.name}"
    if isinstance(op, ops.CreateTable):
        return f"CREATE TABLE {op.table}"
    if isinstance(op, ops.CreateIndex):
        return f"CREATE INDEX {op.name}" if op.name else f"the unnamed index on {op.table}"
    if isinstance(op, (ops.CreateObject, ops.DropObject)):
        verb = "CREATE" if isinstance(op, ops.CreateObject) else "DROP"
        return f"{verb} {op.kind} {op.name}"
    return type(op).__name__


def _new_memo(_: Context) -> dict[int, Rerun]:
    return {}


def _claimed(ctx: Context, found: Sequence[int], mine: Callable[[ops.Op], bool]) -> list[ops.Op]:
    if not found or found[0] != ctx.position or not mine(ctx.file_ops[found[0]]):
        return []
    return [ctx.file_ops[i] for i in found if mine(ctx.file_ops[i])]


def _pass(op: ops.Op) -> int:
    """PostgreSQL's order of an ALTER TABLE's actions: drops, columns, constraints."""
    if isinstance(op, (ops.DropColumn, ops.DropConstraint)):
        return 0
    return 2 if isinstance(op, ops.AddConstraint) else 1


def _replay(ctx: Context, run: range) -> Rerun:
    steps = _steps(ctx, run)
    made = {s.key for s in steps.values() if s.creates and s.key is not None}
    state: dict[ObjectKey, bool] = {}
    failing: list[int] = []
    duplicated: list[int] = []
    for i in sorted(steps, key=lambda i: (_pass(ctx.file_ops[i]), i)):
        step = steps[i]
        key = step.key
        if key is None:
            exists = step.creates
        elif key in state:
            exists = state[key]
        else:
            earlier = _earlier_state(ctx, key, run.start)
            exists = key in made if earlier is None else earlier
        if not step.guarded and exists == step.creates:
            (duplicated if step.duplicates else failing).append(i)
        if key is not None:
            state[key] = step.creates
    return Rerun(tuple(failing), () if failing else tuple(duplicated))


def _earlier_state(ctx: Context, key: ObjectKey, end: int) -> bool | None:
    """Whether the object exists after the file's statements before `end` re-ran: the
    last of them to create or drop it says; None when none does."""
    created, dropped = (_last(touched_positions(ctx, key, c), end) for c in (True, False))
    if created < 0 and dropped < 0:
        return None
    return created > dropped


def _last(found: Sequence[int], end: int) -> int:
    k = bisect_left(found, end)
    return found[k - 1] if k else -1


def _steps(ctx: Context, run: range) -> dict[int, _Step]:
    """The actions of the statement that create or drop something, by position."""
    dropped = {o.name for i in run if isinstance(o := ctx.file_ops[i], ops.DropConstraint)}
    steps = {}
    for i in run:
        step = _step(ctx.file_ops[i], ctx, dropped)
        if step is not None:
            steps[i] = step
    return steps


def _step(op: ops.Op, ctx: Context, dropped: set[str]) -> _Step | None:
    guard = op.guarded
    if isinstance(op, ops.AddConstraint):
        return _constraint_step(op, ctx, dropped)
    if isinstance(op, ops.CreateIndex) and not op.name:
        return _Step(None, True, guard or op.if_not_exists, duplicates=True)
    if isinstance(op, (ops.AddColumn, ops.CreateIndex)):
        return _Step(created_key(op), True, guard or op.if_not_exists)
    if isinstance(op, ops.CreateTable):
        return _Step(created_key(op), True, guard or op.if_not_exists or op.temporary)
    if isinstance(op, ops.CreateObject):
        guarded = op.if_not_exists if op.kind in IF_NOT_EXISTS_KINDS else op.or_replace
        return _Step(created_key(op), True, guard or guarded)
    key = dropped_key(op)
    if key is None:
        return None
    return _Step(key, False, guard or bool(getattr(op, "if_exists", False)))


def _constraint_step(op: ops.AddConstraint, ctx: Context, dropped: set[str]) -> _Step:
    """A named constraint fails on its name; an unnamed one gets PostgreSQL's name for
    it: a primary key fails while the table has one, any other is added again (with a
    number after the name) unless the statement dropped the name first."""
    c = op.constraint
    name = c.name
    if name is None:
        state = ctx.catalog.table(op.table)
        taken = set(state.constraints) - dropped if state else set()
        name = generated_name(op.table, c, state, taken)
    key = None if name is None else ("CONSTRAINT", op.table.key, name)
    return _Step(key, True, op.guarded, duplicates=c.name is None and c.kind != "primary_key")
