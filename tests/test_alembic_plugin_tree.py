"""A plugin's revision tree without an env.py of its own is run by the application, with
the application's env.py: its settings (timeouts, transactions) hold for the plugin."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from migralint.cli import main
from migralint.config import Settings
from migralint.engine import lint_paths

PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "alembic" / "plugin_tree"
PLUGIN = PROJECT / "app" / "plugins" / "notes" / "migrations"


def test_the_plugin_tree_takes_the_projects_lock_timeout(tmp_path: Path) -> None:
    rules = {f.rule for f in lint_paths([PLUGIN], Settings()).findings}
    assert "require-lock-timeout" not in rules
    assert "new-column-made-required" in rules  # the plugin's revision is judged
    alone = tmp_path / "migrations"  # the same tree, no project around it
    alone.mkdir()
    for revision in PLUGIN.glob("*.py"):
        (alone / revision.name).write_text(revision.read_text())
    assert "require-lock-timeout" in {f.rule for f in lint_paths([alone], Settings()).findings}


def test_show_context_says_whose_env_py_runs_the_plugin() -> None:
    shown = CliRunner().invoke(main, ["check", "--show-context", "--exit-zero", str(PLUGIN)])
    (row,) = [line for line in shown.output.splitlines() if line.startswith("  transaction")]
    assert row == (
        "  transaction   one transaction per file: migrations/env.py (the project's: this "
        "tree has none): transaction_per_migration=True"
    )


def test_a_borrowed_env_py_without_lock_timeout_is_reported_once(tmp_path: Path) -> None:
    """The project's env.py sets no lock_timeout: the plugin tree that borrows it (and
    may be run another way) is judged by its own revisions, not given a finding at the
    project's env.py (which its own set reports, when its revisions take a lock)."""
    project = Path(shutil.copytree(PROJECT, tmp_path / "project"))
    env = project / "migrations" / "env.py"
    setting = """connection.execute(text("SET lock_timeout = '2s'"))"""
    env.write_text(env.read_text().replace(setting, "pass"))
    found = lint_paths([project], Settings()).findings
    timeouts = [Path(f.path) for f in found if f.rule == "require-lock-timeout"]
    assert env not in timeouts
    assert any(path.name == "n1_pinned.py" for path in timeouts)
