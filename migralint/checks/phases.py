"""What the phase rules share: which statements expand a schema and which contract it,
and which replacement a contracting statement completes in the same file. (Whether an
up file has its down file is a run-context fact: see migralint/sources/pairs.py.)"""

from __future__ import annotations

from migralint.checks.destructive import old_name_kept_as_view
from migralint.checks.file_index import Each, added_column, anywhere, file_index
from migralint.checks.idempotency import (
    PER_TABLE_KINDS,
    created_before,
    created_key,
    created_later,
    dropped_before,
    dropped_key,
)
from migralint.context import Context
from migralint.postgres import is_binary_coercible
from migralint.sql import ops

# Expand phase: what a previous release still running cannot live with


def incompatible_change(op: ops.Op, ctx: Context) -> str | None:
    """Why the statement breaks the release still running, or None if it is additive."""
    if isinstance(op, ops.DropTable | ops.DropColumn | ops.DropIndex | ops.DropConstraint):
        key = dropped_key(op)
        if created_before(ctx, key) or created_later(ctx, key):
            return None  # a temporary object, or the drop-then-create idiom
        return "it removes what the running release may still use"
    if isinstance(op, ops.DropObject):
        key = dropped_key(op)
        if created_before(ctx, key) or created_later(ctx, key):
            return None
        return "it removes what the running release may still use"
    if isinstance(op, ops.RenameTable) and old_name_kept_as_view(op, ctx):
        return None
    if isinstance(op, ops.RenameTable | ops.RenameColumn):
        return "the running release still uses the old name"
    if isinstance(op, ops.RenameObject) and op.kind not in ("INDEX", "CONSTRAINT"):
        return "the running release still uses the old name"
    if isinstance(op, ops.SetSchema):
        return "the running release still finds it in the old schema"
    if isinstance(op, ops.Truncate):
        return "it deletes every row"
    if isinstance(op, ops.SetNotNull):
        return "the running release may still write NULLs"
    if isinstance(op, ops.AlterColumnType):
        old = ctx.catalog.type_before(op)
        if old is not None and is_binary_coercible(old, op.type, pg_version=ctx.pg_version[0]):
            return None
        return "the running release reads and writes the old type"
    if isinstance(op, ops.AddColumn):
        col = op.column
        if col.nullable or col.fills_itself:
            return None
        return "the running release inserts rows without this NOT NULL column"
    return None


# Contract phase: what belongs in an expand migration instead


def additive_change(op: ops.Op, ctx: Context) -> str | None:
    """What the statement adds, when it adds schema; None otherwise."""
    if isinstance(op, ops.CreateTable) and not op.temporary:
        return f"creates table {op.table}"
    if isinstance(op, ops.AddColumn):
        return f"adds column {op.table}.{op.column.name}"
    if isinstance(op, ops.CreateIndex):
        return None if dropped_before(ctx, created_key(op)) else f"creates an index on {op.table}"
    if isinstance(op, ops.CreateObject) and not op.or_replace:
        if op.kind in PER_TABLE_KINDS or dropped_before(ctx, created_key(op)):
            return None  # triggers and policies are re-created when a contract redefines them
        return f"creates {op.kind.lower()} {op.name}"
    if isinstance(op, ops.AlterTypeAddValue):
        return f"adds the value '{op.value}' to type {op.name}"
    return None


# Coupled expand and contract: the replacement and the removal in one file


def replacement_column(op: ops.DropColumn | ops.RenameColumn, ctx: Context) -> ops.AddColumn | None:
    """The ADD COLUMN of this file that takes over from the column `op` removes: backfilled
    from it, renamed to its name, or (after a rename away) added under its name."""
    table, old = op.table.key, op.column
    index = file_index(ctx)
    names = {r.column for r in anywhere(ctx, ops.RenameColumn, _renamed_into, (table, old))}
    names |= index.derived(_backfills, ctx).get((table, old), set())
    names.discard(old)
    found = [index.positions(ops.AddColumn, added_column, (table, n))[:1] for n in names]
    if isinstance(op, ops.RenameColumn):  # renamed away, then added again under its name
        found.append(_below(ctx, op, index.positions(ops.AddColumn, added_column, (table, old))))
    first = min((p for positions in found for p in positions), default=None)
    return None if first is None else ctx.file_ops[first]  # type: ignore[return-value]


def _below(ctx: Context, op: ops.Op, positions: list[int]) -> list[int]:
    """The first of `positions` whose statement starts on a line after `op`'s."""
    return next(([i] for i in positions if ctx.file_ops[i].loc.line > op.loc.line), [])


def _renamed_into(op: ops.RenameColumn) -> tuple[str, str]:
    return op.table.key, op.new_name


def _backfills(ctx: Context) -> dict[tuple[str, str], set[str]]:
    """(table key, column read) → the columns UPDATEs of this file set from it."""
    found: dict[tuple[str, str], set[str]] = {}
    for o in ctx.file_ops:
        if not isinstance(o, ops.Update):
            continue
        for a in o.assignments or ():
            if a.column in o.columns:
                for c in a.columns_read:
                    found.setdefault((o.table.key, c), set()).add(a.column)
    return found


def replacement_table(op: ops.DropTable | ops.RenameTable, ctx: Context) -> ops.Name | None:
    """A table this file creates to take over from the one `op` removes."""
    old = op.table
    index = file_index(ctx)
    keys = {r.table.key for r in anywhere(ctx, ops.RenameTable, _new_name, old.name)}
    inserts = (ctx.file_ops[i] for i in _reading(ctx, ops.Insert, old.name))
    keys |= {i.table.key for i in inserts if isinstance(i, ops.Insert)}
    keys.discard(old.key)
    found = [index.positions(ops.CreateTable, _created, k)[:1] for k in keys]
    readers = _reading(ctx, ops.CreateTable, old.name)  # CREATE TABLE … AS SELECT … FROM old
    found.append([i for i in readers if _copy_of(ctx.file_ops[i], old)][:1])
    if isinstance(op, ops.RenameTable):  # renamed away, then a new table takes the old name
        found.append(_below(ctx, op, index.positions(ops.CreateTable, _created, old.key)))
    first = min((p for positions in found for p in positions), default=None)
    return None if first is None else ctx.file_ops[first].table  # type: ignore[attr-defined]


def _created(op: ops.CreateTable) -> str | None:
    return None if op.temporary else op.table.key


def _copy_of(op: ops.Op, old: ops.Name) -> bool:
    """True for a CREATE TABLE … AS query of a new, lasting table (not `old` itself)."""
    return isinstance(op, ops.CreateTable) and op.as_query and _created(op) not in (None, old.key)


def _new_name(op: ops.RenameTable) -> str:
    return op.new_name


def _tables_read(op: ops.Insert | ops.CreateTable) -> Each:
    """The (lower-cased) names the statement reads FROM or JOINs."""
    return Each(op.loc.facts.reads)


def copied_into(op: ops.DropTable, ctx: Context) -> ops.Insert | None:
    """The earlier INSERT … SELECT of this migration that copies rows of the table `op`
    drops into another table, if one does: the data lives on there."""
    for position in _reading(ctx, ops.Insert, op.table.name):
        insert = ctx.file_ops[position]
        if (
            position < ctx.position
            and isinstance(insert, ops.Insert)
            and insert.from_query
            and insert.table.key != op.table.key
        ):
            return insert
    return None


def _reading(ctx: Context, op_type: type[ops.Op], name: str) -> list[int]:
    """Where the Ops of `op_type` stand whose statement reads the table `name` (FROM or JOIN)."""
    return file_index(ctx).positions(op_type, _tables_read, name.lower())


def rebuild_source(op: ops.CreateTable, ctx: Context) -> str | None:
    """The existing table a new table copies the shape of (a table rebuild: create a
    copy, fill it from the original, drop the original, rename the copy), if any."""
    columns = {c.name for c in op.columns}
    if len(columns) < 2:
        return None
    for key, table in ctx.catalog.tables.items():
        if key != op.table.key and len(columns & table.columns.keys()) >= 0.6 * len(columns):
            return key
    return None
