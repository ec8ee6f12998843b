"""Which ORM sessions of a revision run inside the migration's own transaction.

A `Session` bound to the migration's connection (`orm.Session(bind=op.get_bind())`,
`sessionmaker(bind=bind)()`, Flask-SQLAlchemy's `db.Session(bind=bind)`) joins the
transaction that connection is in: its `commit()` ends only the session's
subtransaction (SQLAlchemy 1.4) or savepoint-less join (2.x
`join_transaction_mode="conservative_savepoint"`), so Alembic's transaction stays open.
The connection's own `commit()` (SQLAlchemy 2.x), and a session of the application
(`db.session`, its own connection), do commit.
"""

from __future__ import annotations

import ast

from migralint.alembic.values import Scope

_MAX_DEPTH = 20


def joins_migration(node: ast.expr, scope: Scope, op_names: frozenset[str]) -> bool:
    """Whether `node` is a session bound to the migration's connection."""
    return _Reader(scope, op_names).session(node, 0)


def own_session(node: ast.expr, scope: Scope) -> bool:
    """Whether `node` is, as the file shows, a session with a connection of its own: the
    application's (`db.session`) or one made here (`Session(…)`, `sessionmaker(…)()`)
    that is not bound to the migration's connection (the caller checks that)."""
    node = _Reader(scope, frozenset())._bound(node, 0)
    if isinstance(node, ast.Attribute):
        return node.attr == "session"
    while isinstance(node, ast.Call):
        if _called(node.func) in ("Session", "sessionmaker"):
            return True
        node = node.func
    return False


class _Reader:
    def __init__(self, scope: Scope, op_names: frozenset[str]) -> None:
        self.scope = scope
        self.op_names = op_names

    def session(self, node: ast.expr, depth: int) -> bool:
        """`Session(bind=<connection>)`, `sessionmaker(bind=<connection>)()`."""
        node = self._bound(node, depth)
        if not isinstance(node, ast.Call) or depth > _MAX_DEPTH:
            return False
        if _called(node.func) == "Session":
            return self._bind_argument(node, depth)
        return self._maker(node.func, depth + 1)

    def _maker(self, node: ast.expr, depth: int) -> bool:
        node = self._bound(node, depth)
        return (
            isinstance(node, ast.Call)
            and _called(node.func) == "sessionmaker"
            and self._bind_argument(node, depth)
        )

    def _bind_argument(self, call: ast.Call, depth: int) -> bool:
        keywords = {k.arg: k.value for k in call.keywords if k.arg}
        bind = keywords.get("bind", call.args[0] if call.args else None)
        return bind is not None and self.connection(bind, depth + 1)

    def connection(self, node: ast.expr, depth: int) -> bool:
        """`op.get_bind()`, `op.get_context().bind`, or a name bound to either."""
        node = self._bound(node, depth)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            return node.func.attr == "get_bind" and self._is_op(node.func.value)
        if isinstance(node, ast.Attribute) and node.attr in ("bind", "connection"):
            inner = node.value
            return (
                isinstance(inner, ast.Call)
                and isinstance(inner.func, ast.Attribute)
                and inner.func.attr == "get_context"
                and self._is_op(inner.func.value)
            )
        return False

    def _is_op(self, node: ast.expr) -> bool:
        return isinstance(node, ast.Name) and node.id in self.op_names

    def _bound(self, node: ast.expr, depth: int) -> ast.expr:
        """What a plain name stands for (the node itself otherwise)."""
        while isinstance(node, ast.Name) and depth <= _MAX_DEPTH:
            bound = self.scope.lookup(node.id)
            if bound is None:
                return node
            node, depth = bound, depth + 1
        return node


def _called(func: ast.expr) -> str:
    """`Session` for `Session(…)`, `orm.Session(…)`, `db.Session(…)`."""
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
