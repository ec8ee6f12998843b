"""`plan --from`: an index dropped and created again under the same name, as one plan.

`DROP INDEX x; CREATE INDEX x ON …` redefines x. Planned as two separate changes, the
concurrent create would find the old x and skip (IF NOT EXISTS), then the contract would
drop it: no index at all. So the plan is made of create-index's and drop-index's own
phases: the new definition is built concurrently under a temporary name (expand), the old
index is checked to be droppable (expand) and the new one to be valid (migrate), the old
index is dropped concurrently (contract) and the new one takes its name (a last
contract); the downs undo each step in reverse.
"""

from __future__ import annotations

import dataclasses

from migralint.plan import create_index, drop_index, sql
from migralint.plan.from_file_planners import index_definition
from migralint.plan.model import Phase, Plan, PlanError
from migralint.schema import Catalog
from migralint.sql import ops


def temporary_name(name: str) -> str:
    """Where the new definition is built before it takes the old one's name."""
    return sql.generated_name(name, "redefined")


def plan(old: ops.CreateIndex, new: ops.CreateIndex, catalog: Catalog) -> Plan:
    """Replace index `old` by `new`, which has the same name, without a moment with neither."""
    name, table = new.name or "", new.table
    temporary = temporary_name(name)
    if ops.Name(temporary, table.schema).key in catalog.index_definitions:
        raise PlanError(f"index {temporary} exists already: it is the name this plan builds on")
    new_index, old_index = index_definition(new.loc.statement), index_definition(old.loc.statement)
    build = create_index.plan(
        create_index.Change(
            table,
            expression=new_index.elements,
            name=temporary,
            unique=new.unique,
            where=new_index.where,
            method=new_index.method,
        )
    )
    drop = drop_index.plan(
        drop_index.Change(
            old.table,
            name,
            expression=old_index.elements,
            unique=old.unique,
            where=old_index.where,
            method=old_index.method,
        )
    )
    [build_expand, check, _] = build.phases
    [guard, _, drop_old] = drop.phases
    slug = sql.slug("redefine_index", name)
    lock = sql.lock_timeout("2s")
    rename = Phase(
        "contract",
        f"{slug}_rename",
        f"Contract: the new definition of {name} takes its name (a brief lock on the index).",
        f"{lock}\n\nALTER INDEX IF EXISTS {sql.qualified(ops.Name(temporary, table.schema))} "
        f"RENAME TO {sql.ident(name)};",
        f"{lock}\n\nALTER INDEX IF EXISTS {sql.qualified(ops.Name(name, table.schema))} "
        f"RENAME TO {sql.ident(temporary)};",
    )
    phases = (
        dataclasses.replace(build_expand, slug=f"{slug}_build"),
        dataclasses.replace(
            guard,
            slug=f"{slug}_check_old",
            header=f"Expand: fail now, before a release relies on the new definition, if the "
            f"old {name} cannot be dropped\nconcurrently in the contract (it backs a constraint, "
            "or its table is partitioned).",
        ),
        dataclasses.replace(check, slug=f"{slug}_check_new"),
        dataclasses.replace(drop_old, slug=f"{slug}_drop_old"),
        rename,
    )
    summary = (
        f"Redefining index {name} on {table}: the new definition is built concurrently as "
        f"{temporary} (expand) and checked (migrate), then the old {name} is dropped "
        "concurrently and the new one renamed to it (contract)."
    )
    return Plan("redefine-index", phases, summary)
