"""What the open transaction holds, with the locks PostgreSQL takes on tables besides a
statement's own (tests/test_lock_facts.py checks each on a real server): a foreign key
added or dropped locks the table it references, an attached partition is locked and
scanned, and later statements of the transaction are judged with those tables held."""

from __future__ import annotations

from helpers import REPO

from migralint.config import Settings
from migralint.engine import lint_paths, lint_text

LOCKS = REPO / "fixtures" / "locks"


def _messages(case: str, rule: str) -> list[str]:
    result = lint_paths([LOCKS / case], Settings(select=(rule,)))
    return [f.message for f in result.findings if f.rule == rule]


def test_a_dropped_foreign_key_holds_the_table_it_referenced() -> None:
    [found] = _messages("dropped_foreign_key_holds_its_parent", "backfill-with-ddl")
    assert "DROP CONSTRAINT child_parent_id_fkey holds ACCESS EXCLUSIVE on parent" in found


def test_the_rewrite_of_set_logged_runs_under_the_held_lock() -> None:
    [found] = _messages("rewrite_while_another_table_is_held", "statements-after-access-exclusive")
    assert found.startswith("this statement rewrites events while")
    assert "holds ACCESS EXCLUSIVE on orders" in found


def test_an_attached_partition_is_scanned_under_the_held_lock() -> None:
    [found] = _messages("attach_scans_the_partition", "statements-after-access-exclusive")
    assert found.startswith("this statement scans measurements_2 while")


def test_the_actions_of_one_statement_are_not_after_each_other() -> None:
    assert _messages("one_statement_is_not_after_itself", "statements-after-access-exclusive") == []


def test_a_dropped_table_holds_the_tables_its_foreign_keys_reference() -> None:
    [found] = _messages("dropped_table_holds_its_parent", "backfill-with-ddl")
    assert "DROP TABLE child holds ACCESS EXCLUSIVE on parent" in found


def _run(sql: str, rule: str) -> list[str]:
    found = lint_text(sql, Settings(select=(rule,)))
    return [f.message for f in found if f.rule == rule]


def test_work_on_a_held_table_still_keeps_the_other_held_tables_closed() -> None:
    both = (
        "BEGIN;\nALTER TABLE orders ADD COLUMN n int;\nALTER TABLE customers ADD COLUMN e int;\n"
        "CREATE INDEX i ON customers (e);\nCOMMIT;\n"
    )
    [found] = _run(both, "statements-after-access-exclusive")
    assert "builds an index on customers" in found and "ACCESS EXCLUSIVE on orders" in found
    # only the index's own table held: its own rule says so
    same = (
        "BEGIN;\nALTER TABLE customers ADD COLUMN e int;\nCREATE INDEX i ON customers (e);\nCOMMIT;"
    )
    assert _run(same, "statements-after-access-exclusive") == []
