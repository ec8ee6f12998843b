"""`migralint plan` on the command line: input mistakes end in exit 2 and one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from migralint.cli import main

RENAME = ["plan", "rename-column", "--table", "users", "--column", "name", "--to", "full_name"]


def _invoke(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "out")])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["plan", "rename-column", "--table", "users"], "Missing option '--column'"),
        ([*RENAME, "--type", "text; DROP TABLE users"], "--type 'text; DROP TABLE users'"),
        ([*RENAME, "--type", "text -- x"], "has a comment"),
        ([*RENAME, "--type", "text", "--lock-timeout", "2s'; DROP TABLE x; --"], "--lock-timeout"),
        ([*RENAME, "--type", "text", "--lock-timeout", "0"], "--lock-timeout"),
        ([*RENAME, "--type", "text", "--batch-size", "0"], "--batch-size 0"),
        ([*RENAME, "--type", "text", "--batch-size", "-5"], "--batch-size -5"),
        (
            ["plan", "create-index", "--table", "t", "--column", "a", "--where", "a > 0; SELECT 1"],
            "--where",
        ),
        (
            [
                "plan",
                "add-column",
                "--table",
                "t",
                "--column",
                "c",
                "--type",
                "int",
                "--default",
                "1, 2",
            ],
            "--default",
        ),
    ],
)
def test_input_mistakes_exit_2_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    code, output = _invoke(tmp_path, *args)
    assert code == 2, output
    assert message in output
    assert not (tmp_path / "out").exists()


def test_an_unwritable_out_exits_2_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    result = CliRunner().invoke(
        main, [*RENAME, "--type", "text", "--out", str(tmp_path / "file" / "sub")]
    )
    assert result.exit_code == 2, result.output
    [line] = result.output.splitlines()
    assert line.startswith("migralint: error: cannot write") and "nothing was written" in line


def test_sql_options_are_re_rendered(tmp_path: Path) -> None:
    code, output = _invoke(
        tmp_path,
        "plan",
        "add-column",
        "--table",
        "t",
        "--column",
        "c",
        "--type",
        "text",
        "--default",
        "$q$it's$q$",
    )
    assert code == 0, output
    [expand] = (tmp_path / "out").glob("*_expand.sql")
    assert "DEFAULT 'it''s'" in expand.read_text()


def test_check_never_imports_the_planner(tmp_path: Path) -> None:
    (tmp_path / "0001_init.sql").write_text("CREATE TABLE t (id int);\n")
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from migralint.cli import main\n"
        f"CliRunner().invoke(main, ['check', {str(tmp_path)!r}])\n"
        "print(sorted(m for m in sys.modules if m.startswith('migralint.plan')))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "['migralint.plan', 'migralint.plan.command']"
