"""The command line as users and CI bots call it: output, exit codes, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import CORPUS, write_tree

from migralint import __version__
from migralint.cli import main

RENAME = "-- rename the column\n\nALTER TABLE users RENAME COLUMN full_name TO name;\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def test_rename_on_line_3_is_a_json_finding_with_expand_contract_help(tmp_path: Path) -> None:
    write_tree(tmp_path, {"V1__rename.sql": RENAME})
    code, out, _ = run("check", "--format", "json", str(tmp_path))
    assert code == 1
    rows = json.loads(out)
    rename = [r for r in rows if r["rule"] == "rename-column"]
    assert len(rename) == 1
    row = rename[0]
    assert (row["line"], row["column"], row["end_line"]) == (3, 1, 3)
    assert row["end_column"] == len("ALTER TABLE users RENAME COLUMN full_name TO name")
    assert row["severity"] == "error"
    assert "migralint plan rename-column --table users --column full_name --to name" in row["help"]
    assert row["path"].endswith("V1__rename.sql")


def test_text_output_shows_location_source_line_caret_and_help(tmp_path: Path) -> None:
    write_tree(tmp_path, {"V1__rename.sql": RENAME})
    code, out, _ = run("check", "--select", "rename-column", str(tmp_path))
    assert code == 1
    lines = out.splitlines()
    assert lines[0].endswith(
        "V1__rename.sql:3:1 rename-column renaming users.full_name to name breaks release N-1, "
        "which still uses full_name"
    )
    assert lines[1] == "3 | ALTER TABLE users RENAME COLUMN full_name TO name;"
    assert lines[2].startswith("    ^^^^")
    assert lines[3].startswith("  help: Expand/contract instead")
    assert lines[-1] == "1 file linted: 1 error"
    assert "\x1b[" not in out  # no color when not on a terminal


def test_exit_codes(tmp_path: Path) -> None:
    write_tree(
        tmp_path, {"clean/V1__ok.sql": "CREATE TABLE t (id bigint);", "bad/V1__x.sql": RENAME}
    )
    assert run("check", str(tmp_path / "clean"))[0] == 0
    assert run("check", str(tmp_path / "bad"))[0] == 1
    assert run("check", "--exit-zero", str(tmp_path / "bad"))[0] == 0
    code, _, err = run("check", str(tmp_path / "nowhere"))
    assert code == 2 and "nowhere: no such file or folder" in err


def test_warnings_alone_do_not_fail_the_run(tmp_path: Path) -> None:
    write_tree(tmp_path, {"001_t.sql": "CREATE TABLE t (id bigint);\nCREATE TABLE u (id bigint);"})
    code, out, _ = run("check", str(tmp_path))
    assert "create-without-if-not-exists" in out
    assert code == 0


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            "[tool.migralint]\npg_versoin = 14\n",
            "unknown key 'pg_versoin'; did you mean 'pg_version'?",
        ),
        (
            '[tool.migralint]\nignore = ["drop-tabel"]\n',
            "unknown rule 'drop-tabel'; did you mean 'drop-table'?",
        ),
        ('[tool.migralint]\ndialect = "postgress"\n', "did you mean 'postgres'?"),
        ('[tool.migralint]\nseverity = { drop-table = "fatal" }\n', "severity for 'drop-table'"),
        ("[tool.migralint]\npg_version = 'fifteen'\n", "'pg_version' must look like 15"),
        ("[tool.migralint\n", "invalid TOML"),
        ("[tool.migralint]\nselect = " + "[" * 5000 + "]" * 5000, "nested too deeply"),
        ("tool = 1\n[tool.migralint]", "invalid TOML"),
        ('# [tool.migralint]\ntool = "x"\n', "'tool' must be a table"),
        ("# [tool.migralint]\n[tool]\nmigralint = 1\n", "'tool.migralint' must be a table"),
        ('[tool.migralint]\nexclude = ["[z-a].sql"]\n', "is not a valid glob: bad character"),
        ('[tool.migralint]\nfresh_install = ["a/[9-0]"]\n', "is not a valid glob"),
        ("[tool.migralint]\npg_version = " + "9" * 5000, "invalid TOML: Exceeds the limit"),
        ("[tool.migralint]\npg_version = '" + "9" * 5000 + "'", "'pg_version' must look like"),
        ("[tool.migralint]\npg_version = true", "'pg_version' must be a short string or number"),
        ("[tool.migralint]\nmax_file_size = 0", "'max_file_size' must be a size in bytes"),
    ],
)
def test_configuration_errors_exit_2_naming_the_key(
    tmp_path: Path, config: str, expected: str
) -> None:
    write_tree(tmp_path, {"pyproject.toml": config, "db/V1__x.sql": RENAME})
    code, _, err = run("check", str(tmp_path / "db"))
    assert code == 2
    assert expected in err
    assert len(err.splitlines()) == 1 and len(err) < 300


def test_configuration_is_found_above_the_paths_and_applied(tmp_path: Path) -> None:
    config = """
[tool.migralint]
ignore = ["locking"]
severity = { rename-column = "warning" }
"""
    write_tree(tmp_path, {"pyproject.toml": config, "db/V1__x.sql": RENAME})
    code, out, _ = run("check", "--format", "json", str(tmp_path / "db"))
    rows = json.loads(out)
    assert [(r["rule"], r["severity"]) for r in rows] == [("rename-column", "warning")]
    assert code == 0


def test_cli_options_override_the_configuration(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "migralint.toml": "pg_version = 15\n",
            "db/V1__x.sql": "ALTER TABLE t ADD COLUMN c int DEFAULT 0;",
        },
    )
    args = ["check", "--format", "json", "--select", "adding-field-with-default"]
    assert json.loads(run(*args, str(tmp_path / "db"))[1]) == []
    rows = json.loads(run(*args, "--pg-version", "10", str(tmp_path / "db"))[1])
    assert [r["rule"] for r in rows] == ["adding-field-with-default"]
    code, _, err = run("check", "--select", "renaming-colum", str(tmp_path / "db"))
    assert code == 2 and "did you mean" in err


def test_rules_json_lists_metadata() -> None:
    code, out, _ = run("rules", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) >= 16
    for row in rows:
        assert set(row) >= {"id", "aliases", "category", "severity", "summary", "dialects"}
        assert row["summary"]
    by_id = {r["id"]: r for r in rows}
    assert "renaming-column" in by_id["rename-column"]["aliases"]


def test_explain_prints_the_rule_docs() -> None:
    code, out, _ = run("explain", "rename-column")
    assert code == 0
    assert out.startswith("rename-column (also: renaming-column)")
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert section in out
    code, out, _ = run("explain", "renaming-column")  # squawk's name works too
    assert code == 0 and out.startswith("rename-column")
    code, _, err = run("explain", "rename-colum")
    assert code == 2 and "did you mean 'rename-column'?" in err


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0 and __version__ in out


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared corpus is not at {CORPUS}")
def test_whole_corpus_lints_without_a_traceback() -> None:
    code, out, err = run("check", "--format", "json", str(CORPUS))
    assert code in (0, 1)
    assert "Traceback" not in err
    rows = json.loads(out)
    assert not [r for r in rows if r["rule"] == "internal-error"]


def test_statistics_counts_findings_per_rule(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "V1__a.sql": "DROP TABLE a;\nALTER TABLE c DROP COLUMN d;\n",
            "V2__b.sql": "DROP TABLE b;\n",
        },
    )
    code, out, _ = run("check", "--statistics", "--select", "destructive", str(tmp_path))
    assert code == 1
    assert out.splitlines() == [
        "     2  drop-table   error",
        "     1  drop-column  error",
        "2 files linted: 3 errors",
    ]


def test_color_flag_forces_color_when_piped(tmp_path: Path) -> None:
    import subprocess
    import sys

    write_tree(tmp_path, {"V1__rename.sql": RENAME})
    command = [sys.executable, "-m", "migralint", "check", str(tmp_path)]
    piped = subprocess.run([*command, "--color"], capture_output=True, text=True)
    plain = subprocess.run(command, capture_output=True, text=True)
    assert piped.returncode == plain.returncode == 1
    assert "\x1b[" in piped.stdout
    assert "\x1b[" not in plain.stdout


ADD_DEFAULT = "ALTER TABLE t ADD COLUMN c int DEFAULT 0;\nDROP TABLE old;\n"


def _rules(*args: str) -> tuple[int, list[str]]:
    code, out, err = run("check", "--format", "json", "--pg-version", "10", *args)
    return code, sorted({r["rule"] for r in json.loads(out)}) if out else [err]


def test_extend_select_adds_to_the_selection_and_select_replaces_it(tmp_path: Path) -> None:
    write_tree(tmp_path, {"db/V1__x.sql": ADD_DEFAULT})
    db = str(tmp_path / "db")
    _, defaults = _rules(db)
    assert "drop-table" in defaults
    _, only = _rules("--select", "adding-field-with-default", db)
    assert only == ["adding-field-with-default"]
    _, both = _rules("--select", "drop-table", "--extend-select", "adding-field-with-default", db)
    assert both == ["adding-field-with-default", "drop-table"]
    _, ignored = _rules("--extend-ignore", "drop-table", db)
    assert ignored == [r for r in defaults if r != "drop-table"]


def test_extend_keys_in_the_configuration_and_the_command_line_layers(tmp_path: Path) -> None:
    config = (
        '[tool.migralint]\nselect = ["drop-table"]\nextend_select = ["adding-field-with-default"]\n'
    )
    write_tree(tmp_path, {"pyproject.toml": config, "db/V1__x.sql": ADD_DEFAULT})
    db = str(tmp_path / "db")
    assert _rules(db)[1] == ["adding-field-with-default", "drop-table"]
    # --select replaces the file's select and extend_select, as in ruff
    assert _rules("--select", "drop-table", db)[1] == ["drop-table"]
    assert _rules("--extend-ignore", "drop-table", db)[1] == ["adding-field-with-default"]
    write_tree(tmp_path, {"pyproject.toml": '[tool.migralint]\nextend_ignore = ["drop-table"]\n'})
    assert "drop-table" not in _rules(db)[1]
    assert _rules("--ignore", "locking", db)[1].count("drop-table") == 1  # replaced


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--extend-select", "drop-tabel"],
            "extend_select: unknown rule 'drop-tabel'; did you mean 'drop-table'?",
        ),
        (
            ["--extend-ignore", "lockng"],
            "extend_ignore: unknown rule 'lockng'; did you mean 'locking'?",
        ),
    ],
)
def test_unknown_ids_in_extend_options_exit_2_with_a_suggestion(
    tmp_path: Path, args: list[str], expected: str
) -> None:
    write_tree(tmp_path, {"V1__x.sql": RENAME})
    code, out, err = run("check", *args, str(tmp_path))
    assert code == 2 and out == ""
    assert err == f"migralint: error: {expected}\n"


def test_an_unknown_extend_key_in_the_configuration_is_named(tmp_path: Path) -> None:
    write_tree(
        tmp_path, {"migralint.toml": 'extend-select = ["drop-table"]\n', "V1__x.sql": RENAME}
    )
    code, _, err = run("check", str(tmp_path))
    assert code == 2 and "unknown key 'extend-select'; did you mean 'extend_select'?" in err


def test_a_folder_without_migrations_says_so_and_exits_2(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app/models.py": "x = 1\n",
            "app/node_modules/V1__x.sql": RENAME,
            "db/V1__x.sql": RENAME,
        },
    )
    code, out, err = run("check", str(tmp_path / "app"), str(tmp_path / "db"))
    assert code == 2
    assert "rename-column" in out  # the other folder is still linted and reported
    assert err.splitlines() == [
        f"migralint: error: {tmp_path / 'app'}: no migration files found under it; migralint "
        "reads files ending in .sql, .sql.postgres, .sql.sqlite, .sql.mysql and Alembic "
        "revision files (.py), and skips hidden folders, node_modules, virtualenvs, excluded and .gitignored paths"
    ]
    assert run("check", str(tmp_path / "db"))[0] == 1
    assert run("check", "--exit-zero", str(tmp_path / "app"))[0] == 2


def test_a_folder_whose_only_migration_is_skipped_is_not_empty(tmp_path: Path) -> None:
    write_tree(tmp_path, {"V1__x.sql": b"\xff\xfe not utf-8 \x00"})
    code, _, err = run("check", str(tmp_path))
    assert "no migration files found" not in err
    assert code in (0, 1)
