"""Names a revision takes from classes and from the project's modules:
`op.drop_table(Scorer.__tablename__)`, `type_=MySQLCompatabilityTypes.UniqueText`,
`type_=LongText` (`class LongText(db.Text)`), `type_=MediumText()` (`def MediumText():
return Text().with_variant(MEDIUMTEXT(), "mysql")`).

A class defined in the revision, or a name imported from a module of the project
(`from app.models import Scorer`, found as imports.py says, read and never imported),
gives: each class's body assignments as `Class.attribute`, a class with one base
as that base (a type's subclass is judged as the type), each function without
parameters whose body is one `return <expression>` as `name()`, and a module's own
top-level assignments under their name. A module of the project imported as one name
(`from app import cli`, `import app.cli as cli`) gives its top-level assignments as
`cli.NAME`. An imported expression is taken only when every name in
it is one of its module's imports (`db.String(512)`, with `db` = sqlalchemy) or one of
these names of its module: anything else of the other module leaves the name unresolved.
"""

from __future__ import annotations

import ast
from pathlib import Path

from migralint.alembic.imports import imported_module

_MAX_DEPTH = 8


def class_names(module: ast.Module, path: Path) -> dict[str, ast.expr]:
    """`Class.attribute` (and `Class`) → its expression, for the classes the revision
    defines, and the names it imports from the project's modules."""
    found = _classes(module) | _calls(module)
    for node in module.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:  # `import pkg.cli as cli`: only then is one name the module
                    found |= _module_names(path, alias.name, alias.asname)
        if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
            continue
        imported = imported_module(path.parent, node.module)
        exported = _exported(imported) if imported is not None else {}
        for alias in node.names:
            local = alias.asname or alias.name
            named = False
            for name, value in exported.items():
                head, dot, rest = name.partition(".")
                called = head.removesuffix("()")
                if called == alias.name:
                    found[f"{local}{head[len(called) :]}{dot}{rest}"] = value
                    named = True
            if not named:  # `from pkg import cli`, cli a module of the package
                found |= _module_names(path, f"{node.module}.{alias.name}", local)
    return found


def _module_names(path: Path, dotted: str, local: str) -> dict[str, ast.expr]:
    """The names module `dotted` gives, as `local.name` (`cli.EXPAND_BRANCH`)."""
    imported = imported_module(path.parent, dotted)
    exported = _exported(imported) if imported is not None else {}
    return {f"{local}.{name}": value for name, value in exported.items() if name.isidentifier()}


def _classes(module: ast.Module) -> dict[str, ast.expr]:
    """Each module-level class's body assignments as `Class.attribute`, and the class
    itself as its only base."""
    found: dict[str, ast.expr] = {}
    for node in module.body:
        if not isinstance(node, ast.ClassDef):
            continue
        if len(node.bases) == 1 and not node.keywords:
            found[node.name] = node.bases[0]
        for item in node.body:
            if isinstance(item, ast.Assign) and len(item.targets) == 1:
                target = item.targets[0]
                if isinstance(target, ast.Name):
                    found[f"{node.name}.{target.id}"] = item.value
    return found


def _calls(module: ast.Module) -> dict[str, ast.expr]:
    """`name()` → what it returns, for each module-level function without parameters
    whose body is one `return <expression>`."""
    found: dict[str, ast.expr] = {}
    for node in module.body:
        if isinstance(node, ast.FunctionDef) and not _has_parameters(node.args):
            returned = returned_expression(node)
            if returned is not None:
                found[f"{node.name}()"] = returned
    return found


def _has_parameters(args: ast.arguments) -> bool:
    return bool(args.posonlyargs or args.args or args.vararg or args.kwonlyargs or args.kwarg)


def returned_expression(node: ast.FunctionDef) -> ast.expr | None:
    """What a function whose body is one `return <expression>` (after its docstring)
    returns."""
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    only = body[0] if len(body) == 1 else None
    return only.value if isinstance(only, ast.Return) else None


def _exported(module: ast.Module) -> dict[str, ast.expr]:
    """The names another module gives (its classes' and its own top-level assignments),
    each resolved within that module, kept when nothing in it is left to that module."""
    own = _classes(module) | _calls(module)
    for node in module.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                own[target.id] = node.value
    imports = _import_aliases(module)
    exported = {}
    for name, value in own.items():
        resolved = _within(value, own)
        if all(n.id in imports for n in ast.walk(resolved) if isinstance(n, ast.Name)):
            exported[name] = resolved
    return exported


def _within(node: ast.expr, own: dict[str, ast.expr], depth: int = 0) -> ast.expr:
    """A name of the module replaced by what it names there (`LongText = LongText`)."""
    if depth < _MAX_DEPTH and isinstance(node, ast.Name) and node.id in own:
        return _within(own[node.id], own, depth + 1)
    return node


def _import_aliases(module: ast.Module) -> frozenset[str]:
    """The names a module's top-level imports bind (`import sqlalchemy as db` → db)."""
    names: set[str] = set()
    for node in module.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return frozenset(names)
