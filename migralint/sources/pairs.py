"""Up/down pairs: does an up migration have its down file, and does the project write
down files at all. Read from the folder when the run context is made, so that the
missing-down rule never touches the disk (a git revision will answer from its tree)."""

from __future__ import annotations

import functools
from pathlib import Path

PAIRED_TOOLS = ("golang-migrate", "sqlx", "morph", "popx", "diesel", "sqitch")
_BY_VERSION = ("golang-migrate", "sqlx", "morph")  # `31_add_x.up.sql`, `31_drop_x.down.sql`
_DIALECT_INFIXES = frozenset({"postgres", "mysql", "sqlite", "sqlite3", "cockroach"})


def down_facts(up: Path, tool: str, direction: str) -> tuple[bool | None, bool]:
    """(has a down file, the project writes down files) for an up file of a tool that
    pairs them; (None, False) for any other file."""
    if tool not in PAIRED_TOOLS or direction != "up" or not up.is_file():
        return None, False
    return has_down_file(up, tool), writes_down_files(up, tool)


def has_down_file(up: Path, tool: str) -> bool:
    """True when the up migration has a down migration beside it (any that the tool
    would run for this engine: popx falls back to the file without an engine infix)."""
    if tool == "diesel":
        return (up.parent / "down.sql").exists()
    if tool == "sqitch":
        revert = _sqitch_revert(up)
        return revert is not None and revert.is_file()
    if tool in _BY_VERSION:  # pairs by version alone
        return _version(up.name) in _down_files(up.parent, by_version=True)
    base, _, _ = up.name.partition(".")
    engine = _engine_infix(up.name)
    return any(not infix or infix == engine for infix in _down_files(up.parent).get(base, ()))


def writes_down_files(up: Path, tool: str) -> bool:
    """True when the project writes down migrations at all (else a missing one is policy)."""
    if tool == "diesel":
        return _diesel_writes_downs(up.parent.parent)
    if tool == "sqitch":
        revert = _sqitch_revert(up)
        return revert is not None and _sqitch_writes_reverts(revert.parents[_depth(up)])
    return bool(_down_files(up.parent))


def _sqitch_revert(deploy: Path) -> Path | None:
    """The revert script of a sqitch deploy script: the same name under the project's
    `revert/` beside its `deploy/` (a project that configures other folders has none
    found, so a missing one is not reported)."""
    parts = deploy.parts
    if "deploy" not in parts[:-1]:
        return None
    at = len(parts) - 1 - parts[::-1].index("deploy")
    return Path(*parts[:at], "revert", *parts[at + 1 :])


def _depth(deploy: Path) -> int:
    """How many folders below `deploy/` the script is (a change named `a/b`: 1)."""
    return deploy.parts[::-1].index("deploy") - 1


@functools.lru_cache(maxsize=64)
def _sqitch_writes_reverts(folder: Path) -> bool:
    try:
        return any(folder.rglob("*.sql"))
    except OSError:
        return False


@functools.lru_cache(maxsize=64)
def _diesel_writes_downs(root: Path) -> bool:
    try:
        return any((d / "down.sql").exists() for d in root.iterdir() if d.is_dir())
    except OSError:
        return False


def _engine_infix(name: str) -> frozenset[str]:
    """The engines a migration's name says it is for (`1_x.postgres.up.sql`)."""
    return _DIALECT_INFIXES.intersection(name.lower().split(".")[1:-2])


@functools.lru_cache(maxsize=64)
def _down_files(folder: Path, by_version: bool = False) -> dict[str, tuple[frozenset[str], ...]]:
    """A folder's down files as base name (before the first dot; `by_version`: the
    golang-migrate version before the first `_`) → each one's engines: read once per
    folder, so an up file's question is a look-up, not a scan."""
    found: dict[str, list[frozenset[str]]] = {}
    try:
        names = [p.name for p in folder.iterdir() if p.name.lower().endswith(".down.sql")]
    except OSError:
        return {}
    for name in names:
        base = _version(name) if by_version else name.partition(".")[0]
        found.setdefault(base, []).append(_engine_infix(name))
    return {base: tuple(infixes) for base, infixes in found.items()}


def _version(name: str) -> str:
    """golang-migrate's version of a file name: the digits before the first `_`."""
    return name.partition("_")[0]
