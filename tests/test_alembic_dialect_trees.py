"""Per-dialect version trees (`versions/postgresql/`, `versions/sqlite/`) with one env.py
above `versions/`: its settings count for both, and `--show-context` says which dialect
each tree is linted as and how many revision files it holds."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from migralint.cli import main
from migralint.config import Settings
from migralint.engine import lint_paths

TREES = Path(__file__).resolve().parents[1] / "fixtures" / "alembic" / "dialect_trees"
VERSIONS = TREES / "_migrations" / "versions"


def test_the_env_py_above_versions_runs_both_trees() -> None:
    result = lint_paths([TREES], Settings())
    transactions = {(Path(i.path).name, i.transaction_reason) for i in result.contexts}
    assert ("s1_events.py", "env.py: transaction_per_migration=True") in transactions
    assert ("p1_events.py", "env.py: transaction_per_migration=True") in transactions
    # env.py sets lock_timeout for every revision
    assert "require-lock-timeout" not in {f.rule for f in result.findings}


def test_show_context_gives_each_trees_dialect_and_its_files() -> None:
    shown = CliRunner().invoke(main, ["check", "--show-context", "--exit-zero", str(TREES)])
    assert shown.exit_code == 0, shown.output
    blocks = {b.splitlines()[0]: b.splitlines()[1] for b in shown.output.split("\n\n")[:2]}
    # p1's upgrade is three parts (before, in and after its autocommit_block): one file
    assert blocks == {
        f"{VERSIONS / 'postgresql'}  (alembic: 1 up, 1 down)": "  dialect       postgres",
        f"{VERSIONS / 'sqlite'}  (alembic: 1 up, 1 down)": "  dialect       sqlite",
    }
