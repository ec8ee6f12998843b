"""Modules of the project that a revision or `env.py` imports, found the way Python
would find them and read with `ast`, never imported: from a folder `prepend_sys_path`
in `alembic.ini` names inside the project, the project root (the nearest folder above
with a `pyproject.toml`, `setup.py`, `setup.cfg` or `.git`), or the folder above the
package the file sits in (an installed package). A module found nowhere is None."""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

from migralint.alembic.ini import prepend_sys_path
from migralint.sources.files import InputError, read_file

_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
_LEVELS = 8  # how far above the file the project root (or its package's top) may be
_MODULE_BYTES = 4 << 20


def imported_module(folder: Path, dotted: str) -> ast.Module | None:
    """The module `dotted` as a file in `folder` imports it, parsed."""
    return next((m for r in import_roots(folder) if (m := _module(r, dotted)) is not None), None)


def import_roots(folder: Path) -> list[Path]:
    """Where the imports of the files in `folder` are looked up, first first."""
    root = project_root(folder)
    roots = [p for p in prepend_sys_path(folder) if root and _inside(p, root)]
    roots += [root] if root is not None else []
    package = _package_root(folder)
    return [*roots, package] if package is not None and package not in roots else roots


def project_root(folder: Path) -> Path | None:
    """The nearest folder at or above `folder` that holds a project marker."""
    for candidate in [folder, *folder.parents][:_LEVELS]:
        if any((candidate / marker).exists() for marker in _MARKERS):
            return candidate
    return None


def _package_root(folder: Path) -> Path | None:
    """The folder above the topmost package holding `folder` (folders between without an
    `__init__.py` are namespace packages: Alembic's script folder often is one)."""
    chain = [folder, *folder.parents][:_LEVELS]
    packages = [c for c in chain if (c / "__init__.py").is_file()]
    return packages[-1].parent if packages else None


def _inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())


@lru_cache(maxsize=256)
def _module(root: Path, dotted: str) -> ast.Module | None:
    base = root.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            try:
                text = read_file(str(candidate), _MODULE_BYTES).decode("utf-8", "replace")
                return ast.parse(text, filename=str(candidate))
            except (InputError, SyntaxError, ValueError, RecursionError):
                return None
    return None
