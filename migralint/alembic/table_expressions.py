"""SQLAlchemy Core statements passed to `op.execute`, a connection's `execute` or
`op.bulk_insert`, read statically: `tables.user.update().where(…).values(x=…)`,
`sa.update(t)`, `t.delete()`, `sa.delete(t)`, `t.insert()`, where `t` is
`sa.table("name", …)`, `sa.Table("name", …)` or an attribute named after the table
(`tables.user`). An UPDATE's SET list and WHERE are read into the Op the SQL front end
makes of the same SQL (`t.c.id == row.id` is `id = :value`), so rules judge them alike."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from migralint.alembic.schema_items import callee
from migralint.alembic.values import Scope
from migralint.sql import ops

_TABLE_FACTORIES = frozenset({"table", "Table"})
_MAX_DEPTH = 20


def table_of(node: ast.expr, scope: Scope, depth: int = 0) -> ops.Name | None:
    """The table an expression names, None when it cannot be known."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(node, ast.Name):
        bound = scope.lookup(node.id)
        return table_of(bound, scope, depth + 1) if bound is not None else None
    if isinstance(node, ast.Attribute) and node.attr not in ("c", "columns"):
        return ops.Name(node.attr)
    if isinstance(node, ast.Call) and callee(node) in _TABLE_FACTORIES and node.args:
        name = scope.text(node.args[0])
        schema = scope.text(next((k.value for k in node.keywords if k.arg == "schema"), None))
        return ops.Name(name, schema) if name else None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return ops.Name(node.value)
    return None


def statement_op(node: ast.expr, scope: Scope, loc: ops.Location) -> ops.Op | None:
    """The Update / Delete / Insert a Core statement performs, None if it is not one."""
    methods: list[ast.Call] = []
    current: ast.expr = node
    while isinstance(current, ast.Call):
        methods.append(current)
        if not isinstance(current.func, ast.Attribute):
            break
        current = current.func.value
    names = [callee(m) for m in methods]
    for verb in ("update", "delete", "insert"):
        if verb not in names:
            continue
        table = _target(methods[names.index(verb)], scope)
        if table is None:
            return None
        wheres = [m.args[0] for m in methods if callee(m) == "where" and m.args]
        where = " AND ".join(_condition(w, scope) for w in reversed(wheres)) or None
        if verb == "update":
            changes = _assignments([m for m in reversed(methods) if callee(m) == "values"])
            return ops.Update(
                loc=loc,
                table=table,
                columns=tuple(a.column for a in changes),
                where=where,
                assignments=changes,
                where_columns=frozenset(c for w in wheres for c in _columns_read(w)),
            )
        if verb == "delete":
            return ops.Delete(loc=loc, table=table, where=where)
        return ops.Insert(loc=loc, table=table, from_query="from_select" in names)
    return None


def _target(verb: ast.Call, scope: Scope) -> ops.Name | None:
    """The table of `t.update()` or of `sa.update(t)`, `update(t)`."""
    given = table_of(verb.args[0], scope) if verb.args else None
    if given is not None or not isinstance(verb.func, ast.Attribute):
        return given
    return table_of(verb.func.value, scope)


def _assignments(values: list[ast.Call]) -> tuple[ops.Assignment, ...]:
    """The `SET column = value` pairs of `.values(x=…)` and `.values({"x": …})`."""
    pairs: list[tuple[str, ast.expr]] = []
    for call in values:
        for arg in call.args:
            if isinstance(arg, ast.Dict):
                pairs += [
                    (n, v) for k, v in zip(arg.keys, arg.values, strict=True) if (n := _key(k))
                ]
        pairs += [(k.arg, k.value) for k in call.keywords if k.arg]
    found = []
    for column, value in pairs:
        read = tuple(_columns_read(value))
        again = column in read and _column(value) != column  # `n = n + 1`, not `n = n`
        found.append(
            ops.Assignment(
                column=column,
                value=ast.unparse(value),
                reads_self=again,
                reads_self_json=again,
                reads_row=bool(read),
                columns_read=read,
            )
        )
    return tuple(found)


def _key(node: ast.expr | None) -> str | None:
    """A `.values({…})` key: `"x"` or `t.c.x`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return _column(node) if node is not None else None


def _column(node: ast.expr) -> str | None:
    """The column `t.c.x`, `t.columns.x` or `t.c["x"]` names."""
    if isinstance(node, ast.Attribute) and _is_collection(node.value):
        return node.attr
    if isinstance(node, ast.Subscript) and _is_collection(node.value):
        key = node.slice
        return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None
    return None


def _is_collection(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr in ("c", "columns")


def _columns_read(node: ast.expr) -> Iterator[str]:
    for inner in ast.walk(node):
        name = _column(inner) if isinstance(inner, ast.expr) else None
        if name is not None:
            yield name


_COMPARISONS = {
    ast.Eq: "=",
    ast.NotEq: "<>",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
}
_NULL_TESTS = {"is_": "IS NULL", "isnot": "IS NOT NULL", "is_not": "IS NOT NULL"}


def _condition(node: ast.expr, scope: Scope) -> str:
    """A `.where(…)` condition as SQL: columns by name, a Python value as a bind parameter
    (`t.c.id == row.id` → `id = :value`); `<expression>` for what is not read."""
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _COMPARISONS:
        sign = _COMPARISONS[type(node.ops[0])]
        right = node.comparators[0]
        if sign in ("=", "<>") and isinstance(right, ast.Constant) and right.value is None:
            return f"{_operand(node.left, scope)} IS {'NOT ' if sign == '<>' else ''}NULL"
        return f"{_operand(node.left, scope)} {sign} {_operand(right, scope)}"
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.BitAnd, ast.BitOr)):
        joiner = " AND " if isinstance(node.op, ast.BitAnd) else " OR "
        return f"({_condition(node.left, scope)}{joiner}{_condition(node.right, scope)})"
    if isinstance(node, ast.Call) and callee(node) in ("and_", "or_") and node.args:
        joiner = " AND " if callee(node) == "and_" else " OR "
        return "(" + joiner.join(_condition(a, scope) for a in node.args) + ")"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        column = _column(node.func.value)
        if column is not None and node.func.attr in _NULL_TESTS:
            return f"{column} {_NULL_TESTS[node.func.attr]}"
        if column is not None and node.func.attr == "in_":
            return f"{column} IN (:values)"
    return "<expression>"


def _operand(node: ast.expr, scope: Scope) -> str:
    column = _column(node)
    if column is not None:
        return column
    value = scope.value(node)
    if value is None or isinstance(value, bool):
        return str(value).upper() if value is not None else "NULL"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return ":value"
