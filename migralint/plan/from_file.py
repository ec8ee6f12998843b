"""`migralint plan --from FILE`: a migration's plannable statements become their plans.

Each statement that a rule would flag and an operation can plan (a column rename, a
SET NOT NULL …) is replaced by that operation's expand / migrate / contract phases;
every other statement is kept, as written, in a migration of its own that runs first.
The original file is never changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from migralint.plan.model import Phase, Plan, PlanError
from migralint.schema import Catalog
from migralint.sql import ops
from migralint.sql.parse import parse_statement
from migralint.sql.split import split_statements


@dataclass(frozen=True)
class Replacement:
    """What `--from` did with one statement."""

    line: int
    statement: str
    plan: Plan | None  # None: kept as written


def _rename_column(op: ops.Op, catalog: Catalog) -> Plan | None:
    from migralint.plan import rename_column

    if not isinstance(op, ops.RenameColumn):
        return None
    known = catalog.column(op.table, op.column)
    if known is None or known.type is None:
        raise PlanError(
            f"line {op.loc.line}: the type of {op.table}.{op.column} is not known from the "
            "migrations beside the file; plan it with `migralint plan rename-column … --type`"
        )
    return rename_column.plan(
        rename_column.Change(op.table, op.column, op.new_name, type=str(known.type))
    )


def _set_not_null(op: ops.Op, catalog: Catalog) -> Plan | None:
    from migralint.plan import set_not_null

    if not isinstance(op, ops.SetNotNull):
        return None
    return set_not_null.plan(set_not_null.Change(op.table, op.column))


PLANNERS: tuple[Callable[[ops.Op, Catalog], Plan | None], ...] = (_rename_column, _set_not_null)


def replacements(path: Path, catalog: Catalog, dialect: str = "postgres") -> list[Replacement]:
    """Each statement of the file, with the plan that replaces it where there is one."""
    text = path.read_text(encoding="utf-8")
    found: list[Replacement] = []
    for stmt in split_statements(text, dialect).statements:
        planned = None
        for op in parse_statement(stmt, str(path), dialect):
            planned = next((p for p in (planner(op, catalog) for planner in PLANNERS) if p), None)
            if planned:
                break
        found.append(Replacement(stmt.line, stmt.text, planned))
    return found


def _slug(path: Path) -> str:
    """`V2__add_users.sql` / `2_add_users.up.sql` → `add_users`."""
    name = re.sub(r"^[VUBR]?[\d._]*_+", "", path.name).split(".")[0]
    return re.sub(r"\W+", "_", name).strip("_").lower() or "migration"


def kept_statements(path: Path, kept: list[Replacement]) -> Plan:
    """A one-phase plan holding the statements that need no plan, in their order."""
    body = "\n\n".join(f"{r.statement};" for r in kept)
    phase = Phase(
        "",
        f"{_slug(path)}_kept",
        f"The statements of {path.name} that need no expand/contract plan, as written.\n"
        "Write their down by hand.",
        body,
        "-- Write the inverse of the kept statements here.\nSELECT 1;",
    )
    return Plan("kept", (phase,), f"kept {len(kept)} statement(s) of {path.name} as written")
