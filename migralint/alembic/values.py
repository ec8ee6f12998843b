"""Static values of Python expressions: constants, module and local names, f-strings.

Only what can be known without running the code is resolved; anything else is
`UNRESOLVED`, and the caller decides what that means (usually an `unresolved` Op).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping


class _Unresolved:
    """The value of an expression that cannot be known statically."""

    _instance: _Unresolved | None = None

    def __new__(cls) -> _Unresolved:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNRESOLVED"

    def __bool__(self) -> bool:
        return False


UNRESOLVED = _Unresolved()
_AMBIGUOUS = ast.Constant(value=UNRESOLVED)  # a name bound more than once
_TEXT_WRAPPERS = frozenset({"text", "f", "inline_literal", "literal_column", "str"})
_SAME_TEXT = frozenset({"bindparams", "columns", "execution_options"})
_MAX_DEPTH = 50


def assignments(statements: Iterable[ast.stmt], *, nested: bool = False) -> dict[str, ast.expr]:
    """Names bound by plain assignments; a name bound twice (or by a loop) is ambiguous."""
    bound: dict[str, ast.expr] = {}
    nodes = (n for s in statements for n in ast.walk(s)) if nested else statements
    for node in nodes:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            _bind(bound, node.targets[0], node.value)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            _bind(bound, node.target, node.value)
        elif isinstance(node, (ast.For, ast.AugAssign, ast.With, ast.NamedExpr)):
            for target in _targets(node):
                bound[target] = _AMBIGUOUS
    return bound


def _bind(bound: dict[str, ast.expr], target: ast.expr, value: ast.expr) -> None:
    if isinstance(target, ast.Name):
        bound[target.id] = _AMBIGUOUS if target.id in bound else value
    else:
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                bound[node.id] = _AMBIGUOUS


def _targets(node: ast.AST) -> list[str]:
    if isinstance(node, ast.For):
        target: ast.AST | None = node.target
    elif isinstance(node, (ast.AugAssign, ast.NamedExpr)):
        target = node.target
    else:
        assert isinstance(node, ast.With)
        return [
            n.id
            for i in node.items
            if i.optional_vars
            for n in ast.walk(i.optional_vars)
            if isinstance(n, ast.Name)
        ]
    return [n.id for n in ast.walk(target) if isinstance(n, ast.Name)] if target else []


class Scope:
    """Names visible to an expression: a function's locals over the module's."""

    def __init__(self, names: Mapping[str, ast.expr], parent: Scope | None = None) -> None:
        self._names = dict(names)
        self._parent = parent

    def child(self, names: Mapping[str, ast.expr]) -> Scope:
        return Scope(names, self)

    def bind(self, name: str, node: ast.expr) -> None:
        """Rebind `name` here, as an assignment reached in execution order does."""
        self._names[name] = node

    def lookup(self, name: str) -> ast.expr | None:
        """The expression bound to `name`, None when it is not bound here."""
        scope: Scope | None = self
        while scope is not None:
            if name in scope._names:
                return scope._names[name]
            scope = scope._parent
        return None

    def value(self, node: ast.expr | None, depth: int = 0) -> object:
        """The node's value, or UNRESOLVED."""
        if node is None or depth > _MAX_DEPTH:
            return UNRESOLVED
        deeper = depth + 1
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            bound = self.lookup(node.id)
            return self.value(bound, deeper) if bound is not None else UNRESOLVED
        if isinstance(node, (ast.Tuple, ast.List)):
            items = [self.value(e, deeper) for e in node.elts]
            return UNRESOLVED if any(i is UNRESOLVED for i in items) else tuple(items)
        if isinstance(node, ast.JoinedStr):
            return self._joined(node, deeper)
        if isinstance(node, ast.BinOp):
            return self._binop(node, deeper)
        if isinstance(node, ast.Call):
            return self._call(node, deeper)
        if isinstance(node, ast.Dict):
            return self._dict(node, deeper)
        if isinstance(node, ast.Subscript):
            return self._item(node, deeper)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            bound = self.lookup(f"{node.value.id}.{node.attr}")  # Model.__tablename__
            return self.value(bound, deeper) if bound is not None else UNRESOLVED
        return UNRESOLVED

    def _dict(self, node: ast.Dict, depth: int) -> object:
        keys = [self.value(k, depth) if k is not None else UNRESOLVED for k in node.keys]
        values = [self.value(v, depth) for v in node.values]
        if any(x is UNRESOLVED for x in (*keys, *values)):
            return UNRESOLVED
        try:
            return dict(zip(keys, values, strict=True))
        except TypeError:  # an unhashable key
            return UNRESOLVED

    def _item(self, node: ast.Subscript, depth: int) -> object:
        """`TABLES[0]`, `fk["table"]`: an item of a resolved list, tuple or dict."""
        container, key = self.value(node.value, depth), self.value(node.slice, depth)
        if container is UNRESOLVED or key is UNRESOLVED:
            return UNRESOLVED
        try:
            return container[key]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return UNRESOLVED

    def text(self, node: ast.expr | None) -> str | None:
        """The node's value when it is a string, else None."""
        found = self.value(node)
        return found if isinstance(found, str) else None

    def _joined(self, node: ast.JoinedStr, depth: int) -> object:
        parts = []
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                inner = self.value(part.value, depth)
                if inner is UNRESOLVED or part.format_spec is not None:
                    return UNRESOLVED
                parts.append(str(inner))
            else:
                parts.append(str(self.value(part, depth)))
        return "".join(parts)

    def _binop(self, node: ast.BinOp, depth: int) -> object:
        left, right = self.value(node.left, depth), self.value(node.right, depth)
        if left is UNRESOLVED or right is UNRESOLVED:
            return UNRESOLVED
        try:
            if isinstance(node.op, ast.Add) and type(left) is type(right):
                return left + right  # type: ignore[operator]
            if isinstance(node.op, ast.Mod) and isinstance(left, str):
                return left % right
        except (TypeError, ValueError, KeyError):
            return UNRESOLVED
        return UNRESOLVED

    def _call(self, node: ast.Call, depth: int) -> object:
        """`sa.text("…")`, `op.f("…")`, `"…".format(…)`: the string they stand for."""
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in _TEXT_WRAPPERS and len(node.args) == 1 and not node.keywords:
            return self.value(node.args[0], depth)
        if name in _SAME_TEXT and isinstance(func, ast.Attribute):  # text(…).bindparams(…)
            return self.value(func.value, depth)
        if name in _STRING_METHODS and isinstance(func, ast.Attribute):
            return _string_method(name, self.value(func.value, depth), node, depth, self)
        if name in _ORDERINGS and isinstance(func, ast.Name) and len(node.args) == 1:
            return _ordered(name, self.value(node.args[0], depth), node)
        if name == "split" and isinstance(func, ast.Attribute) and len(node.args) <= 1:
            text = self.value(func.value, depth)
            sep = self.value(node.args[0], depth) if node.args else None
            if isinstance(text, str) and (sep is None or isinstance(sep, str)):
                return tuple(text.split(sep))
            return UNRESOLVED
        if name == "format" and isinstance(func, ast.Attribute):
            template = self.value(func.value, depth)
            args = [self.value(a, depth) for a in node.args]
            kwargs = {k.arg: self.value(k.value, depth) for k in node.keywords if k.arg}
            if not isinstance(template, str) or UNRESOLVED in (*args, *kwargs.values()):
                return UNRESOLVED
            try:
                return template.format(*args, **kwargs)
            except (IndexError, KeyError, ValueError):
                return UNRESOLVED
        return UNRESOLVED


# str methods whose result is known from the string and literal arguments
_STRING_METHODS = frozenset({"replace", "lower", "upper", "strip", "lstrip", "rstrip"})
# builtins that give a sequence's items in a known order: `for t in reversed(TABLES)`
_ORDERINGS = frozenset({"reversed", "sorted", "list", "tuple"})


def _string_method(name: str, text: object, node: ast.Call, depth: int, scope: Scope) -> object:
    """`column.replace("_", ".")`, `name.lower()`: the string it returns."""
    args = [scope.value(a, depth) for a in node.args]
    if not isinstance(text, str) or node.keywords or not all(isinstance(a, str) for a in args):
        return UNRESOLVED
    try:
        return getattr(text, name)(*args)
    except TypeError:  # the wrong number of arguments
        return UNRESOLVED


def _ordered(name: str, items: object, node: ast.Call) -> object:
    """`reversed(TABLES)`, `sorted(TABLES)`, `list(TABLES)`: the items in that order (a
    dict gives its keys, as iterating it does)."""
    if node.keywords or not isinstance(items, (tuple, dict)):
        return UNRESOLVED
    found = tuple(items)
    if name == "reversed":
        return found[::-1]
    if name == "sorted":
        try:
            return tuple(sorted(found))  # type: ignore[type-var]
        except TypeError:  # items that do not compare
            return UNRESOLVED
    return found


_DICT_VIEWS = frozenset({"items", "keys", "values"})


def iterated(node: ast.expr, scope: Scope) -> tuple[object, ...]:
    """The items a `for` over `node` takes, when known statically: a literal list or
    tuple, a dict's keys, or `.items()` / `.keys()` / `.values()` of a dict; else ()."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _DICT_VIEWS
        and not node.args
    ):
        found = scope.value(node.func.value)
        return tuple(getattr(found, node.func.attr)()) if isinstance(found, dict) else ()
    found = scope.value(node)
    return tuple(found) if isinstance(found, (tuple, dict)) else ()


def unpacked(target: ast.expr, value: object) -> dict[str, ast.expr] | None:
    """The names an assignment target binds to `value` (`old, new` to a pair), each as a
    constant; None when the value does not fit the target."""
    if isinstance(target, ast.Name):
        return {target.id: ast.Constant(value=value)}
    if not isinstance(target, (ast.Tuple, ast.List)) or value is UNRESOLVED:
        return None
    if not isinstance(value, tuple) or len(value) != len(target.elts):
        return None
    bound: dict[str, ast.expr] = {}
    for element, item in zip(target.elts, value, strict=True):
        inner = unpacked(element, item)
        if inner is None:
            return None
        bound.update(inner)
    return bound


def name_pattern(node: ast.expr | None, scope: Scope) -> str:
    """A glob of the names an expression may stand for: its value when known, else its
    known parts with `*` for the rest (`f"{prefix}_events"` → `*_events`)."""
    found = scope.value(node)
    if isinstance(found, str):
        return found
    if isinstance(node, ast.JoinedStr):
        parts = [
            name_pattern(p.value if isinstance(p, ast.FormattedValue) else p, scope)
            for p in node.values
        ]
        return _collapsed("".join(parts))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _collapsed(name_pattern(node.left, scope) + name_pattern(node.right, scope))
    return "*"


def _collapsed(pattern: str) -> str:
    while "**" in pattern:
        pattern = pattern.replace("**", "*")
    return pattern
