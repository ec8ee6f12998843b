"""migralint: lints database migrations and writes the safe expand/contract replacement.

The public Python API is imported lazily so that `import migralint` stays cheap for the
pre-commit path: `migralint.lint_paths(...)` loads the engine on first use.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "lint_paths"]


def __getattr__(name: str) -> Any:
    if name == "lint_paths":
        from migralint.engine import lint_paths

        return lint_paths
    raise AttributeError(f"module 'migralint' has no attribute {name!r}")
