"""Whether an `if` asks the database what exists: SQLAlchemy's inspector
(`sa.inspect(bind)`, `Inspector.from_engine(op.get_bind())`) with `has_table`,
`get_columns`, `get_indexes` …, or a dialect's `has_table`, directly, through a name
bound to such a call (`columns = inspector.get_columns("t")`), or through a function
of the same file that makes one. The Ops under such a test run only when their object
is (or is not) there, so a second run is safe: the walker marks them `guarded`, as a
DO block's `IF [NOT] EXISTS` does in SQL. Any other condition is not a guard."""

from __future__ import annotations

import ast
from collections.abc import Mapping

from migralint.alembic.values import Scope

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
