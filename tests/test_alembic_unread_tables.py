"""A revision call the reader cannot read (its table name comes from the application, a
batch block on a computed table) leaves what the catalog knew of the tables it may have
changed unknown: later revisions are not judged on the facts it may have changed."""

from __future__ import annotations

from pathlib import Path

from migralint.config import Settings
from migralint.engine import lint_paths

PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "alembic" / "unread_tables"


def _type_changes(root: Path) -> list[str]:
    found = lint_paths([root], Settings()).findings
    return [f.message for f in found if f.rule == "changing-column-type"]


def test_a_table_an_unread_call_may_have_changed_is_not_judged_as_known() -> None:
    (message,) = _type_changes(PROJECT)
    assert message.startswith("changing run_events.body to text may rewrite the table")
    assert "the old type is unknown" in message


def test_without_the_unread_call_the_known_type_decides(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    for name in ("u1_tables.py", "u3_later.py"):
        text = (PROJECT / "versions" / name).read_text()
        (versions / name).write_text(text.replace('down_revision = "u2"', 'down_revision = "u1"'))
    assert _type_changes(tmp_path) == []  # text to text: nothing changes
