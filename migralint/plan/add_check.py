"""Add a CHECK constraint without a long lock: ADD … NOT VALID, then VALIDATE.

The design: ADD CONSTRAINT … CHECK … NOT VALID takes a brief lock and checks new and
updated rows at once (expand); VALIDATE scans the existing rows under SHARE UPDATE
EXCLUSIVE, which lets reads and writes run, and fails while a row violates the check
(migrate); nothing is left to remove (contract).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from migralint.plan import constraint_steps as steps
from migralint.plan import expressions, sql
from migralint.plan.model import Phase, Plan, PlanError
from migralint.sql.ops import Name


@dataclass(frozen=True)
class Change:
    table: Name
    check: str = field(metadata={"help": "The condition, as SQL, e.g. 'amount > 0'."})
    name: str | None = field(
        default=None, metadata={"help": "The constraint name (default: <table>_<column>_check)."}
    )
    lock_timeout: str = field(default="2s", metadata={"help": "lock_timeout for DDL."})


def plan(change: Change) -> Plan:
    table = change.table
    condition = expressions.parse(change.check, table.name, "--check")
    if steps.GUARD in condition.text:
        raise PlanError(f"--check contains {steps.GUARD}, the dollar-quote tag the plan uses")
    if not condition.columns:
        raise PlanError(f"--check {change.check!r} reads no column of {table}")
    # PostgreSQL names a CHECK after its column only when it reads just one.
    only = sorted(condition.columns) if len(condition.columns) == 1 else []
    name = steps.name_of(change.name or steps.default_name(table, only, "check"), "--name")
    t, q = sql.qualified(table), sql.ident(name)
    lock = sql.lock_timeout(change.lock_timeout)
    slug = sql.slug("add_check", name)
    add = f"ALTER TABLE {t} ADD CONSTRAINT {q} CHECK ({condition.text}) NOT VALID"
    expand = Phase(
        "expand",
        f"{slug}_not_valid",
        f"Expand: add CHECK ({condition.text}) NOT VALID on {table}: a brief lock, no scan. "
        "New and updated\nrows are checked at once; existing rows are not yet.\n"
        "Before this: the release that never writes a violating row must be running.\n"
        "Next: fix the existing rows that violate it, listed by\n"
        f"  SELECT * FROM {t} WHERE NOT ({condition.text});\n"
        "then run the migrate phase.",
        f"{lock}\n\n{sql.guarded_constraint(table, name, add)}",
        steps.drop_constraint(table, name, lock),
    )
    migrate = Phase(
        "migrate",
        f"{slug}_validate",
        f"Migrate: VALIDATE {name}. It scans {table} under SHARE UPDATE EXCLUSIVE (reads and "
        "writes go on)\nand fails with a check violation while a row violates it: run the "
        "query in the expand\nphase's header and fix those rows first. Re-running it on a "
        "valid constraint is a no-op.\nIts down has nothing to undo: the expand phase's down "
        "drops the constraint.",
        steps.validate(table, name),
        steps.nothing(
            "Nothing to undo: a validated constraint stays valid; the expand phase's down drops it."
        ),
    )
    contract = Phase(
        "contract",
        f"{slug}_contract",
        "Contract: nothing to remove; a CHECK is additive. Kept so every plan has three phases.",
        steps.nothing("Nothing to do in the contract phase of add-check."),
        steps.nothing("Nothing to undo."),
    )
    summary = (
        f"Adding CHECK ({condition.text}) as {name} on {table} without a long lock: ADD "
        "CONSTRAINT … NOT VALID (expand), VALIDATE after fixing violating rows (migrate), "
        "nothing to contract. Every down restores the previous state."
    )
    return Plan("add-check", (expand, migrate, contract), summary)
