"""How `alembic upgrade` runs revisions, as --show-context says it: one transaction for
every pending revision by default; on a connection env.py's caller hands it
(`config.attributes["connection"]`), read in env.py or in the project's function env.py
hands its context to, the caller decides, and that is shown as assumed."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from migralint.cli import main
from migralint.config import Settings
from migralint.engine import lint_paths

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "alembic"
CALLER = FIXTURES / "caller_connection"
PROJECTS = [CALLER / "inline", CALLER / "app" / "storage" / "migrations"]


def _show_context(root: Path) -> list[str]:
    shown = CliRunner().invoke(main, ["check", "--show-context", "--exit-zero", str(root)])
    assert shown.exit_code == 0, shown.output
    return shown.output.split("\n\n")[0].splitlines()


@pytest.mark.parametrize("project", PROJECTS, ids=["env.py", "the project's runner"])
def test_a_connection_from_the_caller_leaves_the_transaction_assumed(project: Path) -> None:
    (row,) = [line for line in _show_context(project) if line.startswith("  transaction")]
    assert row.startswith(
        "  transaction   no transaction (assumed: env.py runs on the connection its caller "
        "hands it (config.attributes)"
    )
    assert "assume_in_transaction = true" in row  # the setting that states it


@pytest.mark.parametrize("project", PROJECTS, ids=["env.py", "the project's runner"])
def test_concurrently_is_not_judged_as_inside_a_transaction_only_assumed(project: Path) -> None:
    rules = {f.rule for f in lint_paths([project], Settings()).findings}
    own = lint_paths([CALLER / "own_engine"], Settings()).findings
    assert "concurrent-index-in-transaction" in {f.rule for f in own}
    assert "concurrent-index-in-transaction" not in rules
    stated = lint_paths([project], Settings(assume_in_transaction=True)).findings
    assert "concurrent-index-in-transaction" in {f.rule for f in stated}


def test_alembic_upgrade_runs_every_pending_revision_in_one_transaction() -> None:
    shown = _show_context(CALLER / "own_engine")
    assert shown[3] == (
        "  transaction   one transaction for all the files a run applies: env.py: alembic "
        "upgrade, on transactional DDL (transaction_per_migration=True would give each "
        "revision its own)"
    )


def test_show_context_counts_the_graphs_heads() -> None:
    shown = _show_context(CALLER / "inline")
    assert shown[2] == "  graph         2 revisions, 1 head"
