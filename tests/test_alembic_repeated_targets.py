"""Calls that a loop or a helper repeats on other tables: each run is judged and named
on its own table, and a value the reader cannot compute leaves that part unread."""

from __future__ import annotations

from pathlib import Path

import pytest

from migralint.config import Settings
from migralint.engine import lint_paths

# each run's own finding, not one rule's findings of the revision folded into one
pytestmark = pytest.mark.usefixtures("one_finding_per_statement")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "alembic"
PROJECT = FIXTURES / "repeated_targets"
LOOPS = PROJECT / "versions" / "a2_loops.py"


def _line(text: str) -> int:
    (line,) = [i for i, s in enumerate(LOOPS.read_text().splitlines(), 1) if text in s]
    return line


def _messages(rule: str, line: int) -> list[str]:
    found = lint_paths([PROJECT], Settings()).findings
    return [f.message for f in found if f.rule == rule and f.line == line and f.path == str(LOOPS)]


def test_each_pass_of_an_unpacking_loop_names_its_own_table() -> None:
    (message,) = _messages("drop-column", _line("op.drop_column(table, column)"))
    assert message.startswith("dropping column package_tag.package_id deletes its data")
    assert "and 1 more like it from this line" in message


def test_reversed_and_sorted_loops_are_followed_in_their_order() -> None:
    (index,) = _messages("require-concurrent-index-creation", _line("op.create_index("))
    assert index.startswith("creating ix_package_extra on package_extra")  # reversed
    (dropped,) = _messages("drop-constraint", _line("op.drop_constraint("))
    assert dropped.startswith("dropping constraint uq_package on package")  # sorted


def test_a_helper_called_twice_acts_on_each_callers_table() -> None:
    (message,) = _messages("drop-column", _line('op.drop_column(table, "id")'))
    assert message.startswith("dropping column kvs.id deletes")
    assert "and 1 more like it" in message  # instance_info.id, not kvs.id again


def test_a_computed_foreign_key_target_is_read_or_left_unread_never_blank() -> None:
    # (with a default, so that adding the key checks the rows: a NULL column needs none)
    (key,) = _messages("adding-foreign-key-constraint", _line("new_{column}") - 3)
    assert "on package_tag (new_package_id) → package " in key
    (unread,) = _messages("alembic-unresolved-op", _line("target_of("))
    assert "a foreign key's target is not a literal string" in unread
    found = lint_paths([PROJECT], Settings()).findings
    assert not any(") → ," in f.message or f.message.endswith(") → ") for f in found)
