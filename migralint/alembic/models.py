"""Table names revisions take from models: `op.drop_table(Scorer.__tablename__)`.

A model class defined in the revision, or imported from a module of the project
(`from app.models import Scorer`), names its table with a literal `__tablename__ = "…"`
in its body. The module is found the way Python would find it from the project root
(the nearest folder above the revision with a `pyproject.toml`, `setup.py`,
`setup.cfg` or `.git`) or from a folder `prepend_sys_path` in `alembic.ini` names
inside it, read with `ast` and never imported; a module outside the project, or a
class without a literal `__tablename__`, leaves the name unresolved.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

from migralint.alembic.environment import prepend_sys_path
from migralint.sources.files import InputError, read_file

TABLENAME = "__tablename__"
_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
_LEVELS = 8  # how far above the revision the project root may be
_MODULE_BYTES = 4 << 20


def model_tables(module: ast.Module, path: Path) -> dict[str, ast.expr]:
    """`Model.__tablename__` → its literal, for the classes the revision defines or
    imports from the project."""
    found = {f"{name}.{TABLENAME}": table for name, table in _tables(module).items()}
    roots = _import_roots(path.parent)
    for node in module.body:
        if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
            continue
        module_name = node.module
        imported = next((t for t in (_module_tables(r, module_name) for r in roots) if t), {})
        for alias in node.names:
            if alias.name in imported:
                found[f"{alias.asname or alias.name}.{TABLENAME}"] = imported[alias.name]
    return found


def _import_roots(folder: Path) -> list[Path]:
    """Where imports of the revisions in `folder` are looked up: `prepend_sys_path`'s
    folders inside the project, then the project root."""
    root = project_root(folder)
    if root is None:
        return []
    inside = [p for p in prepend_sys_path(folder) if p.resolve().is_relative_to(root.resolve())]
    return [*inside, root]


def project_root(folder: Path) -> Path | None:
    """The nearest folder at or above `folder` that holds a project marker."""
    for candidate in [folder, *folder.parents][:_LEVELS]:
        if any((candidate / marker).exists() for marker in _MARKERS):
            return candidate
    return None


@lru_cache(maxsize=256)
def _module_tables(root: Path, dotted: str) -> dict[str, ast.expr]:
    base = root.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            try:
                text = read_file(str(candidate), _MODULE_BYTES).decode("utf-8", "replace")
                return _tables(ast.parse(text, filename=str(candidate)))
            except (InputError, SyntaxError, ValueError, RecursionError):
                return {}
    return {}


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
