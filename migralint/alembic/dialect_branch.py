"""Which side of an `if` on the database dialect runs: `op.get_bind().dialect.name ==
"mysql"` (or `bind.engine.name`, `op.get_context().dialect.name`),
`str(bind.engine.url).startswith("postgres")`, `"sqlite" in
inspector.dialect.dialect_description` (`<name>+<driver>`), `dialect in (…)`,
`isinstance(bind.dialect, MySQLDialect)` (or `PGDialect`, `postgresql.dialect`, …: a
class named after the database; a driver's subclass counts as its database), `not`,
`and`, `or`. Only the branch for the configured dialect is linted; a condition that is
not about the dialect is unknown (None), and then both branches are."""

from __future__ import annotations

import ast

from migralint.alembic.values import UNRESOLVED, Scope

# migralint dialect → the name SQLAlchemy gives its dialect (and URLs start with)
SQLALCHEMY_NAMES = {
    "postgres": "postgresql",
    "cockroach": "cockroachdb",
    "mysql": "mysql",
    "sqlite": "sqlite",
}
_MAX_DEPTH = 30
# how SQLAlchemy's dialect modules and classes start (lowercased) → its dialect name
_CLASS_PREFIXES = (
    ("postgresql", "postgresql"),
    ("pgdialect", "postgresql"),
    ("mysql", "mysql"),
    ("mariadb", "mysql"),
    ("sqlite", "sqlite"),
    ("cockroachdb", "cockroachdb"),
    ("mssql", "mssql"),
    ("oracle", "oracle"),
)


class DialectTest:
    """Evaluates conditions against one dialect, resolving names through a scope."""

    def __init__(self, dialect: str, scope: Scope) -> None:
        self.name = SQLALCHEMY_NAMES.get(dialect, dialect)
        self.scope = scope

    def truth(self, node: ast.expr, depth: int = 0) -> bool | None:
        """True/False when the condition depends only on the dialect and on values known
        statically (`fk["table"] in SKIPPED` in an unrolled loop), else None."""
        found = self._dialect_truth(node, depth)
        return found if found is not None else _folded(node, self.scope)

    def _dialect_truth(self, node: ast.expr, depth: int = 0) -> bool | None:
        if depth > _MAX_DEPTH:
            return None
        deeper = depth + 1
        if isinstance(node, ast.Name):
            bound = self.scope.lookup(node.id)
            return self.truth(bound, deeper) if bound is not None else None
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self.truth(node.operand, deeper)
            return None if inner is None else not inner
        if isinstance(node, ast.BoolOp):
            return self._bool_op(node, deeper)
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            return self._compare(node.left, node.ops[0], node.comparators[0], deeper)
        if isinstance(node, ast.Call) and _called(node) == "isinstance" and len(node.args) == 2:
            return self._instance(node.args[0], node.args[1], deeper)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method = node.func.attr
            subject = self.value(node.func.value, deeper)
            argument = self.scope.value(node.args[0]) if len(node.args) == 1 else UNRESOLVED
            if subject is None or argument is UNRESOLVED:
                return None
            if method in ("startswith", "endswith") and isinstance(argument, (str, tuple)):
                return getattr(subject, method)(argument)
        return None

    def _instance(self, subject: ast.expr, classes: ast.expr, depth: int) -> bool | None:
        """`isinstance(bind.dialect, MySQLDialect)`: None unless every class names a
        database."""
        if self._kind(subject, depth) != "object":
            return None
        options = classes.elts if isinstance(classes, ast.Tuple) else [classes]
        names = [_class_dialect(c) for c in options]
        return None if None in names else self.name in names

    def _bool_op(self, node: ast.BoolOp, depth: int) -> bool | None:
        values = [self.truth(v, depth) for v in node.values]
        if isinstance(node.op, ast.And):
            if False in values:
                return False
            return None if None in values else True
        if True in values:
            return True
        return None if None in values else False

    def _compare(self, left: ast.expr, op: ast.cmpop, right: ast.expr, depth: int) -> bool | None:
        subject, other = self.value(left, depth), self.scope.value(right)
        if subject is None:  # "postgres" in url
            subject, other = self.value(right, depth), self.scope.value(left)
            if subject is None or not isinstance(other, str):
                return None
            if isinstance(op, (ast.In, ast.NotIn)):
                return (other in subject) == isinstance(op, ast.In)
            return None
        if isinstance(op, (ast.Eq, ast.Is)):
            return subject == other if isinstance(other, str) else None
        if isinstance(op, (ast.NotEq, ast.IsNot)):
            return subject != other if isinstance(other, str) else None
        if isinstance(op, (ast.In, ast.NotIn)) and isinstance(other, (tuple, str)):
            return (subject in other) == isinstance(op, ast.In)
        return None

    def value(self, node: ast.expr, depth: int = 0) -> str | None:
        """The dialect name or URL text an expression stands for, None if it is neither."""
        kind = self._kind(node, depth)
        if kind == "name":
            return self.name
        if kind == "url":
            return f"{self.name}://"
        if kind == "description":  # `postgresql+psycopg2`: the driver is not known
            return f"{self.name}+"
        return None

    def _kind(self, node: ast.expr, depth: int) -> str | None:
        if depth > _MAX_DEPTH:
            return None
        deeper = depth + 1
        if isinstance(node, ast.Name):
            bound = self.scope.lookup(node.id)
            return self._kind(bound, deeper) if bound is not None else None
        if isinstance(node, ast.Attribute):
            if node.attr in ("dialect", "engine"):
                return "object"
            if node.attr == "name" and self._kind(node.value, deeper) == "object":
                return "name"
            if node.attr == "dialect_description" and self._kind(node.value, deeper) == "object":
                return "description"
            if node.attr in ("url",):
                return "url"
            if node.attr == "drivername" and self._kind(node.value, deeper) == "url":
                return "url"
            return None
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == "str" and len(node.args) == 1:
                return self._kind(node.args[0], deeper)
            if isinstance(func, ast.Attribute):
                if func.attr in ("lower", "casefold", "strip", "render_as_string"):
                    return self._kind(func.value, deeper)
                if func.attr == "get_backend_name":
                    return "name"
        return None


def _called(call: ast.Call) -> str:
    return call.func.id if isinstance(call.func, ast.Name) else ""


def _class_dialect(node: ast.expr) -> str | None:
    """The dialect a class reference names: `MySQLDialect`, `PGDialect_psycopg2`,
    `postgresql.dialect`, `sa.dialects.sqlite.base.SQLiteDialect`; else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr.lower())
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id.lower())
    for part in reversed(parts):
        found = next((d for prefix, d in _CLASS_PREFIXES if part.startswith(prefix)), None)
        if found is not None:
            return found
    return None


_COMPARE = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: lambda a, b: a is b,
    ast.IsNot: lambda a, b: a is not b,
}


def _folded(node: ast.expr, scope: Scope) -> bool | None:
    """A comparison or a name of values known statically, folded; else None."""
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _COMPARE:
        left, right = scope.value(node.left), scope.value(node.comparators[0])
        if left is UNRESOLVED or right is UNRESOLVED:
            return None
        try:
            return bool(_COMPARE[type(node.ops[0])](left, right))
        except TypeError:
            return None
    if isinstance(node, (ast.Name, ast.Constant)):
        value = scope.value(node)
        return None if value is UNRESOLVED else bool(value)
    return None
