"""Drop an index without blocking writes: DROP INDEX CONCURRENTLY once no release needs it.

The design: nothing changes in the schema until the contract, which runs
DROP INDEX CONCURRENTLY alone in its migration (it cannot run in a transaction block).
The planner has no catalog access, so the index's definition is passed on the command
line (`--column` or `--expression`, `--unique`, `--where`): the contract's down
re-creates it concurrently from that.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from migralint.plan import create_index, sql
from migralint.plan.model import Phase, Plan
from migralint.sql.ops import Name


@dataclass(frozen=True)
class Change:
    table: Name
    index: str = field(metadata={"help": "The index to drop."})
    column: str | None = field(
        default=None,
        metadata={"help": "Its comma-separated columns, so the down can re-create it."},
    )
    expression: str | None = field(
        default=None, metadata={"help": "Its index elements as SQL instead of --column."}
    )
    unique: bool = field(default=False, metadata={"help": "The index is UNIQUE."})
    where: str | None = field(
        default=None, metadata={"help": "Its partial-index predicate, as SQL."}
    )
    method: str | None = field(
        default=None, metadata={"help": "Its index method, if not btree (gin, gist…)."}
    )


def _refusals(index: Name) -> str:
    """A DO block failing now, not in the contract, on what the contract cannot drop."""
    regclass = f"to_regclass({sql.literal(sql.qualified(index))})"
    partitioned = sql.literal(
        f"migralint: {index} is an index of a partitioned table: DROP INDEX CONCURRENTLY "
        "cannot drop it; drop the index on each partition concurrently and the parent's "
        "with DROP INDEX, by hand"
    )
    constraint = sql.literal(
        f"migralint: {index} backs a constraint (primary key, UNIQUE, EXCLUDE): drop the "
        "constraint instead"
    )
    body = f"""BEGIN
  IF (SELECT relkind FROM pg_class WHERE oid = {regclass}) = 'I' THEN
    RAISE EXCEPTION USING MESSAGE = {partitioned};
  END IF;
  IF EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = {regclass}) THEN
    RAISE EXCEPTION USING MESSAGE = {constraint};
  END IF;
END"""
    return sql.do_block(body, "guard")


def plan(change: Change) -> Plan:
    table, name = change.table, change.index
    elements = create_index.index_elements(change.column, change.expression)
    recreate = create_index.create_statement(
        table, name, elements, change.unique, change.where, change.method
    )
    regclass = sql.literal(sql.qualified(Name(name, table.schema)))
    slug = sql.slug("drop_index", name)
    expand = Phase(
        "expand",
        f"{slug}_expand",
        f"Expand: nothing changes in the schema. First make sure no query needs {name}:\n"
        "  SELECT idx_scan FROM pg_stat_user_indexes\n"
        f"  WHERE indexrelid = to_regclass({regclass});\n"
        "should stay constant over a full business cycle (on the primary and every replica;\n"
        "pg_stat_reset clears it). An index backing a constraint (primary key, UNIQUE\n"
        "constraint, a foreign key's referenced key) cannot be dropped this way: drop the "
        "constraint.\nThis migration refuses such an index, and an index of a partitioned "
        "table (which DROP INDEX\nCONCURRENTLY cannot drop), before the release ships.",
        _refusals(Name(name, table.schema)),
        sql.NOTHING,
    )
    migrate = Phase(
        "migrate",
        f"{slug}_migrate",
        f"Migrate: ship the release that no longer relies on {name} (its queries, "
        "ON CONFLICT on it).\nContract only once that release is permanent.",
        sql.CODE_ONLY,
        sql.NOTHING,
    )
    contract = Phase(
        "contract",
        f"{slug}_contract",
        f"Contract: drop {name} on {table} without blocking reads or writes (CONCURRENTLY,\n"
        "outside a transaction). Its down re-creates it concurrently from the definition "
        "given to the planner.\n"
        f"{create_index.invalid_index_help(table, name, 'the down')}",
        create_index.drop_statement(table, name),
        f"-- Re-create {name} without blocking reads or writes.\n{recreate}",
        transactional=False,
    )
    summary = (
        f"Dropping index {name} on {table}: code-only expand and migrate (check idx_scan "
        "first), then DROP INDEX CONCURRENTLY alone in the contract, whose down re-creates "
        "it concurrently from the --column/--expression, --unique and --where given."
    )
    return Plan("drop-index", (expand, migrate, contract), summary)
