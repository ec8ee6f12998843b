"""Whether an `if` asks the database what exists: SQLAlchemy's inspector
(`sa.inspect(bind)`, `Inspector.from_engine(op.get_bind())`) with `has_table`,
`get_columns`, `get_indexes` …, or a dialect's `has_table`, directly, through a name
bound to such a call (`columns = inspector.get_columns("t")`), or through a function
of the same file that makes one. The Ops under such a test run only when their object
is (or is not) there, so a second run is safe: the walker marks them `guarded`, as a
DO block's `IF [NOT] EXISTS` does in SQL. Any other condition is not a guard.

`absent_when` names the table, column or index such a test requires to be missing
(`not inspector.has_table("t")`, `"ix" not in [i["name"] for i in
inspector.get_indexes("t")]`, `"c" not in columns`): where earlier revisions left it in
place, the guarded Ops do not run (`ops.Op.runs_if_absent`)."""

from __future__ import annotations

import ast
from collections.abc import Mapping

from migralint.alembic.values import Scope
from migralint.sql import ops

# sqlalchemy.engine.Inspector's questions about what the database holds
_INSPECTOR_METHODS = frozenset(
    {
        "has_table",
        "has_index",
        "has_sequence",
        "has_schema",
        "get_table_names",
        "get_view_names",
        "get_materialized_view_names",
        "get_sequence_names",
        "get_schema_names",
        "get_columns",
        "get_indexes",
        "get_unique_constraints",
        "get_foreign_keys",
        "get_check_constraints",
        "get_pk_constraint",
        "get_enums",
    }
)
_MAX_DEPTH = 16


def asks_what_exists(
    node: ast.AST, scope: Scope, functions: Mapping[str, ast.FunctionDef], depth: int = 0
) -> bool:
    """True when the expression calls an inspector method, itself or through the
    expressions and same-file functions its names stand for."""
    if depth > _MAX_DEPTH:
        return False
    for n in ast.walk(node):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute):
            if n.func.attr in _INSPECTOR_METHODS:
                return True
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Name):
            if n.func.id in _HAS:  # an imported `has_table(t)`: its name says what it asks
                return True
            helper = functions.get(n.func.id)
            if helper is not None and asks_what_exists(helper, scope, functions, depth + 1):
                return True
        elif isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
            bound = scope.lookup(n.id)
            if bound is not None and asks_what_exists(bound, scope, functions, depth + 1):
                return True
    return False


def returns_unless(node: ast.stmt, scope: Scope, functions: Mapping[str, ast.FunctionDef]) -> bool:
    """True for `if <existence test>: return` (either branch ending in `return`): the
    statements after it run only when the test found what it looked for."""
    if not isinstance(node, ast.If):
        return False
    ends = [b[-1] for b in (node.body, node.orelse) if b]
    return any(isinstance(e, ast.Return) for e in ends) and asks_what_exists(
        node.test, scope, functions
    )


# questions whose answer is True when the object is there: has_table(t), has_index(t, ix)
_HAS = {"has_table": "table", "has_index": "index", "has_column": "column"}
# listings of what is there: get_indexes(t) → the names of t's indexes
_LISTINGS = {"get_table_names": "table", "get_indexes": "index", "get_columns": "column"}


def absent_when(node: ast.expr, scope: Scope, depth: int = 0) -> ops.Absent | None:
    """The object the test is True for only while it is missing; None for any other
    test."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return present_when(node.operand, scope, depth + 1)
    return _membership(node, scope, ast.NotIn, depth)


def present_when(node: ast.expr, scope: Scope, depth: int = 0) -> ops.Absent | None:
    """The object the test is True for only while it is there; None for any other."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return absent_when(node.operand, scope, depth + 1)
    if isinstance(node, ast.Name) and (bound := scope.lookup(node.id)) is not None:
        return present_when(bound, scope, depth + 1)
    if isinstance(node, ast.Call) and (kind := _HAS.get(_called(node))) is not None:
        names = [scope.text(a) for a in node.args]
        if kind == "table" and len(names) == 1 and names[0]:
            return ops.Absent("table", ops.Name(names[0]))
        if len(names) == 2 and names[0] and names[1]:
            return ops.Absent(kind, ops.Name(names[0]), names[1])
        return None
    return _membership(node, scope, ast.In, depth)


def _membership(
    node: ast.expr, scope: Scope, operator: type[ast.cmpop], depth: int
) -> ops.Absent | None:
    """`"ix" [not] in <a listing of what is there>`, the operator `operator`."""
    if not isinstance(node, ast.Compare) or len(node.ops) != 1:
        return None
    if not isinstance(node.ops[0], operator):
        return None
    name = scope.text(node.left)
    listing = _listing(node.comparators[0], scope, depth + 1)
    if name is None or listing is None:
        return None
    kind, table = listing
    if kind == "table":
        return ops.Absent("table", ops.Name(name))
    return ops.Absent(kind, table, name) if table is not None else None


def _listing(node: ast.expr, scope: Scope, depth: int) -> tuple[str, ops.Name | None] | None:
    """(kind, table) of `inspector.get_indexes("t")`, the names a comprehension takes from
    it (`[i["name"] for i in …]`), or a name bound to either."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(node, ast.Name) and (bound := scope.lookup(node.id)) is not None:
        return _listing(bound, scope, depth + 1)
    if (
        isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp))
        and len(node.generators) == 1
    ):
        return _listing(node.generators[0].iter, scope, depth + 1)
    if isinstance(node, ast.Call) and (kind := _LISTINGS.get(_called(node))) is not None:
        if kind == "table":
            return kind, None
        table = scope.text(node.args[0]) if node.args else None
        return (kind, ops.Name(table)) if table else None
    return None


def _called(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
