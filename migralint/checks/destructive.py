"""Questions the destructive rules share: is the removal planned (a contract
migration), did this same migration create or re-create the object it drops or
renames, and does a drop take table data with it."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from typing import Any

from migralint.advice import remove_later, rename_in_steps
from migralint.checks.constraint_names import generated_name
from migralint.checks.file_index import (
    after,
    anywhere,
    before,
    created_object,
    statement_run,
    table_key,
)
from migralint.checks.grouping import listing, per_statement
from migralint.context import Context, FileInfo
from migralint.pgfacts import object_name
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

_PERMUTED = 4  # a key's columns up to which each order is tried for the dropped name

# DROP … CASCADE of these removes table columns of the type, and their data.
_CASCADE_DROPS_COLUMNS = frozenset({"TYPE", "DOMAIN", "EXTENSION"})


def removal_planned(file: FileInfo) -> bool:
    """True in a migration marked `-- migralint: phase=contract`: the release that used
    what it removes is gone, so removing it is the planned last step."""
    return file.phase == "contract"


def old_name_kept_as_view(op: ops.RenameTable, ctx: Context) -> bool:
    """True when the same migration creates a view under the table's old name, so the
    release still running keeps reading and writing it through that view."""
    return any(after(ctx, ops.CreateObject, created_object, ("VIEW", op.table.key)))


def family(kind: str) -> frozenset[str]:
    return next((f for f in _FAMILIES if kind in f), frozenset({kind}))


Where = Callable[..., Iterator[Any]]  # file_index.before or file_index.after


def _same_object_in(
    ctx: Context, where: Where, kind: str, name: ops.Name, table: ops.Name | None
) -> bool:
    """True if a CREATE of the same object (a kind of the same family; per table for
    triggers and policies) stands `where` (before or after the current Op)."""
    kinds = family(kind)
    if table is None:
        found = where(ctx, ops.CreateObject, _object_name, name.key)
    else:
        found = itertools.chain(
            where(ctx, ops.CreateObject, _name_on_table, (name.name, table.key)),
            where(ctx, ops.CreateObject, _tableless_name, name.key),
        )
    return any(c.kind in kinds for c in found)


def _object_name(op: ops.CreateObject) -> str:
    return op.name.key


def _name_on_table(op: ops.CreateObject) -> tuple[str, str] | None:
    return (op.name.name, op.table.key) if op.table is not None else None


def _tableless_name(op: ops.CreateObject) -> str | None:
    return op.name.key if op.table is None else None


def _renamed_to_in(ctx: Context, where: Where, kind: str, name: ops.Name) -> bool:
    """True if a rename `where` (before or after) gives an object of the family this name."""
    kinds = family(kind)
    return any(r.kind in kinds for r in where(ctx, ops.RenameObject, _new_key, name.key))


def _new_key(op: ops.RenameObject) -> str:
    return ops.Name(op.new_name, op.name.schema).key


def created_here(ctx: Context, kind: str, name: ops.Name, table: ops.Name | None = None) -> bool:
    """True if this migration created the object earlier: nothing else uses it yet."""
    if kind in family("TABLE") and ctx.is_new_table(name):
        return True
    if _renamed_to_in(ctx, before, kind, name):
        return True  # a name this migration gave (the `_old` of an enum swap)
    return _same_object_in(ctx, before, kind, name, table)


def recreated_later(ctx: Context, kind: str, name: ops.Name, table: ops.Name | None = None) -> bool:
    """True if the migration creates an object of the same name after this statement:
    a drop and re-create is a redefinition (CREATE OR REPLACE cannot change a view's
    columns or a function's signature), not a removal."""
    if kind in family("TABLE") and any(after(ctx, ops.CreateTable, table_key, name.key)):
        return True
    if _renamed_to_in(ctx, after, kind, name):
        return True  # another object takes over the name (`ALTER TYPE x_new RENAME TO x`)
    return _same_object_in(ctx, after, kind, name, table)


def refilled_under_its_name(ctx: Context, table: ops.Name) -> bool:
    """True if the migration creates the table again after this statement and fills it:
    from a query (`CREATE TABLE … AS`, `SELECT … INTO`) or by INSERTs. Its rows are
    rebuilt, as a derived table's are, and N-1 finds it under its name: a redefinition,
    like a view's drop and re-create, not data thrown away."""
    recreated = list(after(ctx, ops.CreateTable, table_key, table.key))
    return any(c.as_query for c in recreated) or (bool(recreated) and refilled_later(ctx, table))


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


def cascade_note(op: ops.DropObject, ctx: Context) -> str:
    """What CASCADE adds to a drop, for the message ('' without CASCADE): a fact when
    the catalog knows a table column of the type, hedged otherwise."""
    if not op.cascade:
        return ""
    if drops_columns(op):
        if typed_columns(ctx, op.name):
            return "; CASCADE also drops every table column of this type, with its data"
        return "; if a table column has this type, CASCADE drops it with its data"
    return "; CASCADE also drops every object that depends on it"


def typed_columns(ctx: Context, type_name: ops.Name) -> list[str]:
    """`table.column` of every column the catalog knows to have this type."""
    want = type_name.name.lower()
    return [
        f"{key}.{name}"
        for key, table in ctx.catalog.tables.items()
        for name, column in table.columns.items()
        if column.type is not None and column.type.name.lower() == want
    ]


def refilled_later(ctx: Context, table: ops.Name) -> bool:
    """True if the migration inserts into the table after emptying it: reference data
    being re-seeded, not a table being emptied."""
    return any(after(ctx, ops.Insert, table_key, table.key))


# Constraints


def constraint_added_here(ctx: Context, op: ops.DropConstraint | ops.RenameConstraint) -> bool:
    """True if this migration added the constraint before dropping (or renaming) it: a
    temporary helper, such as the CHECK that lets SET NOT NULL skip its scan."""
    return any(before(ctx, ops.AddConstraint, _named_constraint, (op.table.key, op.name)))


def _named_constraint(op: ops.AddConstraint) -> tuple[str, str | None]:
    return op.table.key, op.constraint.name


def _constraint_shape(op: ops.AddConstraint) -> tuple[str, str, tuple[str, ...]]:
    return op.table.key, op.constraint.kind, op.constraint.columns


def _constraint_kind_on(op: ops.AddConstraint) -> tuple[str, str]:
    return op.table.key, op.constraint.kind


def _unique_index_table(op: ops.CreateIndex) -> str | None:
    return op.table.key if op.unique else None


_KEYS = ("unique", "primary_key")


def constraint_redefined(ctx: Context, op: ops.DropConstraint) -> bool:
    """True if the migration adds the constraint back: under the same name (given, or
    the one PostgreSQL gives an unnamed constraint), or (when the catalog knows what was
    dropped) the same kind on the same columns, or (a name found at run time, of the
    kind its statement says) one of that kind on the table; a unique key may also be
    replaced by a unique key or index on the same columns or fewer, built before or
    after."""
    known = _constraint_state(ctx, op)
    table = op.table.key
    if any(after(ctx, ops.AddConstraint, _named_constraint, (table, op.name))):
        return True
    if _readded_unnamed(ctx, op):
        return True
    if known is None:  # with a name found at run time, its kind is all that is known
        shape = (table, op.kind)
        readded = bool(op.kind) and any(after(ctx, ops.AddConstraint, _constraint_kind_on, shape))
        return readded or _key_kept(ctx, op.table, frozenset()) or _named_key_kept(ctx, op)
    if known.columns:
        shape = (table, known.kind, known.columns)
        if any(after(ctx, ops.AddConstraint, _constraint_shape, shape)):
            return True
    return known.kind in _KEYS and _key_kept(ctx, op.table, frozenset(known.columns))


def _key_kept(ctx: Context, table: ops.Name, columns: frozenset[str]) -> bool:
    """True if the file adds a unique or primary key, or a unique index without WHERE,
    on `columns` or a subset of them (in any order): every row the dropped key kept
    unique stays unique. Without the key's columns, any unique index stands in."""
    if not columns:
        return any(anywhere(ctx, ops.CreateIndex, _unique_index_table, table.key))
    return any(k and set(k) <= columns for k in _added_keys(ctx, table))


def _named_key_kept(ctx: Context, op: ops.DropConstraint) -> bool:
    """True if the dropped constraint, which the catalog does not know, has the name
    PostgreSQL gives a unique constraint on columns that the file adds a unique or
    primary key (or a unique index without WHERE) on: `DROP CONSTRAINT t_a_key, ADD
    PRIMARY KEY (a)` keeps every row unique, whoever created `t_a_key`."""
    for key in _added_keys(ctx, op.table):
        orders = itertools.permutations(key) if len(key) <= _PERMUTED else (key,)
        if any(object_name(op.table.name, "_".join(o), "key") == op.name for o in orders):
            return True
    return False


def _added_keys(ctx: Context, table: ops.Name) -> Iterator[tuple[str, ...]]:
    """The columns of each unique or primary key, and unique index without WHERE, the
    file adds to `table`."""
    yield from (
        tuple(a.constraint.columns) for a in anywhere(ctx, ops.AddConstraint, _key_table, table.key)
    )
    yield from (
        tuple(i.columns)
        for i in anywhere(ctx, ops.CreateIndex, _unique_index_table, table.key)
        if i.where is None
    )


def _key_table(op: ops.AddConstraint) -> str | None:
    return op.table.key if op.constraint.kind in _KEYS else None


def _readded_unnamed(ctx: Context, op: ops.DropConstraint) -> bool:
    """True if an unnamed constraint added later, or anywhere in the same ALTER (which
    runs its drops before its adds), gets the dropped name from PostgreSQL."""
    state = ctx.catalog.table(op.table)
    taken = set(state.constraints) - {op.name} if state else set()
    same_alter = (ctx.file_ops[i] for i in statement_run(ctx) if i < ctx.position)
    adds = itertools.chain(
        (a for a in same_alter if isinstance(a, ops.AddConstraint)),
        after(ctx, ops.AddConstraint, _named_constraint, (op.table.key, None)),
    )
    return any(
        a.constraint.name is None
        and a.table.key == op.table.key
        and generated_name(op.table, a.constraint, state, taken) == op.name
        for a in adds
    )


def foreign_key_replaced(ctx: Context, table: ops.Name, fk: ops.Constraint) -> bool:
    """True if this migration dropped, earlier, a constraint of the table under the
    foreign key's name, or under the name PostgreSQL gives an unnamed one on its columns
    (`<table>_<columns>_fkey`, shortened to 63 bytes): a re-definition (to add ON DELETE
    CASCADE, say), not a new key."""
    names = {name for name in (fk.name, generated_name(table, fk, None, ())) if name}
    return any(
        any(before(ctx, ops.DropConstraint, _dropped_constraint, (table.key, name)))
        for name in names
    )


def _dropped_constraint(op: ops.DropConstraint) -> tuple[str, str]:
    return op.table.key, op.name


def constraint_removed_later(ctx: Context, op: ops.DropConstraint) -> bool:
    """True if the migration drops the table, or a column of the constraint, later: the
    constraint would go with it, and drop-table / drop-column report that."""
    known = _constraint_state(ctx, op)
    if any(after(ctx, ops.DropTable, table_key, op.table.key)):
        return True
    columns = known.columns if known else ()
    return any(
        any(after(ctx, ops.DropColumn, _table_column, (op.table.key, c))) for c in set(columns)
    )


def _table_column(op: ops.DropColumn | ops.SetDefault | ops.AlterIdentity) -> tuple[str, str]:
    return op.table.key, op.column


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


def known_column(ctx: Context, table: ops.Name, column: str) -> ColumnState | None:
    """The column's state when a CREATE TABLE or ADD COLUMN defined it (its type is
    known), else None: a column only touched by ALTERs has unknown defaults."""
    state = ctx.catalog.column(table, column)
    return state if state is not None and state.type is not None else None


# Dropping other objects


def dropped_object(
    op: ops.DropObject,
    ctx: Context,
    harm: str,
    judge: Callable[[ops.DropObject, Context], str | None] | None = None,
) -> Iterator[Violation]:
    """The finding for a drop of views, functions, types … unless the removal is planned
    or the object is this migration's own; `harm` says what breaks; `judge` (default
    `dropped_name`) names each dropped object worth it. One statement dropping several
    gets one finding naming them all."""
    if removal_planned(ctx.file):
        return
    names = per_statement(op, ctx, judge or dropped_name)
    if not names:
        return
    kind = op.kind.lower()
    what = listing(kind, names, "policies" if kind == "policy" else None)
    if drops_columns(op) and recreated_later(ctx, op.kind, op.name, op.table):
        harm = "(re-created below, so release N-1 still finds it by name)"
    claim = f"{what} {harm}" if len(names) == 1 else f"{what}: each {harm}"
    yield ctx.finding(
        op, f"dropping {claim}{cascade_note(op, ctx)}", remove_later(what), covers=names.ops
    )


def dropped_name(op: ops.DropObject, ctx: Context) -> str | None:
    """The dropped object's name (and table), unless it is this migration's own or its
    table goes later in the migration (drop-table reports that)."""
    if owned_by_this_migration(op, ctx):
        return None
    if op.table is not None and any(after(ctx, ops.DropTable, table_key, op.table.key)):
        return None
    if replaced_later(op, ctx):
        return None
    return f"{op.name}" + (f" on {op.table}" if op.table else "")


def replaced_later(op: ops.DropObject, ctx: Context) -> bool:
    """True if the migration later creates an object of the same kind on the same table
    (a trigger or policy under a new name): the drop is half of its replacement."""
    if op.table is None:
        return False
    key = (op.kind, op.table.key)
    return any(after(ctx, ops.CreateObject, _attached_to, key))


def _attached_to(op: ops.CreateObject) -> tuple[str, str | None]:
    return op.kind, op.table.key if op.table is not None else None


def owner_dropped_later(op: ops.DropObject, ctx: Context) -> ops.Name | None:
    """The table a later statement of the migration drops whose column the sequence
    `op` drops numbers (a default calling nextval() on it, or a serial's own
    `<table>_<column>_seq`), as the catalog knows it; else None."""
    for drop in after(ctx, ops.DropTable):
        state = ctx.catalog.table(drop.table)
        if state is None:
            continue
        for name, column in state.columns.items():
            own = _serial(column) and f"{drop.table.name}_{name}_seq" == op.name.name
            if own or (column.default is not None and _calls_nextval(column.default.sql, op.name)):
                return drop.table
    return None


# nextval('s'), as written or as sqlglot renders a cast: NEXTVAL(CAST('s' AS REGCLASS))
_NEXTVAL = re.compile(r"nextval\s*\(\s*(?:cast\s*\(\s*)?'([^']+)'", re.IGNORECASE)


def _calls_nextval(sql: str, sequence: ops.Name) -> bool:
    found = _NEXTVAL.search(sql)
    return found is not None and found.group(1).strip('"').rsplit(".", 1)[-1] == sequence.name


def has_default(column: ColumnState) -> bool:
    """True if the column has a default, a serial's implicit nextval() included."""
    return column.default is not None or _serial(column)


def _serial(column: ColumnState) -> bool:
    return column.type is not None and column.type.name in ("serial", "bigserial", "smallserial")


def column_reworked_later(ctx: Context, table: ops.Name, column: str) -> bool:
    """True if the migration gives the column a new default or identity, or drops it,
    after this statement: the change is part of a larger rework reported on its own."""
    return any(after(ctx, _REWORKS, _table_column, (table.key, column)))


_REWORKS = (ops.SetDefault, ops.AlterIdentity, ops.DropColumn)


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
