"""Questions the type, compatibility and MySQL rules share: which columns a statement
declares (and where), whether a column is a key, whether a type change narrows what
the column accepts, what an enum loses, and which new names a statement introduces."""

from __future__ import annotations

import bisect
import heapq
import re
from collections.abc import Iterator
from dataclasses import dataclass

from migralint import pgfacts
from migralint.checks.file_index import (
    Each,
    after,
    before,
    column_added_earlier,
    created_object,
    file_index,
    table_key,
)
from migralint.context import Context
from migralint.pgfacts import NAMEDATALEN, lossy, rewrites
from migralint.postgres import IDENTITY_COLUMNS
from migralint.rule import Violation
from migralint.sql import ops

# Declared columns


@dataclass(frozen=True, slots=True)
class Declared:
    """A column whose type a statement chooses now: in CREATE TABLE, ADD COLUMN or
    ALTER COLUMN … TYPE (`column` is None for the last, which names only the type)."""

    op: ops.TableOp
    table: ops.Name
    name: str
    type: ops.DataType
    column: ops.Column | None = None


def declared_columns(
    op: ops.CreateTable | ops.AddColumn | ops.AlterColumnType,
) -> Iterator[Declared]:
    if isinstance(op, ops.CreateTable):
        for col in op.columns:
            if col.type is not None:
                yield Declared(op, op.table, col.name, col.type, col)
    elif isinstance(op, ops.AddColumn):
        if op.column.type is not None:
            yield Declared(op, op.table, op.column.name, op.column.type, op.column)
    else:
        yield Declared(op, op.table, op.column, op.type)


def type_finding(ctx: Context, d: Declared, message: str, help: str) -> Violation:
    """A finding placed on the column's own line in a CREATE TABLE."""
    position = d.column.position if d.column is not None else None
    line, column = position if position is not None else (None, None)
    return ctx.finding(d.op, message, help, line=line, column=column)


def quoted(name: str) -> str:
    """An identifier as it must be written in SQL help text."""
    return name if re.fullmatch(r"[a-z_][a-z0-9_$]*", name) else '"' + name.replace('"', '""') + '"'


# Keys: the integer columns that overflow


_KEY_NAME = re.compile(r"^(?:id|.*_id|.*[a-z0-9]Id)$")


def key_role(d: Declared, ctx: Context) -> str | None:
    """Why the column is a key whose values only grow, or None for a plain column.

    A column of a composite primary key counts only through its own name or foreign
    key (a position in a join table is not a growing key). A foreign key to a column
    known to be an integer of the same width is the target's decision, reported (if at
    all) where that target was declared."""
    col = d.column
    if col is not None and (col.identity or col.serial):
        return "identity column"
    constraints = list(col.constraints) if col is not None else []
    if isinstance(d.op, ops.CreateTable):
        constraints += [c for c in d.op.constraints if d.name in c.columns]
    constraints += [
        later.constraint
        for later in after(ctx, ops.AddConstraint, _constrained_columns, (d.table.key, d.name))
    ]
    if isinstance(d.op, ops.AlterColumnType) and (table := ctx.catalog.table(d.table)):
        constraints += [
            ops.Constraint(c.kind, columns=c.columns)
            for c in table.constraints.values()
            if d.name in c.columns
        ]
    if any(c.kind == "primary_key" and len(c.columns) <= 1 for c in constraints):
        return "primary key"
    foreign = [c for c in constraints if c.kind == "foreign_key"]
    if foreign:
        return None if all(_same_width_target(c, d, ctx) for c in foreign) else "foreign key"
    return "key column" if _KEY_NAME.match(d.name) else None


def _constrained_columns(op: ops.AddConstraint) -> Each:
    """(table key, column) for each column the constraint covers."""
    return Each({(op.table.key, c) for c in op.constraint.columns})


def _same_width_target(fk: ops.Constraint, d: Declared, ctx: Context) -> bool:
    ref = fk.references
    if ref is None:
        return False
    index = fk.columns.index(d.name) if d.name in fk.columns else 0
    target = ref.columns[index] if index < len(ref.columns) else "id"
    state = ctx.catalog.column(ref.table, target)
    width = {"serial": "integer", "smallserial": "smallint"}
    if state is None or state.type is None:
        return False
    return width.get(state.type.name, state.type.name) == width.get(d.type.name, d.type.name)


# Narrowing type changes

_INT_RANGES = {
    "tinyint": (-(2**7), 2**7 - 1),
    "tinyint unsigned": (0, 2**8 - 1),
    "smallint": (-(2**15), 2**15 - 1),
    "smallserial": (1, 2**15 - 1),
    "smallint unsigned": (0, 2**16 - 1),
    "mediumint": (-(2**23), 2**23 - 1),
    "mediumint unsigned": (0, 2**24 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "serial": (1, 2**31 - 1),
    "integer unsigned": (0, 2**32 - 1),
    "bigint": (-(2**63), 2**63 - 1),
    "bigserial": (1, 2**63 - 1),
    "bigint unsigned": (0, 2**64 - 1),
}
_STRINGS = ("text", "varchar", "char", "tinytext", "mediumtext", "longtext")
# MySQL's TEXT types hold at most this many bytes; PostgreSQL's text has no limit.
_MYSQL_TEXT = {
    "tinytext": 2**8 - 1,
    "text": 2**16 - 1,
    "mediumtext": 2**24 - 1,
    "longtext": 2**32 - 1,
}
_FLOATS = ("real", "double precision", "float")


def _max_length(t: ops.DataType, dialect: str) -> float:
    if dialect == "mysql" and t.name in _MYSQL_TEXT:
        return _MYSQL_TEXT[t.name]
    if t.name == "char":
        return t.params[0] if t.params else 1
    return t.params[0] if t.name == "varchar" and t.params else float("inf")


def _digits(t: ops.DataType) -> tuple[float, float]:
    """(digits before the point, digits after) a numeric-like type can hold."""
    if t.name in _INT_RANGES:
        return float(len(str(max(abs(v) for v in _INT_RANGES[t.name])))), 0.0
    if t.name == "numeric" and t.params:
        scale = t.params[1] if len(t.params) > 1 else 0
        return float(t.params[0] - scale), float(scale)
    return float("inf"), float("inf")


def narrowing(old: ops.DataType | None, new: ops.DataType, dialect: str = "postgres") -> str | None:
    """What `new` does to values `old` accepted ("rejects values longer than 10
    characters", "rounds …"), or None when it keeps them all or that cannot be told."""
    if old is None or old.array != new.array:
        return None
    if old.name in _STRINGS and new.name in _STRINGS:
        before, after = _max_length(old, dialect), _max_length(new, dialect)
        return f"rejects values longer than {after:.0f} characters" if after < before else None
    if old.name in _INT_RANGES and new.name in _INT_RANGES:
        lo, hi = _INT_RANGES[old.name]
        new_lo, new_hi = _INT_RANGES[new.name]
        if new_lo > lo or new_hi < hi:
            return f"rejects values outside {new_lo}..{new_hi}"
        return None
    numeric = ("numeric", *_INT_RANGES)
    if old.name in numeric and new.name in numeric:
        (whole, fraction), (new_whole, new_fraction) = _digits(old), _digits(new)
        if new_whole < whole:
            return f"rejects values with more than {new_whole:.0f} digits before the point"
        if new_fraction < fraction:
            return f"rounds away digits beyond {new_fraction:.0f} decimal places"
        return None
    if old.name in (*_FLOATS, "numeric") and new.name in _INT_RANGES:
        return f"rounds fractions to whole numbers and rejects values beyond {new.name}'s range"
    if old.name == "double precision" and new.name == "real":
        return "rounds values to real's 6 significant digits"
    return lossy(old, new) if dialect == "postgres" else None


def widens(old: ops.DataType | None, new: ops.DataType, dialect: str = "postgres") -> bool:
    """True if `new` is a wider type of the same kind as `old` (a longer varchar, text,
    a bigger integer or numeric): every value release N-1 writes or reads still fits."""
    if old is None or old.array != new.array:
        return False
    numeric = ("numeric", *_INT_RANGES)
    same_kind = (old.name in _STRINGS and new.name in _STRINGS) or (
        old.name in numeric and new.name in numeric
    )
    return same_kind and narrowing(old, new, dialect) is None


def narrows(op: ops.AlterColumnType, ctx: Context) -> str | None:
    """What the type change stops accepting, when the old type is known; shared by
    narrowing-column-type (which reports it) and changing-column-type (which then
    stays quiet, so one statement gets one finding)."""
    if added_in_this_file(ctx, op.table, op.column):
        return None  # no running release writes a column this migration added
    old = ctx.catalog.type_before(op)
    if op.using is not None and old is not None and old.name == "bytea":
        return None  # the USING says how the bytes become text
    return narrowing(old, op.type, ctx.file.dialect)


def type_change_rewrites(op: ops.AlterColumnType, ctx: Context) -> bool | None:
    """Whether the type change rewrites the table: from the old type the catalog knows,
    the session's TimeZone, the casts of a USING (any other USING rewrites) and the
    enums earlier migrations created; None when that cannot be judged."""
    via = () if op.using is None else op.using_casts
    if via is None:
        return True  # USING computes new values
    timezone = ctx.session.settings.get("timezone")
    old = ctx.catalog.type_before(op)
    return rewrites(old, op.type, ctx.pg_version, timezone, via, ctx.catalog.enums)


def rebuilds_indexes(op: ops.AlterColumnType, ctx: Context) -> bool:
    """True when the type change, free for the table itself, rebuilds an index an
    earlier migration put on the column (a CREATE INDEX, a primary key, a UNIQUE)."""
    old = ctx.catalog.type_before(op)
    if old is None or not pgfacts.rebuilds_indexes(old, op.type):
        return False
    table = ctx.catalog.table(op.table)
    constraints = table.constraints.values() if table else ()
    return any(
        op.column in c.columns
        for c in constraints
        if c.kind in ("primary_key", "unique", "exclude")
    ) or any(
        index.table.key == op.table.key and op.column in index.columns
        for index in ctx.catalog.index_definitions.values()
    )


# Enums

_LABEL = re.compile(r"'((?:[^']|'')*)'")


def mysql_enum_values(t: ops.DataType | None) -> list[str] | None:
    """The labels of a MySQL ENUM(…) / SET(…) column type, read from the type's SQL text
    (sqlglot keeps them there, not in `params`); None for any other type."""
    if t is None or t.name not in ("enum", "set"):
        return None
    return [v.replace("''", "'") for v in _LABEL.findall(t.sql)]


def enum_replacement(
    op: ops.CreateObject | ops.DropObject | ops.AlterColumnType, ctx: Context
) -> tuple[str, list[str], list[str]] | None:
    """(type name, old labels, new labels) when this statement replaces an enum type
    by another one, and both label lists are known (old ones from earlier migrations):

    - `ALTER TABLE … ALTER COLUMN c TYPE s_new`: the column moves from its enum to
      another (Prisma: `CREATE TYPE s_new …; ALTER … TYPE s_new; ALTER TYPE s RENAME
      TO s_old; ALTER TYPE s_new RENAME TO s; DROP TYPE s_old`);
    - `ALTER TYPE s RENAME TO s_old; CREATE TYPE s AS ENUM (…)`: at the CREATE;
    - `DROP TYPE s; … ALTER TYPE s_new RENAME TO s` or `DROP TYPE s; CREATE TYPE s …`:
      at the DROP, the new labels are those of the type that takes its name.
    """
    enums = ctx.catalog.enums
    if isinstance(op, ops.AlterColumnType):
        known = ctx.catalog.column(op.table, op.column)
        new = enums.get(op.type.name)
        if known is None or known.type is None or new is None:
            return None
        old_name = _renamed_in_this_file(ctx, known.type.name)
        if old_name == op.type.name or old_name not in enums:
            return None
        return known.type.name, enums[old_name], new
    if isinstance(op, ops.CreateObject):
        if op.kind != "TYPE" or not op.enum_values:
            return None
        old_name = _renamed_in_this_file(ctx, op.name.key)
        if old_name == op.name.key or old_name not in enums:
            return None
        return str(op.name), enums[old_name], list(op.enum_values)
    if op.kind != "TYPE" or op.name.key not in enums:
        return None
    index = file_index(ctx)
    takers = heapq.merge(  # the later statements that give a type this name, in order
        _later(ctx, index.positions(ops.CreateObject, created_object, ("TYPE", op.name.key))),
        _later(ctx, index.positions(ops.RenameObject, _renamed_type_to, op.name.key)),
    )
    for position in takers:
        later = ctx.file_ops[position]
        if isinstance(later, ops.CreateObject) and later.enum_values:
            return str(op.name), enums[op.name.key], list(later.enum_values)
        if isinstance(later, ops.RenameObject) and later.name.key in enums:
            return str(op.name), enums[op.name.key], enums[later.name.key]
    return None


def _later(ctx: Context, positions: list[int]) -> Iterator[int]:
    """The positions after the current Op's, of a sorted list."""
    for k in range(bisect.bisect_right(positions, ctx.position), len(positions)):
        yield positions[k]


def _renamed_type_to(op: ops.RenameObject) -> str | None:
    return ops.Name(op.new_name, op.name.schema).key if op.kind == "TYPE" else None


def _renamed_type(op: ops.RenameObject) -> str | None:
    return op.name.key if op.kind == "TYPE" else None


def _renamed_in_this_file(ctx: Context, key: str) -> str:
    """The name a type now has, following its renames earlier in this file."""
    index = file_index(ctx)
    position = -1
    while True:  # the next rename of the type under its current name, before this statement
        renames = index.positions(ops.RenameObject, _renamed_type, key)
        k = bisect.bisect_right(renames, position)
        if k == len(renames) or renames[k] >= ctx.position:
            return key
        position = renames[k]
        rename = ctx.file_ops[position]
        key = ops.Name(rename.new_name, rename.name.schema).key  # type: ignore[attr-defined]


# New names


def new_names(op: ops.Op) -> Iterator[tuple[str, str]]:
    """(kind, name) of every object a statement creates or renames something to."""
    if isinstance(op, ops.CreateTable):
        yield "table", op.table.name
        for col in op.columns:
            yield "column", col.name
            yield from _constraint_names(col.constraints)
        yield from _constraint_names(op.constraints)
    elif isinstance(op, ops.AddColumn):
        yield "column", op.column.name
        yield from _constraint_names(op.column.constraints)
    elif isinstance(op, ops.AddConstraint):
        yield from _constraint_names((op.constraint,))
    elif isinstance(op, ops.CreateIndex) and op.name:
        yield "index", op.name
    elif isinstance(op, ops.CreateObject):
        yield op.kind.lower(), op.name.name
    elif isinstance(op, ops.RenameTable):
        yield "table", op.new_name
    elif isinstance(op, ops.RenameColumn):
        yield "column", op.new_name
    elif isinstance(op, ops.RenameConstraint):
        yield "constraint", op.new_name
    elif isinstance(op, ops.RenameObject):
        yield op.kind.lower(), op.new_name


def _constraint_names(constraints: tuple[ops.Constraint, ...]) -> Iterator[tuple[str, str]]:
    for c in constraints:
        if c.name:
            yield "constraint", c.name


def truncated(name: str) -> str:
    """The name PostgreSQL keeps: the first 63 bytes, cut at a character boundary."""
    return name.encode("utf-8")[:NAMEDATALEN].decode("utf-8", errors="ignore")


# Columns this file added


def added_in_this_file(ctx: Context, table: ops.Name, column: str) -> bool:
    """True when an earlier statement of this file added the column (or created its
    table), so the release still running never writes it."""
    return column_added_earlier(ctx, table, column) or any(
        before(ctx, ops.CreateTable, table_key, table.key)
    )


def narrow_keys(
    op: ops.CreateTable | ops.AddColumn | ops.AlterColumnType,
    ctx: Context,
    wider: dict[str, str],
    overflow: str,
) -> Iterator[Violation]:
    """Findings for key columns declared with a type in `wider` (narrow → wide spelling).

    `overflow` completes "inserts fail once it passes …". A serial type is advised to
    become an identity column from PostgreSQL 10 on.
    """
    for d in declared_columns(op):
        if d.type.name not in wider:
            continue
        role = key_role(d, ctx)
        if role is None:
            continue
        big = wider[d.type.name]
        if d.type.name.endswith("serial") and ctx.pg_version >= IDENTITY_COLUMNS:
            big = "bigint GENERATED ALWAYS AS IDENTITY"
        yield type_finding(
            ctx,
            d,
            f"{role} {d.table}.{d.name} is a {d.type.name}: inserts fail once it passes {overflow}",
            f"Declare {d.name} as {big}; widening a key later rewrites every table that holds it.",
        )
