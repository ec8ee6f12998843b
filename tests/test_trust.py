"""What a pull request cannot make migralint do: run its code, or pick a configuration
from outside the repository."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import write_tree

from migralint.cli import main
from migralint.config import LOAD_RULE_PATHS_ENV, find_config
from migralint.engine import settings_for

DROP = "ALTER TABLE users DROP COLUMN email;\n"
TEAM_RULE = '''"""Marks that it ran.

## What it does
Flags DROP COLUMN.
"""
import pathlib

from migralint.rule import rule
from migralint.sql.ops import DropColumn

pathlib.Path({marker!r}).write_text("imported")


@rule("team-no-drop", category="destructive")
def check(op: DropColumn, ctx):
    yield ctx.finding(op, "team rule", "no drops here")
'''


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(autouse=True)
def _no_trust_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(LOAD_RULE_PATHS_ENV, raising=False)


def planted_repository(root: Path) -> Path:
    """A repository whose pull request plants a config that imports an exiting module."""
    marker = root / "MARKER"
    write_tree(
        root,
        {
            ".git/HEAD": "ref: refs/heads/main\n",
            "migrations/V1__drop.sql": DROP,
            "migrations/migralint.toml": 'rule_paths = [".x"]\n',
            "migrations/.x/evil.py": (
                f"import pathlib, sys\npathlib.Path({str(marker)!r}).write_text('ran')\n"
                "sys.exit(0)\n"
            ),
        },
    )
    return marker


def test_a_planted_rule_path_is_not_imported_and_the_drop_is_still_reported(
    tmp_path: Path,
) -> None:
    marker = planted_repository(tmp_path)
    code, out, err = run("check", "--format", "json", str(tmp_path / "migrations"))
    assert not marker.exists()
    assert code == 1
    assert "drop-column" in [row["rule"] for row in json.loads(out)]
    assert err.count("not loading rule_paths") == 1
    assert "--load-rule-paths" in err and LOAD_RULE_PATHS_ENV in err
    code, out, err = run("rules", "--config", str(tmp_path / "migrations" / "migralint.toml"))
    assert code == 0 and not marker.exists()
    assert "not loading rule_paths" in err


def test_rule_paths_load_when_the_run_asks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "MARKER"
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.migralint]\nrule_paths = ["team"]\n',
            "team/no_drop.py": TEAM_RULE.format(marker=str(marker)),
            "db/V1__x.sql": DROP,
        },
    )
    code, out, err = run("check", "--load-rule-paths", "--format", "json", str(tmp_path / "db"))
    assert marker.exists() and "not loading" not in err
    assert "team-no-drop" in [row["rule"] for row in json.loads(out)]
    config = str(tmp_path / "pyproject.toml")
    code, out, _ = run("rules", "--format", "json", "--config", config)
    assert "team-no-drop" not in [row["id"] for row in json.loads(out)]
    monkeypatch.setenv(LOAD_RULE_PATHS_ENV, "1")
    code, out, _ = run("rules", "--format", "json", "--config", config)
    assert "team-no-drop" in [row["id"] for row in json.loads(out)]
    monkeypatch.setenv(LOAD_RULE_PATHS_ENV, "maybe")
    code, _, err = run("check", str(tmp_path / "db"))
    assert code == 2 and f"{LOAD_RULE_PATHS_ENV} must be 1 or 0" in err


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ('""', "an empty path would load every module"),
        ('"  "', "an empty path would load every module"),
        ('"tools\\u0000x"', "it holds a NUL character"),
        (f'"{"x" * 5000}"', "it is too long"),
    ],
)
def test_bad_rule_paths_are_a_configuration_error_and_import_nothing(
    tmp_path: Path, entry: str, expected: str
) -> None:
    marker = tmp_path / "MARKER"
    write_tree(
        tmp_path,
        {
            "migralint.toml": f"rule_paths = [{entry}]\n",
            "setup.py": f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n",
            "db/V1__x.sql": DROP,
        },
    )
    code, _, err = run("check", "--load-rule-paths", str(tmp_path / "db"))
    assert code == 2 and expected in err
    assert len(err.splitlines()) == 1 and len(err) < 300
    assert not marker.exists()


def test_config_search_stops_at_the_repository_root(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"migralint.toml": 'ignore = ["ALL"]\n', "repo/db/V1__x.sql": DROP},
    )
    db = tmp_path / "repo" / "db"
    assert find_config(db) == tmp_path / "migralint.toml"  # no repository: up to the top
    (tmp_path / "repo" / ".git").mkdir()
    assert find_config(db) is None
    code, out, _ = run("check", "--format", "json", str(db))
    assert code == 1 and "drop-column" in out


def test_a_squawk_config_in_a_subfolder_does_not_override_tool_migralint(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            ".git/HEAD": "",
            "pyproject.toml": '[tool.migralint]\nseverity = { drop-column = "warning" }\n',
            "db/.squawk.toml": 'excluded_rules = ["require-lock-timeout"]\n',
            "db/V1__x.sql": "SET lock_timeout = '1s';\n" + DROP,
        },
    )
    assert settings_for([tmp_path / "db"]).source == tmp_path / "pyproject.toml"
    code, out, _ = run("check", "--format", "json", str(tmp_path / "db"))
    assert [(r["rule"], r["severity"]) for r in json.loads(out)] == [("drop-column", "warning")]
    assert code == 0
    (tmp_path / "pyproject.toml").unlink()  # without a migralint configuration, squawk's counts
    assert settings_for([tmp_path / "db"]).source == tmp_path / "db" / ".squawk.toml"
