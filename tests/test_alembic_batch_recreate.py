"""`batch_alter_table(recreate="always")` moves and copies the table outside SQLite:
one alembic-batch-recreate finding at the `with` line of an existing table's block."""

from __future__ import annotations

from pathlib import Path

from migralint.config import Settings
from migralint.engine import lint_paths

PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "alembic" / "batch_recreate"
RULE = ("alembic-batch-recreate",)


def test_an_existing_tables_move_and_copy_is_flagged_at_its_with_line() -> None:
    """r2 rebuilds orders (flagged) and a table it created itself (not); r3 moves and
    copies only on SQLite."""
    result = lint_paths([PROJECT], Settings(select=RULE))
    revision = PROJECT / "versions" / "r2_widen_note.py"
    lines = revision.read_text(encoding="utf-8").splitlines()
    assert [(Path(f.path).name, lines[f.line - 1].strip()) for f in result.findings] == [
        ("r2_widen_note.py", 'with op.batch_alter_table("orders", recreate="always") as batch_op:')
    ]
    assert "rows written to it while the copy runs are lost" in result.findings[0].message


def test_offline_the_copy_loses_no_writes_but_the_drop_can_still_fail() -> None:
    result = lint_paths([PROJECT], Settings(select=RULE, deployment={"*": "offline"}))
    [finding] = result.findings
    assert "lost" not in finding.message and "foreign key" in finding.message


def test_sqlite_is_where_move_and_copy_belongs() -> None:
    """Linted for SQLite, r2's and r3's blocks are what SQLite needs."""
    assert lint_paths([PROJECT], Settings(select=RULE, dialect="sqlite")).findings == []
