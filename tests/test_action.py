"""The composite GitHub Action (action.yml): its structure, and its check step run locally.

The check step's script runs here under bash as GitHub runs it (`bash --noprofile --norc
-eo pipefail`), with the environment GitHub would give it and this venv's migralint in
place of the one the install step puts in the action's own virtual environment. The
install step (a pip install of the action's checkout) and actions/setup-python are not
run here.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import REPO

from migralint.cli import main


def _plain(log: str) -> str:
    """The log without the colour codes the action's --color adds."""
    return re.sub(r"\x1b\[[0-9;]*m", "", log)


ACTION = REPO / "action.yml"
MIGRATIONS = REPO / "fixtures" / "precommit" / "migrations"
MIGRALINT = Path(sys.executable).with_name("migralint")


def _action() -> dict[str, Any]:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def _step(step_id: str) -> dict[str, Any]:
    (step,) = [s for s in _action()["runs"]["steps"] if s.get("id") == step_id]
    return step


def _formats() -> tuple[str, ...]:
    (option,) = [p for p in main.commands["check"].params if "--format" in p.opts]
    return tuple(option.type.choices)


def test_action_is_a_composite_with_the_documented_inputs_and_outputs() -> None:
    action = _action()
    assert action["name"] == "migralint" and action["description"]
    inputs = action["inputs"]
    assert set(inputs) == {"paths", "args", "python-version", "report", "since", "sarif"}
    assert all(not spec.get("required", False) for spec in inputs.values())
    assert inputs["paths"]["default"] == "."
    assert inputs["args"]["default"] == ""
    assert re.fullmatch(r"3\.1\d", inputs["python-version"]["default"])
    assert inputs["report"]["default"] == "migralint-report.json"
    assert inputs["since"]["default"] == inputs["sarif"]["default"] == ""
    assert action["outputs"]["report"]["value"] == "${{ steps.check.outputs.report }}"
    assert action["outputs"]["findings"]["value"] == "${{ steps.check.outputs.findings }}"

    runs = action["runs"]
    assert runs["using"] == "composite"
    setup, install, check, upload = runs["steps"]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["if"] == "always() && inputs.sarif != ''"
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif }}"
    assert setup["uses"].startswith("actions/setup-python@")
    assert setup["if"] == "inputs.python-version != ''"
    assert setup["with"]["python-version"] == "${{ inputs.python-version }}"
    # The action installs itself: the checkout GitHub made of this repository at its ref.
    assert (
        '-m pip install --quiet --disable-pip-version-check "$GITHUB_ACTION_PATH"'
        in (install["run"])
    )
    assert check["env"] == {
        "MIGRALINT": "${{ steps.install.outputs.migralint }}",
        "MIGRALINT_PYTHON": "${{ steps.install.outputs.python }}",
        "MIGRALINT_PATHS": "${{ inputs.paths }}",
        "MIGRALINT_ARGS": "${{ inputs.args }}",
        "MIGRALINT_REPORT": "${{ inputs.report }}",
        "MIGRALINT_SINCE": "${{ inputs.since }}",
        "MIGRALINT_SARIF": "${{ inputs.sarif }}",
    }
    for step in (install, check):
        assert step["shell"] == "bash"
        # Inputs reach scripts through env only: an expression in `run` is pasted into the
        # script before bash reads it (script injection from a branch name or a PR field).
        assert "${{" not in step["run"]


def test_action_uses_only_formats_that_migralint_check_has() -> None:
    used = re.findall(r"--format[ =]([\w-]+)", ACTION.read_text(encoding="utf-8"))
    assert set(used) == {"text", "json", "sarif"}
    assert set(used) <= set(_formats())


def _run_check(
    cwd: Path,
    paths: str,
    args: str = "",
    report: str = "out/report.json",
    since: str = "",
    sarif: str = "",
) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    if not MIGRALINT.exists():
        pytest.skip(f"no migralint script beside {sys.executable}")
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not on PATH")
    script = cwd.parent / "check.sh"
    script.write_text(_step("check")["run"], encoding="utf-8")
    github_output = cwd.parent / "github_output"
    github_output.write_text("", encoding="utf-8")
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(cwd.parent),
        "NO_COLOR": "1",
        "GITHUB_OUTPUT": str(github_output),
        "MIGRALINT": str(MIGRALINT),
        "MIGRALINT_PYTHON": sys.executable,
        "MIGRALINT_PATHS": paths,
        "MIGRALINT_ARGS": args,
        "MIGRALINT_REPORT": report,
        "MIGRALINT_SINCE": since,
        "MIGRALINT_SARIF": sarif,
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    run = subprocess.run(
        [bash, "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = github_output.read_text(encoding="utf-8").splitlines()
    return run, dict(line.split("=", 1) for line in lines)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    workspace = tmp_path / "workspace"
    shutil.copytree(MIGRATIONS, workspace / "migrations")
    return workspace


def test_check_step_logs_text_writes_json_and_fails_on_an_error(workspace: Path) -> None:
    run, outputs = _run_check(workspace, "migrations", "--pg-version 15")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "\x1b[" in run.stdout  # the action passes --color: GitHub's log renders it
    log = _plain(run.stdout)
    assert "migrations/V2__drop_email.sql:3:1 drop-column" in log
    assert "2 files linted: 1 error" in log
    assert outputs == {"report": "out/report.json", "findings": "1"}
    (finding,) = json.loads((workspace / "out" / "report.json").read_text(encoding="utf-8"))
    assert finding["rule"] == "drop-column"
    assert finding["path"] == "migrations/V2__drop_email.sql"
    assert (finding["line"], finding["column"]) == (3, 1)


def test_check_step_passes_a_clean_migration(workspace: Path) -> None:
    run, outputs = _run_check(workspace, "migrations/V1__create_users.sql")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 file linted: no findings" in _plain(run.stdout)
    assert outputs == {"report": "out/report.json", "findings": "0"}
    assert json.loads((workspace / "out" / "report.json").read_text(encoding="utf-8")) == []


def test_check_step_splits_inputs_shell_style(workspace: Path) -> None:
    (workspace / "migrations").rename(workspace / "db migrations")
    run, outputs = _run_check(
        workspace,
        "'db migrations/V1__create_users.sql'\n  \"db migrations/V2__drop_email.sql\"\n",
        "--exit-zero --ignore 'require-lock-timeout'",
        report="migralint-report.json",
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 files linted: 1 error" in _plain(run.stdout)
    assert outputs == {"report": "migralint-report.json", "findings": "1"}


def test_check_step_exits_2_on_a_usage_error_or_bad_quoting(workspace: Path) -> None:
    run, outputs = _run_check(workspace, "missing.sql")
    assert run.returncode == 2, run.stdout + run.stderr
    assert "missing.sql: no such file or folder" in run.stderr
    assert outputs == {"report": "out/report.json", "findings": ""}

    run, outputs = _run_check(workspace, "migrations", "--ignore 'drop-column")
    assert run.returncode == 2, run.stdout + run.stderr
    assert "::error title=migralint::the args input has an unclosed quote" in run.stdout
    assert outputs == {}


def test_check_step_writes_sarif_when_asked(workspace: Path) -> None:
    run, outputs = _run_check(workspace, "migrations", sarif="out/migralint.sarif")
    assert run.returncode == 1, run.stdout + run.stderr
    sarif = json.loads((workspace / "out" / "migralint.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    (result,) = sarif["runs"][0]["results"]
    assert result["ruleId"] == "drop-column"
    assert outputs["findings"] == "1"


def test_check_step_reports_only_what_changed_since_a_ref(workspace: Path) -> None:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t.invalid", "-C", str(workspace)]
    env = {"PATH": "/usr/bin:/bin", "GIT_CONFIG_GLOBAL": "/dev/null", "HOME": str(workspace)}
    subprocess.run([*git, "init", "-q"], check=True, env=env)
    subprocess.run([*git, "add", "-A"], check=True, env=env)
    subprocess.run([*git, "commit", "-q", "--no-verify", "-m", "all"], check=True, env=env)
    # Everything is committed: the drop in the fixture is not new since HEAD.
    run, outputs = _run_check(workspace, "migrations", since="HEAD")
    assert run.returncode == 0, run.stdout + run.stderr
    assert outputs["findings"] == "0"
    # A ref that does not exist is a usage error, said in the log.
    run, _ = _run_check(workspace, "migrations", since="no-such-ref")
    assert run.returncode == 2, run.stdout + run.stderr
    assert "no-such-ref" in run.stderr
