"""Set NOT NULL: a CHECK NOT VALID, validated without blocking writes, then SET NOT NULL
without a scan (PostgreSQL 12+), and the CHECK dropped."""

from __future__ import annotations

from dataclasses import dataclass, field

from migralint.plan import sql
from migralint.plan.model import Phase, Plan
from migralint.sql.ops import Name


@dataclass(frozen=True)
class Change:
    table: Name
    column: str = field(metadata={"help": "The column that must become NOT NULL."})
    lock_timeout: str = field(default="2s", metadata={"help": "lock_timeout for DDL."})


def plan(change: Change) -> Plan:
    t, c = sql.qualified(change.table), sql.ident(change.column)
    check = sql.generated_name(change.table.name, change.column, "not_null")
    q = sql.ident(check)
    lock = sql.lock_timeout(change.lock_timeout)
    add_check = sql.guarded_constraint(
        change.table, check, f"ALTER TABLE {t} ADD CONSTRAINT {q} CHECK ({c} IS NOT NULL) NOT VALID"
    )
    slug = sql.slug("set", change.table.name, change.column, "not_null")
    expand = Phase(
        "expand",
        f"{slug}_check",
        f"Expand: add CHECK ({change.column} IS NOT NULL) NOT VALID: a brief lock, new rows are "
        "checked at once.\nShip the release that never writes NULL into "
        f"{change.column} before this. Next: fill existing NULLs, then migrate.",
        f"{lock}\n\n{add_check}",
        f"{lock}\n\nALTER TABLE {t} DROP CONSTRAINT IF EXISTS {q};",
    )
    migrate = Phase(
        "migrate",
        f"{slug}_validate",
        "Migrate: validate the CHECK. It scans the table under a lock that lets reads and "
        "writes run,\nand fails if a NULL remains: fill those first.",
        f"ALTER TABLE {t} VALIDATE CONSTRAINT {q};",
        "-- After a rolled-back contract, validate the CHECK its down restored again.\n"
        f"ALTER TABLE {t} VALIDATE CONSTRAINT {q};",
    )
    contract = Phase(
        "contract",
        f"{slug}",
        "Contract: SET NOT NULL, which PostgreSQL 12+ proves from the validated CHECK "
        "without a scan,\nthen drop the CHECK. Its down makes the column nullable again and "
        "restores the CHECK,\nwhich the migrate phase's down validates.",
        f"{lock}\n\nALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL;\n"
        f"ALTER TABLE {t} DROP CONSTRAINT IF EXISTS {q};",
        f"{lock}\n\nALTER TABLE {t} ALTER COLUMN {c} DROP NOT NULL;\n{add_check}",
    )
    summary = (
        f"Setting {change.table}.{change.column} NOT NULL without a long lock: CHECK NOT VALID "
        "(expand), VALIDATE (migrate), SET NOT NULL and drop the CHECK (contract)."
    )
    return Plan("set-not-null", (expand, migrate, contract), summary)
