"""A function of another module that a revision gives `op` is not read: its call is an
`alembic-unresolved-op` finding, never a silent pass."""

from __future__ import annotations

from pathlib import Path

from migralint.config import Settings
from migralint.engine import lint_paths

PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "alembic" / "imported_helper"


def test_an_imported_function_given_op_for_its_effect_is_unresolved() -> None:
    """h1 calls drop_foreign_keys(op, …) and drop_foreign_keys(batch_op, …) for their
    effect; column_names(op, …) only answers a question (its value is used)."""
    result = lint_paths([PROJECT], Settings(select=("alembic-unresolved-op",)))
    revision = PROJECT / "versions" / "h1_unlink.py"
    lines = revision.read_text(encoding="utf-8").splitlines()
    flagged = [lines[f.line - 1].strip() for f in result.findings]
    assert flagged == [
        'drop_foreign_keys(op, "orders")',
        'drop_foreign_keys(batch_op, "orders")',
    ]
    assert all("drop_foreign_keys(…)" in f.message for f in result.findings)
