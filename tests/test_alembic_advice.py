"""Help on an Alembic revision says how to do it in Alembic."""

from __future__ import annotations

from pathlib import Path

from migralint.config import Settings
from migralint.engine import lint_paths

SHOP = Path(__file__).resolve().parents[1] / "fixtures" / "alembic" / "shop"


def test_what_cannot_run_in_a_transaction_goes_into_an_autocommit_block() -> None:
    result = lint_paths([SHOP], Settings(select=("require-concurrent-index-creation",)))
    [finding] = [f for f in result.findings if f.path.endswith("b2_every_op.py")]
    assert "with op.get_context().autocommit_block():" in finding.help
    assert "no BEGIN" not in finding.help
