"""`plan --from`: an index dropped and created again under the same name, as one plan.

`DROP INDEX x; CREATE INDEX x ON …` redefines x. Planned as two separate changes, the
concurrent create would find the old x and skip (IF NOT EXISTS), then the contract would
drop it: no index at all. So the new definition is built concurrently under a temporary
name (expand), checked (migrate), the old index dropped concurrently (contract) and the
new one renamed to x (a last contract); the downs undo each step in reverse.
"""

from __future__ import annotations

from migralint.plan import create_index, sql
from migralint.plan.from_file_planners import index_definition
from migralint.plan.model import Phase, Plan, PlanError
from migralint.schema import Catalog
from migralint.sql import ops
from migralint.sql.names import quote, quote_name


def temporary_name(name: str) -> str:
    """Where the new definition is built before it takes the old one's name."""
    return sql.generated_name(name, "redefined")


def plan(old: ops.CreateIndex, new: ops.CreateIndex, catalog: Catalog) -> Plan:
    """Replace index `old` by `new`, which has the same name, without a moment with neither."""
    name = new.name or ""
    table = new.table
    temporary = temporary_name(name)
    if ops.Name(temporary, table.schema).key in catalog.index_definitions:
        raise PlanError(f"index {temporary} exists already: it is the name this plan builds on")
    new_elements, new_method = index_definition(new.loc.statement)
    old_elements, old_method = index_definition(old.loc.statement)
    build = create_index.create_statement(
        table, temporary, new_elements, new.unique, new.where, new_method
    )
    restore = create_index.create_statement(
        old.table, name, old_elements, old.unique, old.where, old_method
    )
    slug = sql.slug("redefine_index", name)
    lock = sql.lock_timeout("2s")
    renamed, temp = quote_name(ops.Name(name, table.schema)), quote(temporary)
    phases = (
        Phase(
            "expand",
            f"{slug}_expand",
            f"Expand: build the new definition of index {name} on {table} as {temporary}\n"
            "without blocking reads or writes (CONCURRENTLY, outside a transaction); the old "
            f"{name} stays in use.\n{create_index.invalid_index_help(table, temporary)}",
            build,
            "-- The new definition is dropped without blocking reads or writes.\n"
            + create_index.drop_statement(table, temporary),
            transactional=False,
        ),
        Phase(
            "migrate",
            f"{slug}_check",
            f"Migrate: fail unless {temporary} exists and is valid (read-only).",
            create_index.valid_check(table, temporary),
            sql.NOTHING,
        ),
        Phase(
            "contract",
            f"{slug}_drop_old",
            f"Contract 1/2: drop the old definition of {name} without blocking reads or writes\n"
            "(CONCURRENTLY, outside a transaction). Its down re-creates it concurrently.",
            create_index.drop_statement(old.table, name),
            f"-- Re-create the old definition of {name}.\n{restore}",
            transactional=False,
        ),
        Phase(
            "contract",
            f"{slug}_rename",
            f"Contract 2/2: the new definition takes the name {name} (a brief lock on the index).",
            f"{lock}\n\nALTER INDEX IF EXISTS {quote_name(ops.Name(temporary, table.schema))} "
            f"RENAME TO {quote(name)};",
            f"{lock}\n\nALTER INDEX IF EXISTS {renamed} RENAME TO {temp};",
        ),
    )
    summary = (
        f"Redefining index {name} on {table}: the new definition is built concurrently as "
        f"{temporary} (expand) and checked (migrate), then the old {name} is dropped "
        "concurrently and the new one renamed to it (contract)."
    )
    return Plan("redefine-index", phases, summary)
