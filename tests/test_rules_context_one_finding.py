"""One statement, one finding: a DROP TABLE of several existing tables is one cause,
reported once with every table it drops named, and tables the same migration created
left out (nothing else uses them yet). The same for every rule with a
`fixtures/sql/<rule>/flagged_one_statement_*` case: its judged file says, in a
`-- names:` comment, what the one finding must name."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import REPO, lint_tree

from migralint.config import Settings
from migralint.engine import lint_paths
from migralint.plan.from_file import replacements

FIXTURES = REPO / "fixtures" / "sql"
MANY = FIXTURES / "drop-table" / "flagged_one_statement_many_tables"
ONE_STATEMENT = sorted(FIXTURES.glob("*/flagged_one_statement_*"))


def _judged(entry: Path) -> Path:
    return entry if entry.is_file() else sorted(entry.glob("*.sql"))[-1]


@pytest.mark.parametrize("entry", ONE_STATEMENT, ids=lambda e: f"{e.parent.name}/{e.name}")
def test_one_statement_naming_several_objects_is_one_finding_naming_them_all(
    entry: Path,
) -> None:
    rule = entry.parent.name
    judged = _judged(entry)
    [names] = [
        line.removeprefix("-- names:").split(",")
        for line in judged.read_text(encoding="utf-8").splitlines()
        if line.startswith("-- names:")
    ]
    result = lint_paths([entry], Settings(select=(rule,)))
    messages = [f.message for f in result.findings if f.rule == rule and Path(f.path) == judged]
    assert len(messages) == 1, messages
    assert all(name.strip() in messages[0] for name in names), messages[0]


def test_a_later_object_on_a_table_the_migration_created_is_left_out(tmp_path: Path) -> None:
    files = {
        "V1__create.sql": "CREATE TABLE a (id int);\nCREATE INDEX a_id ON a (id);\n",
        "V2__drop.sql": (
            "CREATE TABLE scratch (id int);\nCREATE INDEX scratch_id ON scratch (id);\n"
            "DROP INDEX a_id, scratch_id;\n"
        ),
    }
    result = lint_tree(tmp_path, files, select=("require-concurrent-index-deletion",))
    messages = [f.message for f in result.findings]
    assert messages == [
        "dropping index a_id without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on its "
        "table, blocking reads and writes"
    ], messages


def test_a_rollback_re_creating_several_columns_is_one_finding(tmp_path: Path) -> None:
    files = {
        "1_create.up.sql": "CREATE TABLE t (id int, a int, b int);\n",
        "1_create.down.sql": "DROP TABLE t;\n",
        "2_drop.up.sql": "ALTER TABLE t DROP COLUMN a, DROP COLUMN b;\n",
        "2_drop.down.sql": "ALTER TABLE t ADD COLUMN a int, ADD COLUMN b int DEFAULT 0;\n",
    }
    result = lint_tree(tmp_path, files, select=("irreversible-down",))
    messages = [f.message for f in result.findings if f.path.endswith("2_drop.down.sql")]
    assert messages == [
        "this rollback re-creates 2 columns (t.a, t.b), each empty or with only its default: "
        "the data the up migration dropped is not restored"
    ], messages


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


def test_plan_from_plans_each_action_a_grouped_finding_names_and_only_those(
    tmp_path: Path,
) -> None:
    files = {
        "V1__create.sql": (
            "CREATE TABLE t (id int PRIMARY KEY, a int, b int CHECK (b IS NOT NULL), c int, "
            "d int);\n"
        ),
        "V2__change.sql": (
            "ALTER TABLE t\n"
            "    ALTER COLUMN a SET NOT NULL,\n"
            "    ALTER COLUMN b SET NOT NULL,\n"
            "    ALTER COLUMN c SET NOT NULL,\n"
            "    ALTER COLUMN d SET DEFAULT 0;\n"
        ),
    }
    result = lint_tree(tmp_path, files, select=("setting-not-null",))
    assert [f.message for f in result.findings] == [
        "SET NOT NULL on 2 columns (t.a, t.c) scans the whole table while blocking reads and writes"
    ]
    found = replacements(tmp_path / "V2__change.sql", Settings())
    planned = [(r.line, r.plan is not None) for r in found]
    assert planned == [(2, True), (3, False), (4, True), (5, False)], planned
