"""Create an index without blocking writes: CREATE INDEX CONCURRENTLY in its own migration.

The design: CONCURRENTLY cannot run inside a transaction block, so the expand phase is a
file with that one statement (golang-migrate sends a file as one implicit transaction).
A failed concurrent build (a duplicate for a unique index, a deadlock, a cancel) leaves
an INVALID index behind that `IF NOT EXISTS` then silently skips on a re-run. The up
cannot drop such a leftover first: that takes a second statement (a DO block), and
DROP INDEX CONCURRENTLY cannot run inside a DO block. So the header says how to find
and drop it, and the migrate phase refuses to pass while the index is missing or
INVALID, before the release that relies on it ships.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from migralint.plan import sql
from migralint.plan.constraint_steps import KEPT_INVALID_IS_CHECKED, default_name, valid_check
from migralint.plan.model import Phase, Plan, PlanError
from migralint.sql.ops import Name


@dataclass(frozen=True)
class Change:
    table: Name
    column: str | None = field(
        default=None, metadata={"help": "Comma-separated columns to index, in order."}
    )
    expression: str | None = field(
        default=None,
        metadata={"help": "Index elements as SQL instead of --column, e.g. 'lower(email)'."},
    )
    name: str | None = field(
        default=None, metadata={"help": "The index name (default: <table>_<columns>_idx)."}
    )
    unique: bool = field(default=False, metadata={"help": "Create a UNIQUE index."})
    where: str | None = field(
        default=None, metadata={"help": "Predicate of a partial index, as SQL."}
    )
    method: str | None = field(
        default=None, metadata={"help": "Index method: btree (default), hash, gin, gist, brin…"}
    )


def columns_of(column: str | None) -> list[str]:
    """`a, "b"` → ["a", "b"]: the comma-separated --column list, unquoted."""
    return [c.strip().strip('"') for c in (column or "").split(",") if c.strip()]


def index_elements(column: str | None, expression: str | None) -> str:
    """What goes between the parentheses of ON table (…): quoted columns or the SQL."""
    columns = columns_of(column)
    if bool(columns) == bool(expression):
        raise PlanError("pass either --column (comma-separated) or --expression")
    return expression.strip() if expression else ", ".join(sql.ident(c) for c in columns)


def index_name(table: Name, column: str | None, expression: str | None, unique: bool) -> str:
    """`<table>_<columns>_idx`, unique or not, as PostgreSQL names an unnamed index."""
    words = columns_of(column) or [sql.slug(expression or "expr")]
    return default_name(table, words, "idx")


def create_statement(
    table: Name,
    name: str,
    elements: str,
    unique: bool,
    where: str | None,
    method: str | None = None,
) -> str:
    kind = "UNIQUE INDEX" if unique else "INDEX"
    predicate = f" WHERE {where.strip()}" if where else ""
    using = f" USING {index_method(method)}" if method else ""
    return (
        f"{KEPT_INVALID_IS_CHECKED}\nCREATE {kind} CONCURRENTLY IF NOT EXISTS {sql.ident(name)}\n"
        f"  ON {sql.qualified(table)}{using} ({elements}){predicate};"
    )


def index_method(method: str) -> str:
    """An index access method's name, checked: it is spliced into the statement."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", method.strip()):
        raise PlanError(f"--method {method!r} is not an index method name (btree, gin, gist…)")
    return method.strip().lower()


def drop_statement(table: Name, name: str) -> str:
    return f"DROP INDEX CONCURRENTLY IF EXISTS {sql.qualified(Name(name, table.schema))};"


def invalid_index_help(table: Name, name: str, rerun: str = "this migration") -> str:
    """Header lines: how to find and remove what a failed concurrent build left."""
    regclass = sql.literal(sql.qualified(Name(name, table.schema)))
    return (
        "A failed build leaves an INVALID index that IF NOT EXISTS skips on a re-run. "
        "Find it with\n"
        f"  SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass({regclass});\n"
        f"If that says false: {drop_statement(table, name)}\n"
        f"then fix the cause (a duplicate, a deadlock, a cancel) and run {rerun} again."
    )


def duplicates_query(table: Name, column: str | None, where: str | None) -> str:
    """The SELECT listing what would make a UNIQUE index fail to build."""
    columns = ", ".join(sql.ident(c) for c in columns_of(column)) or "<the indexed expressions>"
    predicate = f" WHERE {where.strip()}" if where else ""
    return (
        f"SELECT {columns}, count(*) FROM {sql.qualified(table)}{predicate} "
        f"GROUP BY {columns} HAVING count(*) > 1;"
    )


def plan(change: Change) -> Plan:
    table = change.table
    elements = index_elements(change.column, change.expression)
    name = change.name or index_name(table, change.column, change.expression, change.unique)
    slug = sql.slug("create_index", name)
    create = create_statement(table, name, elements, change.unique, change.where, change.method)
    unique_note = (
        "\nA UNIQUE index fails to build while duplicates exist; find them first with\n"
        f"  {duplicates_query(table, change.column, change.where)}\n"
        "Once it is built, release N-1 can no longer write a duplicate."
        if change.unique
        else ""
    )
    expand = Phase(
        "expand",
        f"{slug}_expand",
        f"Expand: build index {name} on {table} without blocking reads or writes\n"
        "(CONCURRENTLY, outside a transaction, no statement_timeout: it waits for running\n"
        f"transactions and scans the table twice).{unique_note}\n"
        f"{invalid_index_help(table, name)}\nNext: the migrate phase checks the index "
        "is valid.",
        create,
        f"-- The index is dropped without blocking reads or writes.\n{drop_statement(table, name)}",
        transactional=False,
    )
    migrate = Phase(
        "migrate",
        f"{slug}_check",
        f"Migrate: fail unless {name} exists and is valid (read-only).\nThen ship the "
        "release that relies on it (queries planned on it, ON CONFLICT on a unique index).",
        valid_check(table, name),
        "-- Nothing to undo: the migrate phase only checked the index.\nSELECT 1;",
    )
    contract = Phase(
        "contract",
        f"{slug}_contract",
        "Contract: nothing to remove; an index is additive. Kept so every plan has three phases.",
        "-- Nothing to do in the contract phase of create-index.\nSELECT 1;",
        sql.NOTHING,
    )
    summary = (
        f"Creating index {name} on {table} with CREATE INDEX CONCURRENTLY alone in the "
        "expand migration (outside a transaction), a validity check (migrate), and no "
        "contract. A failed build leaves an INVALID index: the expand's header says how to "
        "find and drop it."
    )
    return Plan("create-index", (expand, migrate, contract), summary)
