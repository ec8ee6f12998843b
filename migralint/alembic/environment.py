"""What a project's `env.py` says about how revisions run, read statically.

`context.configure(transaction_per_migration=True)` gives each revision its own
transaction, `transactional_ddl=False` runs them without one; timeouts set in `env.py`
(`SET lock_timeout …`, `-c lock_timeout=…` in connect options) hold for every
revision. Without an `env.py` (or a setting in it), Alembic's defaults apply.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from migralint.sources.files import InputError, read_file
from migralint.sql import ops

_TIMEOUT = re.compile(
    r"\b(lock_timeout|statement_timeout|idle_in_transaction_session_timeout)\b\s*(?:=|\bTO\b)\s*"
    r"'?(\w+)",
    re.IGNORECASE,
)
_ENV_SIZE = 1 << 20


@dataclass(frozen=True)
class Environment:
    """Static facts of one `env.py` (all None/empty when there is none)."""

    path: Path | None = None
    transaction_per_migration: bool | None = None
    transactional_ddl: bool | None = None
    timeouts: tuple[tuple[str, str, int], ...] = ()  # (setting, value, line in env.py)

    def transaction(self, dialect: str) -> tuple[str, str]:
        """(transaction mode, what says so) for a revision of this project.

        Alembic runs every revision inside a connection transaction: one for the whole
        upgrade when the dialect has transactional DDL (and env.py does not ask for one
        per revision), else one per revision. What that transaction covers is the
        database's business: MySQL commits each DDL statement implicitly.
        """
        where = self.path.name if self.path else "env.py"
        if dialect == "mysql":
            return "none", "alembic on MySQL: each DDL statement commits implicitly"
        if self.transaction_per_migration:
            return "per-file", f"{where}: transaction_per_migration=True"
        if self.transactional_ddl is False:
            return "per-file", (
                f"{where}: transactional_ddl=False: alembic runs each revision in its own "
                "transaction"
            )
        return "per-file", "alembic runs the upgrade in one transaction"

    def settings(self) -> list[ops.SetSetting]:
        """The timeouts env.py sets, as SET Ops placed at their line in env.py."""
        path = str(self.path)
        return [
            ops.SetSetting(loc=ops.Location(path, line, 1, line, 1), name=name, value=value)
            for name, value, line in self.timeouts
        ]


def find_environment(version_folder: Path) -> Environment:
    """The `env.py` of the script folder above a version folder, read statically."""
    for folder in (version_folder, version_folder.parent):
        candidate = folder / "env.py"
        if candidate.is_file():
            return read_environment(candidate)
    return Environment()


def read_environment(path: Path) -> Environment:
    try:
        tree = ast.parse(read_file(str(path), _ENV_SIZE).decode("utf-8", "replace"))
    except (InputError, SyntaxError, ValueError, RecursionError):
        return Environment(path)
    per_migration: bool | None = None
    transactional: bool | None = None
    timeouts: list[tuple[str, str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node.func) == "configure":
            for keyword in node.keywords:
                value = keyword.value.value if isinstance(keyword.value, ast.Constant) else None
                if keyword.arg == "transaction_per_migration" and isinstance(value, bool):
                    per_migration = value if per_migration is None else per_migration or value
                if keyword.arg == "transactional_ddl" and isinstance(value, bool):
                    transactional = value if transactional is None else transactional and value
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            timeouts += [(m[1].lower(), m[2], node.lineno) for m in _TIMEOUT.finditer(node.value)]
    return Environment(path, per_migration, transactional, tuple(timeouts))


def _name(node: ast.expr) -> str:
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
