"""Questions the destructive rules share: is the removal planned (a contract
migration), did this same migration create or re-create the object it drops or
renames, and does a drop take table data with it."""

from __future__ import annotations

import re
from collections.abc import Iterator

from migralint.advice import remove_later, rename_in_steps
from migralint.context import Context, FileInfo, T
from migralint.rule import Violation
from migralint.schema import ColumnState, ConstraintState
from migralint.sql import ops

# Kinds that share one name space for N-1: replacing a view by a materialized view or
# a table under the same name keeps N-1's queries working; so does re-creating a
# function as a procedure of the same name, or a type as a domain.
_FAMILIES = (
    frozenset({"VIEW", "MATERIALIZED VIEW", "TABLE"}),
    frozenset({"FUNCTION", "PROCEDURE", "AGGREGATE", "ROUTINE"}),
    frozenset({"TYPE", "DOMAIN"}),
)

# DROP … CASCADE of these removes table columns of the type, and their data.
_CASCADE_DROPS_COLUMNS = frozenset({"TYPE", "DOMAIN", "EXTENSION"})


def removal_planned(file: FileInfo) -> bool:
    """True in a migration marked `-- migralint: phase=contract`: the release that used
    what it removes is gone, so removing it is the planned last step."""
    return file.phase == "contract"


def old_name_kept_as_view(op: ops.RenameTable, ctx: Context) -> bool:
    """True when the same migration creates a view under the table's old name, so the
    release still running keeps reading and writing it through that view."""
    return any(
        later.kind == "VIEW" and later.name.key == op.table.key
        for later in ctx.later(ops.CreateObject)
    )


def earlier(ctx: Context, op_type: type[T]) -> Iterator[T]:
    """Ops of the given type before the current one in this file."""
    for op in ctx.file_ops[: ctx.position]:
        if isinstance(op, op_type):
            yield op


def family(kind: str) -> frozenset[str]:
    return next((f for f in _FAMILIES if kind in f), frozenset({kind}))


def _same_object(
    kind: str, name: ops.Name, table: ops.Name | None, other: ops.CreateObject
) -> bool:
    if other.kind not in family(kind):
        return False
    if table is not None and other.table is not None:  # triggers, policies: per table
        return other.name.name == name.name and other.table.key == table.key
    return other.name.key == name.key


def created_here(ctx: Context, kind: str, name: ops.Name, table: ops.Name | None = None) -> bool:
    """True if this migration created the object earlier: nothing else uses it yet."""
    if kind in family("TABLE") and ctx.is_new_table(name):
        return True
    if any(_renamed_to(kind, name, r) for r in earlier(ctx, ops.RenameObject)):
        return True  # a name this migration gave (the `_old` of an enum swap)
    return any(_same_object(kind, name, table, c) for c in earlier(ctx, ops.CreateObject))


def recreated_later(ctx: Context, kind: str, name: ops.Name, table: ops.Name | None = None) -> bool:
    """True if the migration creates an object of the same name after this statement:
    a drop and re-create is a redefinition (CREATE OR REPLACE cannot change a view's
    columns or a function's signature), not a removal."""
    if kind in family("TABLE") and any(t.table.key == name.key for t in ctx.later(ops.CreateTable)):
        return True
    if any(_renamed_to(kind, name, r) for r in ctx.later(ops.RenameObject)):
        return True  # another object takes over the name (`ALTER TYPE x_new RENAME TO x`)
    return any(_same_object(kind, name, table, c) for c in ctx.later(ops.CreateObject))


def _renamed_to(kind: str, name: ops.Name, rename: ops.RenameObject) -> bool:
    new = ops.Name(rename.new_name, rename.name.schema)
    return rename.kind in family(kind) and new.key == name.key


def owned_by_this_migration(op: ops.DropObject, ctx: Context) -> bool:
    """A drop that removes nothing N-1 relies on: the object is this migration's own,
    or it comes back under the same name (unless CASCADE took table columns with it)."""
    if created_here(ctx, op.kind, op.name, op.table):
        return True
    if op.cascade and op.kind in _CASCADE_DROPS_COLUMNS:
        return False
    return recreated_later(ctx, op.kind, op.name, op.table)


def drops_columns(op: ops.DropObject) -> bool:
    """DROP TYPE / DOMAIN / EXTENSION … CASCADE also drops every column of that type."""
    return op.cascade and op.kind in _CASCADE_DROPS_COLUMNS


def cascade_note(op: ops.DropObject) -> str:
    """What CASCADE adds to a drop, for the message ('' without CASCADE)."""
    if not op.cascade:
        return ""
    if drops_columns(op):
        return "; CASCADE also drops every table column of this type, with its data"
    return "; CASCADE also drops every object that depends on it"


def refilled_later(ctx: Context, table: ops.Name) -> bool:
    """True if the migration inserts into the table after emptying it: reference data
    being re-seeded, not a table being emptied."""
    return any(i.table.key == table.key for i in ctx.later(ops.Insert))


_RENAME_VALUE = re.compile(r"RENAME\s+VALUE\s+'((?:[^']|'')*)'", re.IGNORECASE)


def old_enum_value(op: ops.RenameObject) -> str | None:
    """The label `ALTER TYPE … RENAME VALUE 'old' TO 'new'` renames."""
    m = _RENAME_VALUE.search(op.loc.statement)
    return m[1].replace("''", "'") if m else None


# Constraints


def constraint_added_here(ctx: Context, op: ops.DropConstraint) -> bool:
    """True if this migration added the constraint before dropping it (a temporary
    helper, such as the CHECK that lets SET NOT NULL skip its scan)."""
    return any(
        a.table.key == op.table.key and a.constraint.name == op.name
        for a in earlier(ctx, ops.AddConstraint)
    )


def constraint_redefined(ctx: Context, op: ops.DropConstraint) -> bool:
    """True if the migration adds the constraint back: under the same name, or (when
    the catalog knows what was dropped) the same kind on the same columns; a unique
    constraint may also be replaced by a unique index, built before or after."""
    known = _constraint_state(ctx, op)
    for add in ctx.later(ops.AddConstraint):
        c = add.constraint
        if add.table.key == op.table.key and (
            c.name == op.name
            or (
                known is not None
                and known.columns
                and (c.kind, c.columns) == (known.kind, known.columns)
            )
        ):
            return True
    if known is not None and known.kind not in ("unique", "primary_key"):
        return False
    columns = known.columns if known is not None else ()
    return any(
        i.unique and i.table.key == op.table.key and (not columns or i.columns == columns)
        for i in [*earlier(ctx, ops.CreateIndex), *ctx.later(ops.CreateIndex)]
    )


def constraint_removed_later(ctx: Context, op: ops.DropConstraint) -> bool:
    """True if the migration drops the table, or a column of the constraint, later: the
    constraint would go with it, and drop-table / drop-column report that."""
    known = _constraint_state(ctx, op)
    columns = set(known.columns) if known else set()
    for later in ctx.file_ops[ctx.position + 1 :]:
        if isinstance(later, ops.DropTable) and later.table.key == op.table.key:
            return True
        if (
            isinstance(later, ops.DropColumn)
            and later.table.key == op.table.key
            and later.column in columns
        ):
            return True
    return False


def constraint_kind(ctx: Context, op: ops.DropConstraint) -> str | None:
    """The dropped constraint's kind where the catalog knows it."""
    state = _constraint_state(ctx, op)
    return state.kind if state else None


def redundant_not_null_check(ctx: Context, op: ops.DropConstraint) -> bool:
    """True for a `CHECK (c IS NOT NULL)` whose column is NOT NULL by now: the check
    only existed to let SET NOT NULL skip its scan, and dropping it loses nothing."""
    state = _constraint_state(ctx, op)
    if state is None or state.kind != "check" or not state.expression:
        return False
    flat = re.sub(r'[\s()"`]+', "", state.expression).lower()
    m = re.fullmatch(r"(\w+)isnotnull|not(\w+)isnull", flat)
    if not m:
        return False
    column = ctx.catalog.column(op.table, m[1] or m[2])
    return column is not None and not column.nullable


def _constraint_state(ctx: Context, op: ops.DropConstraint) -> ConstraintState | None:
    table = ctx.catalog.table(op.table)
    return table.constraints.get(op.name) if table else None


# Columns


def column_added_here(ctx: Context, table: ops.Name, column: str) -> bool:
    """True if this migration added the column: release N-1 never reads or writes it."""
    return any(
        a.table.key == table.key and a.column.name == column for a in earlier(ctx, ops.AddColumn)
    )


def known_column(ctx: Context, table: ops.Name, column: str) -> ColumnState | None:
    """The column's state when a CREATE TABLE or ADD COLUMN defined it (its type is
    known), else None: a column only touched by ALTERs has unknown defaults."""
    state = ctx.catalog.column(table, column)
    return state if state is not None and state.type is not None else None


# Dropping other objects


def dropped_object(op: ops.DropObject, ctx: Context, harm: str) -> Iterator[Violation]:
    """The finding for a drop of a view, function, type … unless the removal is planned
    or the object is this migration's own; `harm` says what breaks."""
    if removal_planned(ctx.file) or owned_by_this_migration(op, ctx):
        return
    what = f"{op.kind.lower()} {op.name}" + (f" on {op.table}" if op.table else "")
    yield ctx.finding(op, f"dropping {what} {harm}{cascade_note(op)}", remove_later(what))


def has_default(column: ColumnState) -> bool:
    """True if the column has a default, a serial's implicit nextval() included."""
    serial = column.type is not None and column.type.name in ("serial", "bigserial", "smallserial")
    return column.default is not None or serial


def column_reworked_later(ctx: Context, table: ops.Name, column: str) -> bool:
    """True if the migration gives the column a new default or identity, or drops it,
    after this statement: the change is part of a larger rework reported on its own."""
    for op in ctx.file_ops[ctx.position + 1 :]:
        if isinstance(op, ops.SetDefault | ops.AlterIdentity | ops.DropColumn) and (
            op.table.key,
            op.column,
        ) == (table.key, column):
            return True
    return False


# Renaming other objects


def renamed_object(
    op: ops.RenameObject, ctx: Context, harm: str, bridge: str
) -> Iterator[Violation]:
    """The finding for a rename of a view, type, schema … unless this migration created
    the object or keeps the old name alive (a view or routine created under it)."""
    if created_here(ctx, op.kind, op.name) or recreated_later(ctx, op.kind, op.name):
        return
    kind = op.kind.lower()
    new = str(ops.Name(op.new_name, op.name.schema))
    yield ctx.finding(
        op,
        f"renaming {kind} {op.name} to {op.new_name} {harm}",
        rename_in_steps(f"{kind} {op.name}", new, bridge),
    )
