"""Add a UNIQUE constraint without a long lock: a unique index built concurrently, then
ADD CONSTRAINT … UNIQUE USING INDEX.

The design: CREATE UNIQUE INDEX CONCURRENTLY alone in the expand migration (outside a
transaction; it enforces uniqueness from the moment it is valid), attaching it as a
constraint in the migrate migration (a brief lock, no scan), nothing to contract.
Dropping the constraint drops its index, so the migrate phase's down leaves nothing for
the expand phase's down to drop, and a re-run of the migrate phase after that down asks
for the expand phase again (it says so instead of failing obscurely).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from migralint.plan import constraint_steps as steps
from migralint.plan import sql
from migralint.plan.model import Phase, Plan
from migralint.sql.ops import Name


@dataclass(frozen=True)
class Change:
    table: Name
    column: str = field(metadata={"help": "The column(s) that must be unique, comma-separated."})
    name: str | None = field(
        default=None,
        metadata={"help": "The constraint and index name (default: <table>_<columns>_key)."},
    )
    lock_timeout: str = field(default="2s", metadata={"help": "lock_timeout for DDL."})


def index_plan(
    operation: str,
    table: Name,
    columns: list[str],
    name: str,
    kind: str,
    lock_timeout: str,
    notes: str = "",
) -> Plan:
    """The three phases of add-unique; add-primary-key reuses them with `kind`."""
    lock = sql.lock_timeout(lock_timeout)
    slug = sql.slug("add", "pk" if kind == "PRIMARY KEY" else "unique", name)
    shown = f"{table}({', '.join(columns)})"
    null_note = "" if kind == "PRIMARY KEY" else "NULLs never conflict with each other.\n"
    expand = Phase(
        "expand",
        f"{slug}_index",
        f"Expand: build the unique index {name} on {shown} without blocking reads or "
        "writes\n(CONCURRENTLY, outside a transaction, alone in this migration, no "
        "statement_timeout).\nFrom the moment it is valid, a duplicate write fails: before "
        "this, the release that\nnever writes a duplicate must be running. Existing "
        "duplicates make the build fail\n(could not create unique index); list them with\n"
        f"  {steps.duplicates_query(table, columns)}\n{null_note}"
        f"{steps.invalid_index_help(table, name)}\n"
        "Next: the migrate phase attaches the index as the constraint.",
        steps.create_index(table, name, columns, unique=True),
        f"-- Dropped without blocking reads or writes (nothing left to drop after the "
        f"migrate\n-- phase's down, which drops the index with the constraint).\n"
        f"{steps.drop_index(table, name)}",
        transactional=False,
    )
    migrate = Phase(
        "migrate",
        f"{slug}_attach",
        f"Migrate: ADD CONSTRAINT {name} {kind} USING INDEX {name}: a brief lock, no scan.\n"
        f"It refuses, saying why, while the index is missing or INVALID.{notes}\n"
        "Its down drops the constraint and with it the index: to go forward again, run the "
        "expand\nphase again first (or roll it back too: its down then has nothing to drop)."
        + ("\nThe down fails while a foreign key references the constraint: drop that first."),
        f"{lock}\n\n{steps.attach_index(table, name, kind, columns, f'{slug}_index')}",
        steps.drop_constraint(table, name, lock),
    )
    contract = Phase(
        "contract",
        f"{slug}_contract",
        f"Contract: nothing to remove; a {kind} constraint is additive. Kept so every plan "
        "has three phases.",
        steps.nothing(f"Nothing to do in the contract phase of {operation}."),
        steps.nothing("Nothing to undo."),
    )
    summary = (
        f"Adding {kind} {name} on {shown} without a long lock: CREATE UNIQUE INDEX "
        "CONCURRENTLY alone (expand), ADD CONSTRAINT … USING INDEX (migrate), nothing to "
        "contract. Duplicates make the index build fail and leave an INVALID index: the "
        "expand's header says how to find and drop it. Every down restores the previous "
        "state."
    )
    return Plan(operation, (expand, migrate, contract), summary)


def plan(change: Change) -> Plan:
    columns = steps.columns_of(change.column)
    default = steps.default_name(change.table, columns, "key")
    name = steps.name_of(change.name or default, "--name")
    return index_plan("add-unique", change.table, columns, name, "UNIQUE", change.lock_timeout)
