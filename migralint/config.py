"""Settings: `[tool.migralint]` in pyproject.toml or a `migralint.toml`, validated.

Found by walking up from the first linted path, no higher than the repository root; a
`.squawk.toml` is read only when there is no migralint configuration. Unknown keys and
bad values are errors that name the key and suggest the closest valid one; rule ids are
checked against the loaded rule packs by `RuleSet.selected`.

A configuration file is part of the linted tree (a pull request can change it), so its
`rule_paths` are code the run imports only when the person running it says so: see
`trusting`.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
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
DEFAULT_MAX_FILE_SIZE = 4 * 1024 * 1024  # bytes; larger files are a finding, not linted
DEFAULT_TIME_BUDGET = 10.0  # seconds per file
MAX_CONFIG_SIZE = 1024 * 1024  # a configuration file larger than this is refused
LOAD_RULE_PATHS_ENV = "MIGRALINT_LOAD_RULE_PATHS"
_SIZE = re.compile(r"\s*(\d{1,15})\s*(?:([kmg])i?)?b?\s*", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


class ConfigError(Exception):
    """A configuration problem the user must fix; the CLI exits with code 2."""


@dataclass(frozen=True)
class Settings:
    """Everything that changes a lint run's verdicts."""

    dialect: str | None = None
    pg_version: tuple[int, int] = DEFAULT_PG_VERSION
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()  # added to `select` (or to the defaults)
    extend_ignore: tuple[str, ...] = ()  # added to `ignore`
    severity: Mapping[str, Severity] = field(default_factory=dict)
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    assume_in_transaction: bool = False
    rule_paths: tuple[Path, ...] = ()
    exclude: tuple[str, ...] = ()
    fresh_install: tuple[str, ...] = ()
    transaction: Mapping[str, str] = field(default_factory=dict)  # glob → per-file|implicit|none
    deployment: Mapping[str, str] = field(default_factory=dict)  # glob → online|offline
    lint_downs: str = "rollback"  # rollback | all: which rules judge down migrations
    alembic_render: bool = False  # --alembic-render: run revisions in Alembic's offline mode
    squawk_excluded: tuple[str, ...] = ()  # .squawk.toml excluded_rules; unknown names pass
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    time_budget: float = DEFAULT_TIME_BUDGET
    code_paths: tuple[str, ...] = ()  # git glob pathspecs of the application's code
    release_tag_pattern: str = "v*"  # the tags that mark releases (git describe --match)
    skipped_rule_paths: tuple[Path, ...] = ()  # configured, not loaded: see `trusting`
    source: Path | None = None  # the file the settings came from

    def merged(self, **overrides: Any) -> Settings:
        """A copy with the non-None overrides applied (CLI options win over the file)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    def with_rule_options(
        self,
        select: tuple[str, ...] | None = None,
        ignore: tuple[str, ...] | None = None,
        extend_select: tuple[str, ...] = (),
        extend_ignore: tuple[str, ...] = (),
    ) -> Settings:
        """The command line's rule choice over the file's, layered as ruff does: a given
        `select` replaces the file's `select` and `extend_select`, a given `ignore` its
        `ignore` and `extend_ignore`, and the extend options add to what stands."""
        own_select = (select, ()) if select is not None else (self.select, self.extend_select)
        own_ignore = (ignore, ()) if ignore is not None else (self.ignore, self.extend_ignore)
        return replace(
            self,
            select=own_select[0],
            extend_select=own_select[1] + extend_select,
            ignore=own_ignore[0],
            extend_ignore=own_ignore[1] + extend_ignore,
        )

    def folded(self, defaults: Iterable[str]) -> Settings:
        """`extend_select` and `extend_ignore` moved into `select` and `ignore`, where the
        rule set's choice reads them; extending no `select` extends `defaults` (the ids of
        the rules that run by default)."""
        if not (self.extend_select or self.extend_ignore):
            return self
        select = self.select or (tuple(defaults) if self.extend_select else ())
        return replace(
            self,
            select=select + self.extend_select,
            extend_select=(),
            ignore=self.ignore + self.extend_ignore,
            extend_ignore=(),
        )

    def rule_ids(self) -> Iterable[tuple[str, str]]:
        """(where, id) for every rule id the settings mention, for validation."""
        for rid in self.select:
            yield "select", rid
        for rid in self.ignore:
            yield "ignore", rid
        for rid in self.extend_select:
            yield "extend_select", rid
        for rid in self.extend_ignore:
            yield "extend_ignore", rid
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
    "extend_select",
    "extend_ignore",
    "severity",
    "per_file_ignores",
    "assume_in_transaction",
    "rule_paths",
    "exclude",
    "fresh_install",
    "transaction",
    "deployment",
    "lint_downs",
    "max_file_size",
    "time_budget",
    "code_paths",
    "release_tag_pattern",
)
TRANSACTION_MODES = ("per-file", "implicit", "none")
DEPLOYMENT_MODES = ("online", "offline")
LINT_DOWNS_MODES = ("rollback", "all")
EVERY_FILE = "*"  # the glob a single `deployment = "offline"` stands for


def suggest(word: str, choices: Iterable[str]) -> str:
    """`; did you mean 'x'?` when a close choice exists, else ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def find_config(start: Path) -> Path | None:
    """The nearest migralint.toml, or pyproject.toml with [tool.migralint], from start up
    to the repository root (the folder holding `.git`); else the nearest .squawk.toml."""
    folders = _folders_up_to_repository(start)
    for folder in folders:
        own = folder / "migralint.toml"
        if _safely(own.is_file):
            return own
        pyproject = folder / "pyproject.toml"
        if _safely(pyproject.is_file) and "[tool.migralint" in _read_config(pyproject):
            return pyproject
    squawks = (folder / ".squawk.toml" for folder in folders)
    return next((squawk for squawk in squawks if _safely(squawk.is_file)), None)


def _folders_up_to_repository(start: Path) -> list[Path]:
    """The folder of `start` and those above it, up to the repository root if any."""
    try:
        here = start.resolve()
    except (OSError, RuntimeError, ValueError):  # a loop, a NUL: search from where it stands
        here = Path(os.path.abspath(start))
    if not _safely(here.is_dir):
        here = here.parent
    folders: list[Path] = []
    for folder in (here, *here.parents):
        folders.append(folder)
        if _safely((folder / ".git").exists):
            break
    return folders


def _safely(check: Callable[[], bool]) -> bool:
    """A path test that is False, not an exception, in a folder we may not read."""
    try:
        return check()
    except (OSError, ValueError):
        return False


def _read_config(path: Path) -> str:
    """The text of a configuration file, at most MAX_CONFIG_SIZE bytes of it."""
    from migralint.sources.files import InputError, read_file

    try:
        return read_file(str(path), MAX_CONFIG_SIZE).decode("utf-8")
    except InputError as error:
        raise ConfigError(f"{path}: {error}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: cannot read: not UTF-8 ({error.reason})") from None


def load_settings(path: Path) -> Settings:
    """Read and validate one configuration file."""
    try:
        data = tomllib.loads(_read_config(path))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None
    except ValueError as error:  # e.g. an integer of thousands of digits
        raise ConfigError(f"{path}: invalid TOML: {_clip(str(error))}") from None
    if path.name == ".squawk.toml":
        return squawk_settings(data, path)
    return parse_settings(_migralint_table(data, path), path)


def _migralint_table(data: Mapping[str, Any], path: Path) -> Mapping[str, Any]:
    """`[tool.migralint]`; in a migralint.toml without it, the whole file."""
    whole = {} if path.name == "pyproject.toml" else data
    tool = data.get("tool")
    if tool is None:
        return whole
    if not isinstance(tool, Mapping):
        raise ConfigError(f"{path}: 'tool' must be a table")
    if "migralint" not in tool:
        return whole
    if not isinstance(tool["migralint"], Mapping):
        raise ConfigError(f"{path}: 'tool.migralint' must be a table")
    return tool["migralint"]


def trusting(settings: Settings, load_rule_paths: bool | None = None) -> Settings:
    """The settings with their `rule_paths` kept only when the run enables them.

    `load_rule_paths` is the command line's choice (`--load-rule-paths`); None falls back
    to the MIGRALINT_LOAD_RULE_PATHS environment variable, which a CI workflow sets on
    purpose. Paths not loaded move to `skipped_rule_paths`, for `rule_paths_notice`.
    """
    if load_rule_paths is None:
        load_rule_paths = load_rule_paths_from_env()
    if load_rule_paths or not settings.rule_paths:
        return settings
    return replace(settings, rule_paths=(), skipped_rule_paths=settings.rule_paths)


def load_rule_paths_from_env() -> bool:
    value = os.environ.get(LOAD_RULE_PATHS_ENV, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{LOAD_RULE_PATHS_ENV} must be 1 or 0, not {_clip(value)!r}")


def rule_paths_notice(settings: Settings) -> str | None:
    """One line saying which configured rule packs were not loaded, and how to load them."""
    if not settings.skipped_rule_paths:
        return None
    where = f" from {settings.source}" if settings.source else ""
    packs = ", ".join(str(p) for p in settings.skipped_rule_paths)
    return (
        f"not loading rule_paths{where} ({packs}): they run code from the linted tree; "
        f"pass --load-rule-paths or set {LOAD_RULE_PATHS_ENV}=1 to load them"
    )


def parse_settings(data: Mapping[str, Any], source: Path | None = None) -> Settings:
    where = f"{source}: " if source else ""
    for key in data:
        if key not in KEYS:
            raise ConfigError(f"{where}unknown key {_clip(key)!r}{suggest(key, KEYS)}")
    base = source.parent if source else Path.cwd()
    values: dict[str, Any] = {"source": source}
    if "dialect" in data:
        values["dialect"] = parse_dialect(_string(data, "dialect", where), where)
    if "pg_version" in data:
        values["pg_version"] = parse_pg_version(_scalar(data, "pg_version", where), where)
    for key in ("select", "ignore", "extend_select", "extend_ignore"):
        if key in data:
            values[key] = _strings(data, key, where)
    for key in ("exclude", "fresh_install"):
        if key in data:
            values[key] = _globs(data, key, where)
    if "rule_paths" in data:
        values["rule_paths"] = tuple(
            _rule_path(base, p, where) for p in _strings(data, "rule_paths", where)
        )
    if "max_file_size" in data:
        values["max_file_size"] = parse_size(_scalar(data, "max_file_size", where), where)
    if "time_budget" in data:
        values["time_budget"] = parse_seconds(_scalar(data, "time_budget", where), where)
    if "code_paths" in data:
        values["code_paths"] = tuple(
            _git_pattern(p, "code_paths", where) for p in _strings(data, "code_paths", where)
        )
    if "release_tag_pattern" in data:
        values["release_tag_pattern"] = _git_pattern(
            _string(data, "release_tag_pattern", where), "release_tag_pattern", where
        )
    if "assume_in_transaction" in data:
        if not isinstance(data["assume_in_transaction"], bool):
            raise ConfigError(f"{where}'assume_in_transaction' must be true or false")
        values["assume_in_transaction"] = data["assume_in_transaction"]
    if "severity" in data:
        values["severity"] = parse_severities(_table(data, "severity", where), where)
    if "transaction" in data:
        values["transaction"] = parse_transactions(_table(data, "transaction", where), where)
    if "deployment" in data:
        values["deployment"] = parse_deployment(data["deployment"], where)
    if "lint_downs" in data:
        values["lint_downs"] = _choice(
            _string(data, "lint_downs", where), "'lint_downs'", LINT_DOWNS_MODES, where
        )
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
        values["pg_version"] = parse_pg_version(_scalar(data, "pg_version", where), where)
    if isinstance(data.get("assume_in_transaction"), bool):
        values["assume_in_transaction"] = data["assume_in_transaction"]
    return Settings(**values)


def parse_dialect(value: str, where: str = "") -> str:
    value = {"postgresql": "postgres", "pg": "postgres", "sqlite3": "sqlite"}.get(value, value)
    if value not in DIALECT_CHOICES:
        raise ConfigError(
            f"{where}'dialect' must be one of {', '.join(DIALECT_CHOICES)}, not {_clip(value)!r}"
            f"{suggest(value, DIALECT_CHOICES)}"
        )
    return value


def parse_pg_version(value: str, where: str = "") -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d{1,3})(?:\.(\d{1,3}))?\s*", value)
    if not m or not 9 <= int(m[1]) <= 30:
        raise ConfigError(f"{where}'pg_version' must look like 15 or 14.2, not {_clip(value)!r}")
    return int(m[1]), int(m[2]) if m[2] else LATEST_MINOR


def parse_size(value: str, where: str = "") -> int:
    """A byte count: `4000000`, `512KB`, `4MB` (binary units)."""
    m = _SIZE.fullmatch(value)
    if not m or int(m[1]) == 0:
        raise ConfigError(
            f"{where}'max_file_size' must be a size in bytes such as 4MB, not {_clip(value)!r}"
        )
    return int(m[1]) * _UNITS[(m[2] or "").lower()]


def parse_seconds(value: str, where: str = "") -> float:
    """A positive number of seconds."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < float("inf"):
        raise ConfigError(
            f"{where}'time_budget' must be a positive number of seconds, not {_clip(value)!r}"
        )
    return seconds


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


def parse_deployment(value: object, where: str = "") -> dict[str, str]:
    """`"online"`/`"offline"` for every file, or `{glob = mode}` (first match wins; the
    files no glob matches deploy online)."""
    if isinstance(value, str):
        return {EVERY_FILE: _choice(value, "'deployment'", DEPLOYMENT_MODES, where)}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}'deployment' must be online, offline or a table of globs")
    for pattern, mode in value.items():
        _choice(mode, f"deployment for {pattern!r}", DEPLOYMENT_MODES, where)
    return dict(value)


def _choice(value: object, what: str, choices: Sequence[str], where: str = "") -> str:
    """`value` when it is one of `choices`; else an error naming the closest one."""
    if isinstance(value, str) and value in choices:
        return value
    hint = suggest(str(value), choices)
    raise ConfigError(
        f"{where}{what} must be one of {', '.join(choices)}, not {_clip(str(value))!r}{hint}"
    )


def _clip(text: str, width: int = 60) -> str:
    """`text` cut to `width` characters, so that a message stays one short line."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _scalar(data: Mapping[str, Any], key: str, where: str) -> str:
    """A string or number value as text (`pg_version = 14.2` and `= "14.2"` alike)."""
    value = data[key]
    if (
        isinstance(value, bool)
        or not isinstance(value, (str, int, float))
        or (isinstance(value, int) and abs(value) > 10**15)
    ):
        raise ConfigError(f"{where}{key!r} must be a short string or number")
    return value if isinstance(value, str) else repr(value)


def _globs(data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    from migralint.sources.discover import check_glob

    patterns = _strings(data, key, where)
    for pattern in patterns:
        problem = check_glob(pattern)
        if problem:
            raise ConfigError(f"{where}{key!r}: {_clip(pattern)!r} is not a valid glob: {problem}")
    return patterns


def _git_pattern(text: str, key: str, where: str) -> str:
    """A glob git matches (a pathspec or a tag pattern): non-empty, one short line."""
    bad = text.startswith("-") or any(c in text for c in "\0\n\r")
    if not text.strip() or len(text) > 1024 or bad:
        raise ConfigError(f"{where}{key!r}: {_clip(text)!r} is not a usable git pattern")
    return text


def _rule_path(base: Path, text: str, where: str) -> Path:
    """A `rule_paths` entry, resolved against the configuration's folder."""
    problem = _bad_path(text)
    if problem is None:
        try:
            return (base / text).resolve()
        except (OSError, RuntimeError) as error:
            problem = f"it cannot be resolved ({_clip(str(error))})"
    raise ConfigError(f"{where}'rule_paths' entry {_clip(text)!r} is not a folder: {problem}")


def _bad_path(text: str) -> str | None:
    if not text.strip():
        return "an empty path would load every module of the folder"
    if "\0" in text:
        return "it holds a NUL character"
    if len(text) > 1024 or any(len(part) > 255 for part in text.split("/")):
        return "it is too long"
    return None


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


def settings_for(
    paths: Sequence[str | Path], config: Path | None = None, *, load_rule_paths: bool | None = None
) -> Settings:
    """Settings from the given file, or from the one found above the first path.

    Its `rule_paths` are kept only when `load_rule_paths` (None: the environment, see
    `config.trusting`) enables them; `config.rule_paths_notice` says what was left out.
    """
    found = config or find_config(Path(paths[0]) if paths else Path.cwd())
    return trusting(load_settings(found) if found else Settings(), load_rule_paths)
