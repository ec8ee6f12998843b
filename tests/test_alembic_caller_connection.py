"""How `alembic upgrade` runs revisions, as --show-context says it: one transaction for
every pending revision by default; on a connection env.py's caller hands it
(`config.attributes["connection"]`), read in env.py or in the project's function env.py
hands its context to, the caller decides: AUTOCOMMIT when a revision builds an index
CONCURRENTLY outside autocommit_block() (PostgreSQL refuses that in a transaction),
else SQLAlchemy's default, a transaction."""

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
def test_a_revision_that_needs_autocommit_says_the_callers_connection_is(project: Path) -> None:
    (row,) = [line for line in _show_context(project) if line.startswith("  transaction")]
    assert row == (
        "  transaction   no transaction: env.py runs on the connection its caller hands it, "
        "and c2_index.py line 10 builds or drops an index CONCURRENTLY outside "
        "autocommit_block(), which PostgreSQL refuses in a transaction: that connection is "
        "AUTOCOMMIT"
    )
    rules = {f.rule for f in lint_paths([project], Settings()).findings}
    own = lint_paths([CALLER / "own_engine"], Settings()).findings
    assert "concurrent-index-in-transaction" in {f.rule for f in own}
    assert "concurrent-index-in-transaction" not in rules


def test_a_callers_connection_no_revision_needs_in_autocommit_is_a_transaction() -> None:
    """An unguarded ADD COLUMN is no re-run hazard in a revision's own transaction: the
    finding appears only when the configuration says the files run without one."""
    project = CALLER / "transaction_by_default"
    (row,) = [line for line in _show_context(project) if line.startswith("  transaction")]
    assert row.startswith(
        "  transaction   one transaction per file: env.py runs on the connection its caller "
        "hands it, in a transaction unless the caller makes it AUTOCOMMIT"
    )
    assert row.endswith("env.py: transaction_per_migration=True")
    guard = "add-column-without-if-not-exists"
    assert guard not in {f.rule for f in lint_paths([project], Settings()).findings}
    without = Settings(transaction={"*": "none"})
    assert guard in {f.rule for f in lint_paths([project], without).findings}


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
