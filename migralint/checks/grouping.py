"""One finding per cause: a statement that names N objects (`DROP FUNCTION a(), b()`,
an ALTER TABLE dropping three columns) gets one finding naming them all, not N."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from migralint.checks.file_index import statement_run
from migralint.context import Context
from migralint.sql import ops

T = TypeVar("T", bound=ops.Op)
S = TypeVar("S")


class Grouped(list[S]):
    """What `per_statement` found, in order, with the Op each was found in (`ops`): the
    finding on the first stands for them all (`ctx.finding(..., covers=found.ops)`)."""

    def __init__(self) -> None:
        super().__init__()
        self.ops: list[ops.Op] = []

    def add(self, op: ops.Op, found: S) -> None:
        self.append(found)
        self.ops.append(op)


def per_statement(
    op: T,
    ctx: Context,
    judge: Callable[[T, Context], S | None],
    kinds: tuple[type[ops.Op], ...] = (),
) -> Grouped[S]:
    """What `judge` finds (None: nothing) in the current Op and in the later Ops of the
    same statement of its type (or of `kinds`), each judged at its own place, when the
    current Op is the first of the statement it finds something in; empty otherwise. The
    judge keys the once-per-statement memory: two rules pass two judges. The judge sees
    every Op, on new tables too: one ALTER TABLE names one table, but a judge of a
    statement that can name several (`DROP INDEX a, b`) leaves out those of new tables
    itself, as the engine does for the first."""
    found = judge(op, ctx)
    run = statement_run(ctx)
    key = f"{judge.__module__}.{judge.__qualname__}:{run.start}"
    results: Grouped[S] = Grouped()
    if found is None or not ctx.first_time(key):
        return results
    results.add(op, found)
    here = ctx.position
    try:
        for i in run:
            sibling = ctx.file_ops[i]
            if i <= here or not isinstance(sibling, kinds or type(op)):
                continue
            ctx.position = i
            more = judge(sibling, ctx)  # type: ignore[arg-type]
            if more is not None:
                results.add(sibling, more)
    finally:
        ctx.position = here
    return results


def listing(noun: str, names: Sequence[str], plural: str | None = None) -> str:
    """`column t.a` for one name (just `t.a` when `noun` is ''), `3 columns (t.a, t.b,
    t.c)` for several."""
    if len(names) == 1:
        return f"{noun} {names[0]}" if noun else names[0]
    return f"{len(names)} {plural or noun + 's'} ({', '.join(names)})"
