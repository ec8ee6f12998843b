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


def per_statement(
    op: T,
    ctx: Context,
    judge: Callable[[T, Context], S | None],
    kinds: tuple[type[ops.Op], ...] = (),
) -> list[S]:
    """What `judge` finds (None: nothing) in the current Op and in the later Ops of the
    same statement of its type (or of `kinds`), each judged at its own place, when the
    current Op is the first of the statement it finds something in; [] otherwise. The
    judge keys the once-per-statement memory: two rules pass two judges. The judge sees
    every Op, on new tables too: the statements grouped here (one ALTER TABLE, a DROP of
    views or routines) name at most one table."""
    found = judge(op, ctx)
    run = statement_run(ctx)
    key = f"{judge.__module__}.{judge.__qualname__}:{run.start}"
    if found is None or not ctx.first_time(key):
        return []
    results = [found]
    here = ctx.position
    try:
        for i in run:
            sibling = ctx.file_ops[i]
            if i <= here or not isinstance(sibling, kinds or type(op)):
                continue
            ctx.position = i
            more = judge(sibling, ctx)  # type: ignore[arg-type]
            if more is not None:
                results.append(more)
    finally:
        ctx.position = here
    return results


def listing(noun: str, names: Sequence[str], plural: str | None = None) -> str:
    """`column t.a` for one name (just `t.a` when `noun` is ''), `3 columns (t.a, t.b,
    t.c)` for several."""
    if len(names) == 1:
        return f"{noun} {names[0]}" if noun else names[0]
    return f"{len(names)} {plural or noun + 's'} ({', '.join(names)})"
