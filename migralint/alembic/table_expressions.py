"""SQLAlchemy Core statements passed to `op.execute` or `op.bulk_insert`, read
statically: `tables.user.update().where(…).values(x=…)`, `t.delete()`, `t.insert()`,
where `t` is `sa.table("name", …)`, `sa.Table("name", …)` or an attribute named after
the table (`tables.user`)."""

from __future__ import annotations

import ast

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
    while isinstance(current, ast.Call) and isinstance(current.func, ast.Attribute):
        methods.append(current)
        current = current.func.value
    names = [callee(m) for m in methods]
    for verb in ("update", "delete", "insert"):
        if verb not in names:
            continue
        root = methods[names.index(verb)].func
        assert isinstance(root, ast.Attribute)
        table = table_of(root.value, scope)
        if table is None:
            return None
        where = "<expression>" if "where" in names else None
        if verb == "update":
            values = [m for m in methods if callee(m) == "values"]
            columns = tuple(k.arg for m in values for k in m.keywords if k.arg)
            return ops.Update(loc=loc, table=table, columns=columns, where=where)
        if verb == "delete":
            return ops.Delete(loc=loc, table=table, where=where)
        return ops.Insert(loc=loc, table=table, from_query="from_select" in names)
    return None
