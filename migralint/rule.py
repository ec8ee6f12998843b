"""The rule API: the `@rule` decorator, its metadata, and what a check yields.

A rule is a module whose docstring is its documentation and whose decorated function
judges one Op at a time::

    @rule("rename-column", category="destructive", aliases=["renaming-column"])
    def check(op: RenameColumn, ctx: Context) -> Iterator[Violation]:
        yield ctx.finding(op, "…", help="…")

The Op types a rule wants come from the annotation of its first parameter (a union
is fine), so the engine calls each rule only with the Ops it judges.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from migralint.findings import Severity
from migralint.sql import ops

if TYPE_CHECKING:
    from migralint.context import Context

CATEGORIES = (
    "correctness",
    "destructive",
    "compatibility",
    "locking",
    "idempotency",
    "phases",
    "types",
    "transactions",
)
DIALECTS = ("postgres", "mysql", "sqlite", "cockroach")

ROLLBACK_CATEGORIES = frozenset({"correctness", "destructive", "idempotency", "transactions"})
"""What a rollback is judged by (`lint_downs = "rollback"`): whether the down runs at all,
loses data, or fails when re-run. Lock, N-1, phase and type advice is for the release
going out: a down is run by hand, during an incident, not as an online rollout."""

ONLINE_CATEGORIES = frozenset({"locking", "compatibility"})
"""Harm that needs traffic during the migration: queries waiting on its locks, or release
N-1 still running. With `deployment = "offline"` (the application is stopped while
migrations run) these rules are not run at all, rather than reported as info: the harm
they describe cannot happen, and a finding that cannot be acted on is noise at any
level. A rule whose harm does not need traffic (the statement fails, an index is
corrupt) declares `offline=True`; one in another category whose only harm is to
release N-1 declares `offline=False`."""


@dataclass(frozen=True, slots=True)
class Violation:
    """What a check yields: the engine adds the rule id and severity. `covers`: the
    Ops of its statement a one-per-statement finding stands for, besides `op` (`plan
    --from` plans each). `about`: what it is about (`table.column` or table keys), when
    not just its Ops; `aside`: the fact it adds when another finding of one cause
    stands for it, and `aside_remedy` what ends it (said once after the asides that
    share it); `cause`: the cause it reports, when another rule reports that cause
    for the whole migration; `caused_by`: the earlier Op whose findings are its cause
    (see migralint/overlaps.py); `aside_cites`: the statement its aside names (an aside
    joining the finding of that very statement says nothing new); `rewrites`: it
    reports a rewrite of its table (see migralint/folding.py); `assumed_reruns`: the
    statements whose re-run failure it reports on an assumed transaction mode (set by
    the engine: see migralint/assumed_mode.py)."""

    op: ops.Op
    message: str
    help: str
    line: int | None = None
    column: int | None = None
    covers: tuple[ops.Op, ...] = ()
    about: tuple[str, ...] = ()
    aside: str = ""
    aside_remedy: str = ""
    cause: str = ""
    caused_by: ops.Op | None = None
    aside_cites: ops.Op | None = None
    rewrites: bool = False
    assumed_reruns: int = 0


Check = Callable[[Any, "Context"], Iterable[Violation]]


@dataclass(frozen=True)
class RuleSpec:
    """A rule's metadata and check; `doc` is the rule module's docstring."""

    id: str
    category: str
    severity: Severity
    check: Check = field(repr=False)
    op_types: tuple[type[ops.Op], ...]
    aliases: tuple[str, ...] = ()
    dialects: tuple[str, ...] = ("postgres",)
    enabled_by_default: bool = True
    on_fresh_install: bool = False
    on_new_tables: bool = False
    on_down: bool | None = None
    offline: bool | None = None
    reruns: bool = False
    doc: str = ""
    source: str = ""

    def runs_on_down(self, lint_downs: str) -> bool:
        """Whether the rule judges down migrations under `lint_downs` (rollback | all)."""
        if self.on_down is not None:
            return self.on_down
        return lint_downs == "all" or self.category in ROLLBACK_CATEGORIES

    @property
    def runs_offline(self) -> bool:
        """Whether the rule judges migrations that run with the application stopped."""
        return self.offline if self.offline is not None else self.category not in ONLINE_CATEGORIES

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0].strip() if self.doc.strip() else ""


def rule(
    id: str,
    *,
    category: str,
    severity: str = "error",
    aliases: Sequence[str] = (),
    dialects: Sequence[str] = ("postgres",),
    enabled_by_default: bool = True,
    on_fresh_install: bool = False,
    on_new_tables: bool = False,
    on_down: bool | None = None,
    offline: bool | None = None,
    reruns: bool = False,
) -> Callable[[Check], Check]:
    """Declare a check function as a rule.

    `on_fresh_install`: also runs in schema dumps and baselines (most rules are about
    live tables and stay quiet there). `on_new_tables`: also judges Ops on tables that
    the same migration created. `on_down`: runs in down/undo migrations (True) or not
    (False); None leaves it to the category and `lint_downs` (see ROLLBACK_CATEGORIES).
    `offline`: runs when the application is stopped during migrations; None leaves it
    to the category (see ONLINE_CATEGORIES). `reruns`: its findings say what a statement
    does when the migration runs again (`checks.idempotency.rerun_reason`), so under an
    assumed transaction mode they are the set's one finding (migralint/assumed_mode.py).
    """
    if category not in CATEGORIES:
        raise ValueError(f"rule {id}: unknown category {category!r}; use one of {CATEGORIES}")

    def decorate(check: Check) -> Check:
        check.__migralint_rule__ = RuleSpec(  # type: ignore[attr-defined]
            id=id,
            category=category,
            severity=Severity.parse(severity),
            check=check,
            op_types=_op_types(check),
            aliases=tuple(aliases),
            dialects=tuple(dialects),
            enabled_by_default=enabled_by_default,
            on_fresh_install=on_fresh_install,
            on_new_tables=on_new_tables,
            on_down=on_down,
            offline=offline,
            reruns=reruns,
        )
        return check

    return decorate


def _op_types(check: Check) -> tuple[type[ops.Op], ...]:
    """The Op classes named by the annotation of the check's first parameter."""
    hints = typing.get_type_hints(check)
    first = next(iter(check.__code__.co_varnames[: check.__code__.co_argcount]), None)
    hint = hints.get(first) if first else None
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        found = typing.get_args(hint)
    else:
        found = (hint,)
    if not all(isinstance(t, type) and issubclass(t, ops.Op) for t in found):
        raise TypeError(f"{check.__qualname__}: annotate the first parameter with Op types")
    return tuple(found)
