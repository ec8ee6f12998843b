"""What a hostile pull request can put in the output: nothing raw. Names and file names
holding newlines or escape sequences are printed as visible escapes in every format, so
no line can start a CI workflow command (`::error …`) or reach the terminal as a control
sequence; a huge line is shown as a window around each finding."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import REPO, write_tree

from migralint.cli import main
from migralint.report.escape import visible, visible_width

FORGED = "x\n::error title=migralint::All migrations verified safe"
OSC = "\x1b]0;pwned\x07y"
HOSTILE = (
    f'DROP TABLE "{FORGED}";\n'
    f'DROP TABLE "{OSC}";\n'
    'DROP TABLE "\u202etxt.exe";\n'  # a right-to-left override
    'DROP TABLE "a\rb";\n'
)
_OUR_COLORS = re.compile(r"\x1b\[[0-9;]*m")


def check(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout


def test_visible_escapes_controls_separators_bidi_and_undecodable_bytes() -> None:
    text = "a\nb\r\tc\x00\x1b]0;t\x07\x7f\x85\u2028\u202e\u2066é😀" + os.fsdecode(b"\xff")
    shown = visible(text)
    assert shown == "a\\nb\\r\\tc\\x00\\x1b]0;t\\x07\\x7f\\x85\\u2028\\u202e\\u2066é😀\\xff"
    assert visible_width(text) == len(shown)
    assert visible("DROP TABLE users;") == "DROP TABLE users;"


@pytest.mark.parametrize("color", ["--color", "--no-color"])
def test_text_output_escapes_forged_commands_and_terminal_sequences(
    tmp_path: Path, color: str
) -> None:
    write_tree(tmp_path, {"1_hostile.sql": HOSTILE})
    code, out = check(color, str(tmp_path))
    assert code == 1
    ours_removed = _OUR_COLORS.sub("", out)
    assert "\x1b" not in ours_removed and "\x07" not in out and "\r" not in out
    assert "\u202e" not in out
    assert not any(line.startswith("::") for line in ours_removed.splitlines())
    assert "dropping table x\\n::error title=migralint::All migrations verified safe" in out
    assert "\\x1b]0;pwned\\x07y" in out and "\\u202etxt.exe" in out and "a\\rb" in out


def test_json_output_escapes_the_same_names(
    tmp_path: Path, one_finding_per_statement: None, every_rerun_statement: None
) -> None:
    write_tree(tmp_path, {"1_hostile.sql": HOSTILE})
    code, out = check("--format", "json", str(tmp_path))
    assert code == 1
    messages = [row["message"] for row in json.loads(out) if row["rule"] == "drop-table"]
    assert len(messages) == 4
    assert all(not re.search("[\x00-\x1f\x7f\u202e]", m) for m in messages)
    assert any("x\\n::error title=migralint" in m for m in messages)
    assert any("\\x1b]0;pwned\\x07y" in m for m in messages)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_an_undecodable_file_name_prints_as_escaped_utf8_on_a_strict_stdout(
    tmp_path: Path, fmt: str
) -> None:
    name = os.fsencode(tmp_path) + b"/1_drop\xff\n::error x.sql"
    Path(os.fsdecode(name)).write_text("DROP TABLE t;\n", encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict", "NO_COLOR": "1"}
    run = subprocess.run(
        [sys.executable, "-m", "migralint", "check", "--format", fmt, str(tmp_path)],
        capture_output=True,
        env=env,
        cwd=REPO,
        timeout=60,
    )
    assert run.returncode == 1, run.stderr.decode("utf-8", "replace")
    out = run.stdout.decode("utf-8")  # strict: raises on a raw 0xFF byte
    assert not any(line.startswith("::") for line in out.splitlines())
    shown = "1_drop\\xff\\n::error x.sql"
    if fmt == "json":
        assert {row["path"].rpartition("/")[2] for row in json.loads(out)} == {shown}
    else:
        assert f"{shown}:1:1 drop-table" in out


def test_a_700_kb_line_prints_a_window_with_the_caret_under_each_finding(
    tmp_path: Path, every_rerun_statement: None
) -> None:
    line = "DROP TABLE a; /* " + "x" * 700_000 + ' */ DROP TABLE "b\x1bc";'
    write_tree(tmp_path, {"1_long.sql": line + "\n"})
    code, out = check("--no-color", str(tmp_path))
    assert code == 1
    assert len(out) < 8_000  # was the whole line for every finding: 4 MB here
    lines = out.splitlines()
    excerpts = [i for i, text in enumerate(lines) if text.startswith("1 | ")]
    assert len(excerpts) >= 4
    assert all(len(lines[i]) <= len("1 | ") + 2 + 120 + 6 for i in excerpts)
    for i in excerpts:
        excerpt, caret = lines[i], lines[i + 1]
        start = excerpt.index("DROP TABLE", 1 if excerpt.startswith("1 | DROP") else 8)
        assert caret.index("^") == start, (excerpt, caret)
    last = next(i for i in excerpts if '"b\\x1bc"' in lines[i])
    assert lines[last].startswith("1 | …x") and lines[last].endswith('DROP TABLE "b\\x1bc";')
    assert lines[last + 1].count("^") == len('DROP TABLE "b\\x1bc"')


@pytest.mark.parametrize("end", ["\r", "\r\n", "\n"])
def test_the_excerpt_is_the_statements_line_whatever_the_line_ends(
    tmp_path: Path, end: str
) -> None:
    sql = end.join(["CREATE TABLE a (id int);", "-- x", "ALTER TABLE users DROP COLUMN email;", ""])
    write_tree(tmp_path, {"V1__x.sql": sql})
    _, out = check("--select", "drop-column", str(tmp_path))
    assert out.splitlines()[1] == "3 | ALTER TABLE users DROP COLUMN email;"
