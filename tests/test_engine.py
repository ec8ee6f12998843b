"""The lint run: suppressions, bad input, rule packs, accounting for every file."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import CORPUS, lint_tree, rules_of, write_tree

from migralint.config import ConfigError, Settings
from migralint.engine import lint_paths
from migralint.sources.discover import discover

DROPS = "DROP TABLE a;\nDROP TABLE b;\nDROP TABLE c;\n"


def test_one_bad_statement_does_not_hide_the_others(tmp_path: Path) -> None:
    sql = "ALTER TABLE users ADD COLUMN email text NOT NULL DEFAULT;\n" + DROPS
    result = lint_tree(tmp_path, {"V1__x.sql": sql}, select=("syntax-error", "drop-table"))
    assert rules_of(result) == ["syntax-error", "drop-table"]  # the drops fold into one
    error, drops = result.findings
    assert error.line == 1 and error.column > 1
    assert drops.line == 2 and "also lines 3, 4" in drops.message


def test_syntax_error_points_inside_a_multiline_statement(tmp_path: Path) -> None:
    sql = "SELECT 1;\n\nCREATE TABLE t (\n  id int,\n  name text text text,\n);\n"
    result = lint_tree(tmp_path, {"V1__x.sql": sql}, select=("syntax-error",))
    [error] = result.findings
    assert error.line == 5


def test_a_broken_file_does_not_stop_the_other_files(tmp_path: Path) -> None:
    files = {
        "V1__binary.sql": b"\x00\x01\x02garbage\x00",
        "V2__latin1.sql": "-- caf\xe9\nDROP TABLE a;\n".encode("latin-1"),
        "V3__ok.sql": "DROP TABLE b;\n",
    }
    result = lint_tree(tmp_path, files, select=("drop-table",))
    found = [(Path(f.path).name, f.rule, str(f.severity), f.line) for f in result.findings]
    assert found == [
        ("V1__binary.sql", "unreadable-file", "error", 1),
        ("V2__latin1.sql", "non-utf8-file", "warning", 1),
        ("V2__latin1.sql", "drop-table", "error", 2),
        ("V3__ok.sql", "drop-table", "error", 1),
    ]
    assert result.files_linted == 2
    assert list(result.skipped.values()) == ["unreadable"]


def test_statement_suppressions(tmp_path: Path) -> None:
    sql = """
-- migralint: ignore drop-table -- archived in ticket 42
DROP TABLE a;
DROP TABLE b; -- migralint: ignore drop-table
-- squawk-ignore ban-drop-table
DROP TABLE c;
-- migralint: ignore rename-column -- wrong rule, does not apply
DROP TABLE d;
"""
    result = lint_tree(tmp_path, {"V1__x.sql": sql}, select=("drop-table",))
    assert [f.line for f in result.findings] == [8]


def test_file_suppressions_and_per_file_ignores(tmp_path: Path) -> None:
    files = {
        "V1__a.sql": "-- migralint: ignore-file drop-table\n" + DROPS,
        "V2__b.sql": "-- migralint: ignore-file\n" + DROPS,
        "V3__c.sql": "-- squawk-ignore-file ban-drop-table\n" + DROPS,
        "V4__d.sql": DROPS,
        "V5__e.sql": DROPS,
    }
    result = lint_tree(
        tmp_path, files, select=("drop-table",), per_file_ignores={"V4__*.sql": ("ban-drop-table",)}
    )
    assert {Path(f.path).name for f in result.findings} == {"V5__e.sql"}


def test_templates_and_client_directives_do_not_become_syntax_errors(tmp_path: Path) -> None:
    files = {
        "20210101_a.up.sql": '-- {{ .Comment }}\nDROP TABLE {{ index .Options "Namespace" }}.users;\n',
        "V2__flyway.sql": "DROP TABLE ${schema}.orders;\n",
        "mysql/V3__fn.sql": "DELIMITER //\nCREATE FUNCTION f() RETURNS INT BEGIN RETURN 1; END //\n"
        "DELIMITER ;\nDROP TABLE t;\n",
        "V4__psql.sql": "\\set ON_ERROR_STOP on\nDROP TABLE x;\n",
    }
    result = lint_tree(tmp_path, files, select=("syntax-error", "drop-table"))
    assert rules_of(result) == ["drop-table"] * 4


def test_a_team_rule_pack_loads_by_path(tmp_path: Path) -> None:
    pack = tmp_path / "team_rules"
    write_tree(
        pack,
        {
            "no_truncate.py": '''"""TRUNCATE is banned here.

## What it does
Flags TRUNCATE.
"""
from migralint.rule import rule
from migralint.sql.ops import Truncate


@rule("team-no-truncate", category="destructive")
def check(op: Truncate, ctx):
    yield ctx.finding(op, f"truncating {op.table}", "Delete in batches.")
'''
        },
    )
    write_tree(tmp_path, {"db/V1__t.sql": "TRUNCATE audit_log;\n"})
    result = lint_paths(
        [tmp_path / "db"], Settings(rule_paths=(pack,), select=("team-no-truncate",))
    )
    assert [(f.rule, f.message) for f in result.findings] == [
        ("team-no-truncate", "truncating audit_log")
    ]
    with pytest.raises(ConfigError, match="unknown rule"):
        lint_paths([tmp_path / "db"], Settings(select=("team-no-truncate",)))


def test_unsupported_dialects_are_skipped_and_counted(tmp_path: Path) -> None:
    result = lint_tree(
        tmp_path, {"h2/V1__x.sql": "DROP TABLE a;", "postgres/V1__x.sql": "SELECT 1;"}
    )
    assert result.files_linted == 1
    assert list(result.skipped.values()) == ["dialect h2 is not supported"]


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared corpus is not at {CORPUS}")
def test_every_corpus_file_is_accounted_for() -> None:
    found = discover([CORPUS])
    result = lint_paths([CORPUS], Settings())
    assert result.files_linted + len(result.skipped) == len(found.files) + len(found.rejected)
    assert not [f for f in result.findings if f.rule == "internal-error"]


def test_squawk_configuration_is_honoured_through_aliases(tmp_path: Path) -> None:
    squawk = 'excluded_rules = ["ban-drop-table", "ban-alter-role-options"]\npg_version = "10"\n'
    files = {
        ".squawk.toml": squawk,
        "db/V1__x.sql": "SET lock_timeout = '1s';\nDROP TABLE a;\nALTER TABLE b ADD COLUMN c int DEFAULT 0;\n",
    }
    write_tree(tmp_path, files)
    from migralint.engine import settings_for

    result = lint_paths([tmp_path / "db"], settings_for([tmp_path / "db"]))
    assert rules_of(result) == ["adding-field-with-default"]  # pg 10: any default rewrites


def test_the_python_api_applies_extend_select_and_extend_ignore(tmp_path: Path) -> None:
    """`extend_select`/`extend_ignore` in Settings (a configuration read through the API,
    not the CLI) add to the defaults and remove from them."""
    (tmp_path / "V1__t.sql").write_text(
        "CREATE TABLE t (id bigint PRIMARY KEY);\nDROP TABLE t;\n", encoding="utf-8"
    )
    plain = {f.rule for f in lint_paths([tmp_path], Settings()).findings}
    assert "require-table-schema" not in plain  # opt-in
    extended = Settings(extend_select=("require-table-schema",), extend_ignore=("drop-table",))
    rules = {f.rule for f in lint_paths([tmp_path], extended).findings}
    assert "require-table-schema" in rules
    assert "drop-table" not in rules and rules >= plain - {"drop-table"}
