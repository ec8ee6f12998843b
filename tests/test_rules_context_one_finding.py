"""One statement, one finding: a DROP TABLE of several existing tables is one cause,
reported once with every table it drops named, and tables the same migration created
left out (nothing else uses them yet)."""

from __future__ import annotations

from pathlib import Path

from helpers import REPO, lint_tree

from migralint.config import Settings
from migralint.engine import lint_paths

MANY = REPO / "fixtures" / "sql" / "drop-table" / "flagged_one_statement_many_tables"


def test_one_drop_table_of_three_tables_is_one_finding_naming_them_all() -> None:
    result = lint_paths([MANY], Settings(select=("drop-table",)))
    messages = [f.message for f in result.findings if f.rule == "drop-table"]
    assert len(messages) == 1, messages
    assert "tables a, b, c deletes their data" in messages[0]


def test_tables_created_by_the_same_migration_are_not_named(tmp_path: Path) -> None:
    files = {
        "V1__create.sql": "CREATE TABLE a (id int);\n",
        "V2__drop.sql": "CREATE TABLE scratch (id int);\nDROP TABLE scratch, a;\n",
    }
    result = lint_tree(tmp_path, files, select=("drop-table",))
    messages = [f.message for f in result.findings if f.rule == "drop-table"]
    assert len(messages) == 1 and "dropping table a deletes its data" in messages[0], messages
