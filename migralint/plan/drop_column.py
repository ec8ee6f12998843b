"""Drop a column: stop using it in the code first, drop it a release later.

The design: nothing changes in the schema until the contract; the expand and migrate
steps are code-only (the release that neither reads nor writes the column, then that
release made permanent). The contract runs `DROP COLUMN IF EXISTS`. Its down can only
re-add the column, nullable and empty: the data is not restored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from migralint.plan import column_copy, expressions, sql
from migralint.plan.model import Phase, Plan, PlanError, shown
from migralint.sql.ops import Name


@dataclass(frozen=True)
class Change:
    table: Name
    column: str = field(metadata={"help": "The column to drop."})
    type: str | None = field(
        default=None,
        metadata={"help": "The column's type, for the down (default: from the migrations)."},
    )
    lock_timeout: str = field(default="2s", metadata={"help": "lock_timeout for DDL."})


def plan(change: Change) -> Plan:
    if change.type is None:
        raise PlanError(shown(f"the type of {change.table}.{change.column} is needed: pass --type"))
    # A serial comes back as its integer type: `ADD COLUMN … serial` would rewrite the
    # table under ACCESS EXCLUSIVE, filling every row from a new sequence.
    column_type = column_copy.stored_type(expressions.sql_type(change.type))
    t, c = sql.qualified(change.table), sql.ident(change.column)
    name = f"{change.table}.{change.column}"
    lock = sql.lock_timeout(change.lock_timeout)
    slug = sql.slug("drop", change.table.name, change.column)
    expand = Phase(
        "expand",
        f"{slug}_expand",
        f"Expand: nothing changes in the schema. Ship the release that neither reads nor "
        f"writes {name}:\nmark it ignored in the ORM (Rails `ignored_columns`, Django: remove "
        "the field from the model\nonly, SQLAlchemy: leave it out of the mapping, or use "
        "`deferred`) so no SELECT * or INSERT\nnames it. If the column is NOT NULL without a "
        "default, that release's INSERTs fail: make it\nnullable (or give it a default) in "
        "an earlier migration.",
        sql.CODE_ONLY,
        sql.NOTHING,
    )
    migrate = Phase(
        "migrate",
        f"{slug}_migrate",
        f"Migrate: the release that ignores {name} is live (nothing runs here).\nContract only "
        "once it is permanent: no rollback to a release that uses the column, and no\nother "
        "reader (views, reports, jobs, other services) left on it.",
        sql.CODE_ONLY,
        sql.NOTHING,
    )
    contract = Phase(
        "contract",
        f"{slug}_contract",
        f"Contract: drop {name}. Its data is gone for good: take a backup first if it may "
        "be needed.\nIts down re-adds the column, nullable and empty: the data is not "
        "restored, nor any default,\nconstraint or index it had.",
        f"{lock}\n\nALTER TABLE {t} DROP COLUMN IF EXISTS {c};",
        sql.comment(f"The data is not restored: {change.column} comes back nullable and empty.")
        + f"\n{lock}\n\nALTER TABLE {t} ADD COLUMN IF NOT EXISTS {c} {column_type};",
    )
    summary = (
        f"Dropping {name} in three migrations: code-only expand and migrate (ship the release "
        "that ignores the column, make it permanent), then DROP COLUMN in the contract. "
        "Warning: the contract's down re-adds the column empty; its data is not restored."
    )
    return Plan("drop-column", (expand, migrate, contract), summary)
