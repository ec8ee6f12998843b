"""What a project's `env.py` says about how revisions run, read statically.

`alembic upgrade` runs every pending revision in one transaction;
`context.configure(transaction_per_migration=True)` gives each revision its own,
`transactional_ddl=False` too; on the connection the caller hands env.py
(`config.attributes["connection"]`, read in env.py or in the project's function it
hands `context` to) the caller decides; timeouts set in `env.py`
(`SET lock_timeout …`, `-c lock_timeout=…` in connect options) hold for every
revision. A tree without an `env.py` of its own that is no `versions/` folder (a
plugin's) is run with the project's (the nearest script folder with `versions/` beside a
folder above it); without any
`env.py` (or a setting in it), Alembic's defaults apply.

The database the project runs on is the one its URL names: a literal URL or
`dialect_name` in `env.py`, else `sqlalchemy.url` in the `alembic.ini` above the
scripts, unless `env.py` replaces that URL at run time (`set_main_option(
"sqlalchemy.url", …)`, `create_engine(<not a literal>)`: then it is not known here).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from migralint.alembic.imports import imported_module
from migralint.alembic.ini import ini_option
from migralint.sources.files import InputError, read_file
from migralint.sql import ops

_TIMEOUT = re.compile(
    r"\b(lock_timeout|statement_timeout|idle_in_transaction_session_timeout)\b\s*(?:=|\bTO\b)\s*"
    r"'?(\w+)",
    re.IGNORECASE,
)
_ENV_SIZE = 1 << 20
_PROJECT_LEVELS = 5  # how far above a tree without env.py the project's may be
NESTING = 3  # how far below a `versions` folder a revision's folder may be
# SQLAlchemy URL schemes (before `+driver`) → migralint's dialects.
_SCHEMES = {
    "postgresql": "postgres",
    "postgres": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
    "cockroachdb": "cockroach",
}


@dataclass(frozen=True)
class Environment:
    """Static facts of one `env.py` (all None/empty when there is none)."""

    path: Path | None = None
    transaction_per_migration: bool | None = None
    transactional_ddl: bool | None = None
    timeouts: tuple[tuple[str, str, int], ...] = ()  # (setting, value, line in env.py)
    dialect: str | None = None  # the database the project's URL names, when known
    replaces_url: bool = False  # env.py sets the URL at run time: alembic.ini's is not it
    # the line of its `context.configure(connection=…)` call (else another `configure`,
    # else `run_migrations`): where it starts running the revisions
    runs_at: int = 1
    connection_from_caller: bool = False  # configure(connection=config.attributes[…])
    borrowed: bool = False  # the project's env.py, for a tree that has none

    def transaction(self, dialect: str) -> tuple[str | None, str]:
        """(transaction mode, what says so) for a revision of this project; None when
        the caller decides (env.py runs on the connection it is handed).

        Alembic runs every revision inside a connection transaction: one for every
        revision `alembic upgrade` applies when the dialect has transactional DDL (and
        env.py does not ask for one per revision), else one per revision. What that
        transaction covers is the database's business: MySQL commits each DDL
        statement implicitly.
        """
        where = self.name()
        if self.connection_from_caller:
            return None, (
                f"{where} runs on the connection its caller hands it (config.attributes): "
                "the caller decides whether that is in a transaction (AUTOCOMMIT or not)"
            )
        if dialect == "mysql":
            return "none", "alembic on MySQL: each DDL statement commits implicitly"
        if self.transaction_per_migration:
            return "per-file", f"{where}: transaction_per_migration=True"
        if self.transactional_ddl is False:
            return "per-file", (
                f"{where}: transactional_ddl=False: alembic runs each revision in its own "
                "transaction"
            )
        return "per-run", (
            f"{where}: alembic upgrade, on transactional DDL "
            "(transaction_per_migration=True would give each revision its own)"
        )

    def name(self) -> str:
        """How messages name this env.py."""
        if self.path and self.borrowed:
            return f"{self.path.parent.name}/env.py (the project's: this tree has none)"
        return self.path.name if self.path else "env.py"

    def sets(self, name: str) -> bool:
        """Whether env.py sets the timeout `name` to a non-zero value for every revision."""
        return any(n == name and v.lower() not in ("0", "default") for n, v, _ in self.timeouts)

    def settings(self) -> list[ops.SetSetting]:
        """The timeouts env.py sets, as SET Ops placed at their line in env.py."""
        path = str(self.path)
        return [
            ops.SetSetting(loc=ops.Location(path, line, 1, line, 1), name=name, value=value)
            for name, value, line in self.timeouts
        ]


def find_environment(version_folder: Path) -> Environment:
    """The `env.py` of the script folder above a version folder, read statically, with
    the database of the project's `alembic.ini` when env.py keeps its URL."""
    own = next(
        (f / "env.py" for f in script_folders(version_folder) if (f / "env.py").is_file()), None
    )
    path = own or _project_environment(version_folder)
    found = Environment() if path is None else read_environment(path)
    found = replace(found, borrowed=own is None and path is not None)
    if found.dialect is None and not found.replaces_url:
        return replace(found, dialect=_ini_dialect(path.parent if path else version_folder))
    return found


def _project_environment(version_folder: Path) -> Path | None:
    """For a revision tree that is no script folder's `versions/` and has no `env.py`
    (a plugin's, which the application's env.py runs through `version_locations`): the
    `env.py` of the nearest script folder (one holding `versions/`) beside a folder
    above the tree."""
    if "versions" in (p.name for p in [version_folder, *version_folder.parents][: NESTING + 1]):
        return None
    for ancestor in [*version_folder.parents][:_PROJECT_LEVELS]:
        for env in sorted(ancestor.glob("*/env.py")):
            if (env.parent / "versions").is_dir() and not version_folder.is_relative_to(env.parent):
                return env
    return None


def script_folders(version_folder: Path) -> list[Path]:
    """Where the env.py of a version folder's revisions may be, nearest first: the folder
    and the one above it; for a folder below `versions/` (a per-dialect tree,
    `versions/postgresql/`), every folder up to the one above `versions`."""
    chain = [version_folder, *version_folder.parents][: NESTING + 2]
    versions = next((i for i, p in enumerate(chain) if p.name == "versions"), None)
    return chain[: versions + 2] if versions is not None else chain[:2]


def read_environment(path: Path) -> Environment:
    try:
        tree = ast.parse(read_file(str(path), _ENV_SIZE).decode("utf-8", "replace"))
    except (InputError, SyntaxError, ValueError, RecursionError):
        return Environment(path)
    per_migration: bool | None = None
    transactional: bool | None = None
    timeouts: list[tuple[str, str, int]] = []
    urls = _Urls()
    runs_at: dict[str, int] = {}
    caller = False
    # each node with the line of env.py it stands at: a delegated function's, its call's
    nodes = [(n, getattr(n, "lineno", 1)) for n in ast.walk(tree)]
    nodes += [(n, at) for at, f in _delegated(tree, path.parent) for n in ast.walk(f)]
    from_caller = _from_caller([n for n, _ in nodes])
    for node, lineno in nodes:
        if isinstance(node, ast.Call) and _name(node.func) in ("configure", "run_migrations"):
            online = any(k.arg == "connection" for k in node.keywords)  # not offline mode's
            what = "online" if online and _name(node.func) == "configure" else _name(node.func)
            runs_at[what] = min(lineno, runs_at.get(what, lineno))
        if isinstance(node, ast.Call) and _name(node.func) == "configure":
            for keyword in node.keywords:
                value = keyword.value.value if isinstance(keyword.value, ast.Constant) else None
                if keyword.arg == "connection" and _given_by_caller(keyword.value, from_caller):
                    caller = True
                if keyword.arg == "transaction_per_migration" and isinstance(value, bool):
                    per_migration = value if per_migration is None else per_migration or value
                if keyword.arg == "transactional_ddl" and isinstance(value, bool):
                    transactional = value if transactional is None else transactional and value
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            timeouts += [(m[1].lower(), m[2], lineno) for m in _TIMEOUT.finditer(node.value)]
        if isinstance(node, ast.Call):
            urls.read(node)
    line = next((runs_at[k] for k in ("online", "configure", "run_migrations") if k in runs_at), 1)
    return Environment(
        path,
        per_migration,
        transactional,
        tuple(timeouts),
        urls.dialect,
        urls.replaced,
        line,
        caller,
    )


def _delegated(tree: ast.Module, folder: Path) -> list[tuple[int, ast.FunctionDef]]:
    """The functions of the project's modules env.py hands its `context` to
    (`run_migrations_online(context, config, …)` imported from the application), each
    with the line of env.py that calls it: they configure and run the revisions in its
    place."""
    imported = {
        alias.asname or alias.name: (node.module, alias.name)
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module and not node.level
        for alias in node.names
    }
    found: list[tuple[int, ast.FunctionDef]] = []
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
        given = [*call.args, *(k.value for k in call.keywords)]
        where = imported.get(call.func.id) if isinstance(call.func, ast.Name) else None
        if where is None or not any(isinstance(a, ast.Name) and a.id == "context" for a in given):
            continue
        module = imported_module(folder, where[0])
        found += [
            (call.lineno, n)
            for n in (module.body if module is not None else [])
            if isinstance(n, ast.FunctionDef) and n.name == where[1]
        ]
    return found


def _from_caller(nodes: list[ast.AST]) -> frozenset[str]:
    """Names assigned what the caller put in the Alembic config's `attributes`."""
    return frozenset(
        target.id
        for node in nodes
        if isinstance(node, ast.Assign) and _caller_attribute(node.value)
        for target in node.targets
        if isinstance(target, ast.Name)
    )


def _given_by_caller(node: ast.expr, names: frozenset[str]) -> bool:
    return (isinstance(node, ast.Name) and node.id in names) or _caller_attribute(node)


def _caller_attribute(node: ast.expr) -> bool:
    """`config.attributes.get("connection")`, `config.attributes["connection"]`."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        node = node.func.value if node.func.attr == "get" else node
    elif isinstance(node, ast.Subscript):
        node = node.value
    return isinstance(node, ast.Attribute) and node.attr == "attributes"


class _Urls:
    """What env.py's calls say of the database URL."""

    def __init__(self) -> None:
        self.dialect: str | None = None
        self.replaced = False

    def read(self, call: ast.Call) -> None:
        name = _name(call.func)
        keywords = {k.arg: k.value for k in call.keywords}
        if name == "configure" and "dialect_name" in keywords:
            self._name(keywords["dialect_name"], lambda v: _SCHEMES.get(v.lower()))
        elif name == "configure" and "url" in keywords:
            self._name(keywords["url"], dialect_of_url, replaces=False)
        elif name == "create_engine" and call.args:
            self._name(call.args[0], dialect_of_url)
        elif name == "set_main_option" and len(call.args) == 2:
            key = call.args[0]
            if isinstance(key, ast.Constant) and key.value == "sqlalchemy.url":
                self._name(call.args[1], dialect_of_url)

    def _name(
        self, node: ast.expr, dialect: Callable[[str], str | None], replaces: bool = True
    ) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            self.dialect = self.dialect or dialect(node.value)
        elif replaces:
            self.replaced = True


def dialect_of_url(url: str) -> str | None:
    """The dialect a SQLAlchemy URL names (`mysql+pymysql://…` → mysql); None for a
    placeholder such as alembic's template `driver://user:pass@localhost/dbname`."""
    scheme, found, _ = url.partition("://")
    return _SCHEMES.get(scheme.partition("+")[0].strip().lower()) if found else None


def _ini_dialect(version_folder: Path) -> str | None:
    """The dialect of `sqlalchemy.url` in the nearest `alembic.ini` above the folder."""
    return dialect_of_url(ini_option(version_folder, "sqlalchemy.url"))


def _name(node: ast.expr) -> str:
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
