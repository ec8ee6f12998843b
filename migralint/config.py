"""Settings: `[tool.migralint]` in pyproject.toml or a `migralint.toml`, validated.

Found by walking up from the first linted path. Unknown keys and bad values are
errors that name the key and suggest the closest valid one; rule ids are checked
against the loaded rule packs by `Settings.check_rule_ids`.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from migralint.findings import SEVERITY_NAMES, Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

DIALECT_CHOICES = ("postgres", "mysql", "sqlite", "cockroach")
LATEST_MINOR = 99  # a bare major version means its latest minor release
DEFAULT_PG_VERSION = (15, LATEST_MINOR)


class ConfigError(Exception):
    """A configuration problem the user must fix; the CLI exits with code 2."""


@dataclass(frozen=True)
class Settings:
    """Everything that changes a lint run's verdicts."""

    dialect: str | None = None
    pg_version: tuple[int, int] = DEFAULT_PG_VERSION
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    assume_in_transaction: bool = False
    rule_paths: tuple[Path, ...] = ()
    exclude: tuple[str, ...] = ()
    fresh_install: tuple[str, ...] = ()
    transaction: Mapping[str, str] = field(default_factory=dict)  # glob → per-file|implicit|none
    squawk_excluded: tuple[str, ...] = ()  # .squawk.toml excluded_rules; unknown names pass
    source: Path | None = None  # the file the settings came from

    def merged(self, **overrides: Any) -> Settings:
        """A copy with the non-None overrides applied (CLI options win over the file)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    def rule_ids(self) -> Iterable[tuple[str, str]]:
        """(where, id) for every rule id the settings mention, for validation."""
        for rid in self.select:
            yield "select", rid
        for rid in self.ignore:
            yield "ignore", rid
        for rid in self.severity:
            yield "severity", rid
        for pattern, ids in self.per_file_ignores.items():
            for rid in ids:
                yield f"per_file_ignores[{pattern!r}]", rid


KEYS = (
    "dialect",
    "pg_version",
    "select",
    "ignore",
    "severity",
    "per_file_ignores",
    "assume_in_transaction",
    "rule_paths",
    "exclude",
    "fresh_install",
    "transaction",
)
TRANSACTION_MODES = ("per-file", "implicit", "none")


def suggest(word: str, choices: Iterable[str]) -> str:
    """`; did you mean 'x'?` when a close choice exists, else ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def find_config(start: Path) -> Path | None:
    """The nearest migralint.toml, or pyproject.toml with [tool.migralint], above start."""
    here = start.resolve()
    if here.is_file() or not here.exists():
        here = here.parent
    for folder in (here, *here.parents):
        own = folder / "migralint.toml"
        if own.is_file():
            return own
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "[tool.migralint" in pyproject.read_text(errors="replace"):
            return pyproject
        squawk = folder / ".squawk.toml"
        if squawk.is_file():
            return squawk
    return None


def load_settings(path: Path) -> Settings:
    """Read and validate one configuration file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from error
    if path.name == ".squawk.toml":
        return squawk_settings(data, path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("migralint", {})
    elif "tool" in data and "migralint" in data["tool"]:
        data = data["tool"]["migralint"]
    return parse_settings(data, path)


def parse_settings(data: Mapping[str, Any], source: Path | None = None) -> Settings:
    where = f"{source}: " if source else ""
    for key in data:
        if key not in KEYS:
            raise ConfigError(f"{where}unknown key {key!r}{suggest(key, KEYS)}")
    base = source.parent if source else Path.cwd()
    values: dict[str, Any] = {"source": source}
    if "dialect" in data:
        values["dialect"] = parse_dialect(_string(data, "dialect", where), where)
    if "pg_version" in data:
        values["pg_version"] = parse_pg_version(str(data["pg_version"]), where)
    for key in ("select", "ignore", "exclude", "fresh_install"):
        if key in data:
            values[key] = _strings(data, key, where)
    if "rule_paths" in data:
        values["rule_paths"] = tuple(
            (base / p).resolve() for p in _strings(data, "rule_paths", where)
        )
    if "assume_in_transaction" in data:
        if not isinstance(data["assume_in_transaction"], bool):
            raise ConfigError(f"{where}'assume_in_transaction' must be true or false")
        values["assume_in_transaction"] = data["assume_in_transaction"]
    if "severity" in data:
        values["severity"] = parse_severities(_table(data, "severity", where), where)
    if "transaction" in data:
        values["transaction"] = parse_transactions(_table(data, "transaction", where), where)
    if "per_file_ignores" in data:
        table = _table(data, "per_file_ignores", where)
        values["per_file_ignores"] = {
            pattern: _strings(table, pattern, f"{where}per_file_ignores: ") for pattern in table
        }
    return Settings(**values)


def squawk_settings(data: Mapping[str, Any], source: Path) -> Settings:
    """A squawk configuration, read for the keys migralint shares with squawk.

    `excluded_rules` names squawk rules; they switch off the migralint rules that carry
    the name as an alias, and names with no counterpart here are skipped.
    """
    where = f"{source}: "
    values: dict[str, Any] = {"source": source}
    if "excluded_rules" in data:
        values["squawk_excluded"] = _strings(data, "excluded_rules", where)
    if "pg_version" in data:
        values["pg_version"] = parse_pg_version(str(data["pg_version"]), where)
    if isinstance(data.get("assume_in_transaction"), bool):
        values["assume_in_transaction"] = data["assume_in_transaction"]
    return Settings(**values)


def parse_dialect(value: str, where: str = "") -> str:
    value = {"postgresql": "postgres", "pg": "postgres", "sqlite3": "sqlite"}.get(value, value)
    if value not in DIALECT_CHOICES:
        raise ConfigError(
            f"{where}'dialect' must be one of {', '.join(DIALECT_CHOICES)}, not {value!r}"
            f"{suggest(value, DIALECT_CHOICES)}"
        )
    return value


def parse_pg_version(value: str, where: str = "") -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)(?:\.(\d+))?\s*", value)
    if not m or not 9 <= int(m[1]) <= 30:
        raise ConfigError(f"{where}'pg_version' must look like 15 or 14.2, not {value!r}")
    return int(m[1]), int(m[2]) if m[2] else LATEST_MINOR


def parse_severities(table: Mapping[str, Any], where: str = "") -> dict[str, Severity]:
    found: dict[str, Severity] = {}
    for rid, level in table.items():
        if not isinstance(level, str) or level.lower() not in SEVERITY_NAMES:
            raise ConfigError(
                f"{where}severity for {rid!r} must be one of {', '.join(SEVERITY_NAMES)}, "
                f"not {level!r}"
            )
        found[rid] = Severity.parse(level)
    return found


def parse_transactions(table: Mapping[str, Any], where: str = "") -> dict[str, str]:
    """`{glob = mode}`: how the migration tool runs the matching files, overriding the layout."""
    for pattern, mode in table.items():
        if mode not in TRANSACTION_MODES:
            modes = ", ".join(TRANSACTION_MODES)
            hint = suggest(str(mode), TRANSACTION_MODES)
            raise ConfigError(
                f"{where}transaction for {pattern!r} must be one of {modes}, not {mode!r}{hint}"
            )
    return dict(table)


def _string(data: Mapping[str, Any], key: str, where: str) -> str:
    if not isinstance(data[key], str):
        raise ConfigError(f"{where}{key!r} must be a string")
    return data[key]


def _strings(data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data[key]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}{key!r} must be a list of strings")
    return tuple(value)


def _table(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    if not isinstance(data[key], Mapping):
        raise ConfigError(f"{where}{key!r} must be a table")
    return data[key]
