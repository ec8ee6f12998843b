"""Table names revisions take from models: `op.drop_table(Scorer.__tablename__)`.

A model class defined in the revision, or imported from a module of the project
(`from app.models import Scorer`, found as imports.py says), names its table with a
literal `__tablename__ = "…"` in its body; a module not found, or a class without a
literal `__tablename__`, leaves the name unresolved.
"""

from __future__ import annotations

import ast
from pathlib import Path

from migralint.alembic.imports import imported_module

TABLENAME = "__tablename__"


def model_tables(module: ast.Module, path: Path) -> dict[str, ast.expr]:
    """`Model.__tablename__` → its literal, for the classes the revision defines or
    imports from the project."""
    found = {f"{name}.{TABLENAME}": table for name, table in _tables(module).items()}
    for node in module.body:
        if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
            continue
        imported = _module_tables(path.parent, node.module)
        for alias in node.names:
            if alias.name in imported:
                found[f"{alias.asname or alias.name}.{TABLENAME}"] = imported[alias.name]
    return found


def _module_tables(folder: Path, dotted: str) -> dict[str, ast.expr]:
    module = imported_module(folder, dotted)
    return _tables(module) if module is not None else {}


def _tables(module: ast.Module) -> dict[str, ast.expr]:
    """Module-level classes whose body assigns a literal string to `__tablename__`."""
    found: dict[str, ast.expr] = {}
    for node in module.body:
        if not isinstance(node, ast.ClassDef):
            continue
        for item in node.body:
            targets = item.targets if isinstance(item, ast.Assign) else []
            value = item.value if isinstance(item, ast.Assign) else None
            if any(isinstance(t, ast.Name) and t.id == TABLENAME for t in targets) and (
                isinstance(value, ast.Constant) and isinstance(value.value, str)
            ):
                found[node.name] = value
    return found
