"""Every path given or found is linted or is a finding: links out of the tree, loops,
FIFOs, devices, unreadable folders, huge or slow files, and our own bugs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import REPO, rules_of, write_tree

from migralint.cli import main, shown
from migralint.config import Settings
from migralint.engine import lint_paths
from migralint.sources.discover import discover

DROP = "ALTER TABLE users DROP COLUMN email;\n"
SECRET = "GITHUB_TOKEN=ghp_not_for_your_eyes\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def run_process(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process, so that a hang fails the test instead of the suite."""
    command = [sys.executable, "-m", "migralint", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=REPO)


def findings(result: object) -> list[tuple[str, str]]:
    return [(Path(f.path).name, f.rule) for f in result.findings]  # type: ignore[attr-defined]


def test_a_symlink_out_of_the_tree_is_a_finding_and_nothing_of_it_is_printed(
    tmp_path: Path,
) -> None:
    write_tree(tmp_path, {"secret.env": SECRET, "repo/db/V1__x.sql": DROP})
    db = tmp_path / "repo" / "db"
    (db / "V2__y.sql").symlink_to(tmp_path / "secret.env")
    (db / "shared").symlink_to(tmp_path, target_is_directory=True)
    code, out, err = run("check", "--format", "json", str(db))
    assert code == 1
    rows = [(Path(r["path"]).name, r["rule"]) for r in json.loads(out)]
    assert ("V2__y.sql", "symlink-outside-tree") in rows
    assert ("shared", "symlink-outside-tree") in rows
    assert ("V1__x.sql", "drop-column") in rows
    assert "ghp_" not in out + err
    # given explicitly, as a CI job passes the files a pull request changed
    code, out, err = run("check", "--format", "json", str(db / "V2__y.sql"))
    assert [r["rule"] for r in json.loads(out)] == ["symlink-outside-tree"]
    assert code == 1 and "ghp_" not in out + err


def test_a_link_to_the_root_folder_is_not_walked(tmp_path: Path) -> None:
    write_tree(tmp_path, {"db/V1__x.sql": DROP})
    (tmp_path / "db" / "everything").symlink_to("/", target_is_directory=True)
    found = discover([tmp_path / "db"])
    assert [f.path.name for f in found.files] == ["V1__x.sql"]
    assert [(p.loc.path, type(p).__name__) for p in found.rejected] == [
        (str(tmp_path / "db" / "everything"), "SymlinkOutsideTree")
    ]


def test_links_inside_the_tree_are_followed(tmp_path: Path) -> None:
    write_tree(tmp_path, {"db/shared/V1__x.sql": DROP, "db/sets/a/V2__y.sql": DROP})
    (tmp_path / "db" / "sets" / "b").symlink_to(tmp_path / "db" / "shared")
    found = discover([tmp_path / "db"])
    assert sorted(f.path.name for f in found.files) == ["V1__x.sql", "V2__y.sql"]
    assert found.rejected == ()


def test_symlink_loops_are_findings_and_a_looping_first_path_exits_2(tmp_path: Path) -> None:
    write_tree(tmp_path, {"db/V1__x.sql": DROP})
    db = tmp_path / "db"
    (db / "V2__a.sql").symlink_to("V2__b.sql")
    (db / "V2__b.sql").symlink_to("V2__a.sql")
    (db / "again").symlink_to(db, target_is_directory=True)
    result = lint_paths([db], Settings())
    assert findings(result) == [
        ("V1__x.sql", "drop-column"),
        ("V1__x.sql", "require-lock-timeout"),
        ("V2__a.sql", "symlink-loop"),
        ("V2__b.sql", "symlink-loop"),
        ("again", "symlink-loop"),
    ]
    code, _, err = run("check", str(db / "V2__a.sql"))
    assert code == 2
    assert err == f"migralint: error: {db / 'V2__a.sql'}: a symlink loop\n"


def test_a_fifo_never_blocks_and_a_device_is_never_read(tmp_path: Path) -> None:
    write_tree(tmp_path, {"db/V1__x.sql": DROP})
    fifo = tmp_path / "db" / "V2__pipe.sql"
    os.mkfifo(fifo)
    done = run_process("check", "--format", "json", str(tmp_path / "db"), str(fifo), "/dev/zero")
    rows = [(Path(r["path"]).name, r["rule"], r["message"]) for r in json.loads(done.stdout)]
    assert (
        "V2__pipe.sql",
        "special-file",
        "a named pipe (FIFO), not a regular file: not read",
    ) in rows
    assert ("zero", "special-file", "a character device, not a regular file: not read") in rows
    assert ("V1__x.sql", "drop-column") in [row[:2] for row in rows]
    assert done.returncode == 1


def test_the_file_size_limit_is_a_finding(tmp_path: Path) -> None:
    write_tree(tmp_path, {"db/V1__big.sql": DROP * 10, "db/V2__small.sql": DROP})
    code, out, _ = run("check", "--format", "json", "--max-file-size", "100", str(tmp_path / "db"))
    rows = [(Path(r["path"]).name, r["rule"]) for r in json.loads(out)]
    assert ("V1__big.sql", "file-too-large") in rows
    assert ("V2__small.sql", "drop-column") in rows
    assert "V1__big.sql" not in {name for name, rule in rows if rule != "file-too-large"}
    assert code == 1
    write_tree(tmp_path, {"db/migralint.toml": 'max_file_size = "1KB"\n'})
    code, out, _ = run("check", "--format", "json", str(tmp_path / "db"))
    assert "file-too-large" not in out
    code, _, err = run("check", "--max-file-size", "lots", str(tmp_path / "db"))
    assert code == 2 and "'max_file_size' must be a size in bytes" in err


def test_a_file_over_its_time_budget_keeps_what_was_found_and_says_where_it_stopped(
    tmp_path: Path,
) -> None:
    write_tree(tmp_path, {"V1__x.sql": DROP * 3})
    result = lint_paths([tmp_path], Settings(time_budget=1e-9, select=("drop-column",)))
    [slow] = [f for f in result.findings if f.rule == "file-too-slow"]
    assert slow.line in (1, 2, 3) and f"stopped at line {slow.line}" in slow.message
    assert result.skipped == {str(tmp_path / "V1__x.sql"): "time budget exceeded"}
    assert result.files_linted == 0
    code, _, err = run("check", "--time-budget", "0", str(tmp_path))
    assert code == 2 and "'time_budget' must be a positive number of seconds" in err


def test_a_rule_that_raises_is_an_internal_error_and_the_rest_is_linted(tmp_path: Path) -> None:
    pack = write_tree(
        tmp_path / "pack",
        {
            "broken.py": '''"""Fails on every drop.

## What it does
Nothing useful.
"""
from migralint.rule import rule
from migralint.sql.ops import DropColumn


@rule("team-broken", category="destructive")
def check(op: DropColumn, ctx):
    raise KeyError("oops")
'''
        },
    )
    write_tree(tmp_path, {"db/V1__x.sql": DROP + "DROP TABLE t;\n", "db/V2__y.sql": DROP})
    settings = Settings(rule_paths=(pack,), select=("team-broken", "drop-table", "drop-column"))
    result = lint_paths([tmp_path / "db"], settings)
    assert findings(result) == [
        ("V1__x.sql", "drop-column"),
        ("V1__x.sql", "internal-error"),
        ("V1__x.sql", "drop-table"),
        ("V2__y.sql", "drop-column"),
        ("V2__y.sql", "internal-error"),
    ]
    error = next(f for f in result.findings if f.rule == "internal-error")
    assert error.message == "migralint failed in rule team-broken: KeyError: 'oops'"
    assert "please report it" in error.help
    assert result.files_linted == 2


def test_an_unreadable_folder_is_a_finding_and_as_the_first_path_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"db/V1__x.sql": DROP, "db/locked/V2__y.sql": DROP})
    locked = str(tmp_path / "db" / "locked")
    scandir = os.scandir

    def refusing(path: str) -> object:
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", path)
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    result = lint_paths([tmp_path / "db"], Settings(select=("drop-column",)))
    assert findings(result) == [("V1__x.sql", "drop-column"), ("locked", "unreadable-file")]
    assert "cannot list the folder: Permission denied" in result.findings[1].message
    assert result.skipped == {locked: "unreadable"}
    code, _, err = run("check", locked)
    assert code == 2
    assert err == f"migralint: error: {locked}: cannot list the folder: Permission denied\n"


def test_every_kind_of_input_is_counted(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "outside.sql": DROP,
            "db/V1__ok.sql": DROP,
            "db/V2__binary.sql": b"\x00\x01",
            "db/V3__big.sql": DROP * 100,
            "db/notes.txt": "not a migration",
        },
    )
    db = tmp_path / "db"
    os.mkfifo(db / "V4__pipe.sql")
    (db / "V5__out.sql").symlink_to(tmp_path / "outside.sql")
    (db / "V6__loop.sql").symlink_to("V6__loop.sql")
    (db / "V7__gone.sql").symlink_to("nowhere.sql")
    result = lint_paths([db], Settings(max_file_size=1000))
    assert result.files_linted == 1
    assert sorted(result.skipped.values()) == [
        "not a regular file",
        "symlink loop",
        "symlink out of the linted folders",
        "too large",
        "unreadable",
        "unreadable",
    ]
    problems = {Path(f.path).name: f.rule for f in result.findings if f.rule != "drop-column"}
    assert problems == {
        "V1__ok.sql": "require-lock-timeout",
        "V2__binary.sql": "unreadable-file",
        "V3__big.sql": "file-too-large",
        "V4__pipe.sql": "special-file",
        "V5__out.sql": "symlink-outside-tree",
        "V6__loop.sql": "symlink-loop",
        "V7__gone.sql": "unreadable-file",
    }


def test_input_findings_stay_on_whatever_select_says_and_can_be_ignored(tmp_path: Path) -> None:
    write_tree(tmp_path, {"V1__x.sql": b"\x00", "V2__y.sql": DROP})
    selected = lint_paths([tmp_path], Settings(select=("drop-column",)))
    assert findings(selected) == [("V1__x.sql", "unreadable-file"), ("V2__y.sql", "drop-column")]
    ignored = lint_paths([tmp_path], Settings(select=("drop-column",), ignore=("unreadable-file",)))
    assert rules_of(ignored) == ["drop-column"]


def test_a_file_name_that_is_not_utf8_reaches_the_report_as_str(tmp_path: Path) -> None:
    name = os.fsencode(tmp_path) + b"/V1__caf\xe9.sql"
    with open(name, "wb") as f:
        f.write(DROP.encode())
    result = lint_paths([tmp_path], Settings(select=("drop-column",)))
    [finding] = result.findings
    assert finding.path == os.fsdecode(name)
    assert shown(finding.path).endswith("V1__caf\\xe9.sql")
    code, _, err = run("check", os.fsdecode(os.fsencode(tmp_path) + b"/nope\xff\x1b[2J"))
    assert code == 2 and err.endswith("nope\\xff\\x1b[2J: no such file or folder\n")


def test_a_reader_or_catalog_bug_costs_one_statement_never_a_syntax_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from migralint import engine
    from migralint.schema import Catalog
    from migralint.sql import ops

    parse, apply = engine.parse_statement, Catalog.apply

    def reader(stmt, path, dialect):  # type: ignore[no-untyped-def]
        if "boom" in stmt.text:
            raise AttributeError("'NoneType' object has no attribute 'name'")
        return parse(stmt, path, dialect)

    def catalog(self, op):  # type: ignore[no-untyped-def]
        if isinstance(op, ops.DropTable):
            raise IndexError("tuple index out of range")
        return apply(self, op)

    monkeypatch.setattr(engine, "parse_statement", reader)
    monkeypatch.setattr(Catalog, "apply", catalog)
    write_tree(tmp_path, {"V1__x.sql": "CREATE TABLE boom (id int);\nDROP TABLE t;\n" + DROP})
    result = lint_paths([tmp_path], Settings(select=("drop-table", "drop-column")))
    assert [(f.line, f.rule, f.message) for f in result.findings] == [
        (
            1,
            "internal-error",
            "migralint failed reading this statement: AttributeError: "
            "'NoneType' object has no attribute 'name'",
        ),
        (2, "drop-table", result.findings[1].message),
        (
            2,
            "internal-error",
            "migralint failed replaying this statement: IndexError: tuple index out of range",
        ),
        (3, "drop-column", result.findings[3].message),
    ]
    assert result.files_linted == 1


def test_a_bug_inside_the_sql_reader_is_an_internal_error_not_a_syntax_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from migralint.sql import commands

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AttributeError("'NoneType' object has no attribute 'name'")

    monkeypatch.setattr(commands, "create_object", broken)
    write_tree(tmp_path, {"V1__x.sql": "CREATE EXTENSION IF NOT EXISTS pgcrypto;\n" + DROP})
    result = lint_paths([tmp_path], Settings(select=("ALL",)))
    rules = [f.rule for f in result.findings]
    assert rules[0] == "internal-error" and "AttributeError" in result.findings[0].message
    assert "syntax-error" not in rules
    assert "drop-column" in rules


def test_the_result_carries_the_text_of_what_was_linted_and_nothing_else(tmp_path: Path) -> None:
    write_tree(tmp_path, {"secret.env": SECRET, "db/V1__x.sql": DROP, "db/V2__b.sql": b"\x00"})
    (tmp_path / "db" / "V3__s.sql").symlink_to(tmp_path / "secret.env")
    result = lint_paths([tmp_path / "db"], Settings())
    assert result.sources == {str(tmp_path / "db" / "V1__x.sql"): DROP}


def test_a_configuration_that_is_a_device_or_a_fifo_is_refused_unread(tmp_path: Path) -> None:
    write_tree(tmp_path, {"db/V1__x.sql": DROP})
    os.mkfifo(tmp_path / "pipe.toml")
    for config, kind in (("/dev/zero", "a character device"), (tmp_path / "pipe.toml", "FIFO")):
        done = run_process("check", "--config", str(config), str(tmp_path / "db"))
        assert done.returncode == 2 and kind in done.stderr
        assert len(done.stderr.splitlines()) == 1


def test_a_path_longer_than_the_system_allows_is_a_finding(tmp_path: Path) -> None:
    fd = os.open(tmp_path, os.O_RDONLY)
    for depth in range(20):  # 20 × 244 characters: past PATH_MAX, built relative to each level
        name = f"d{depth:02d}" + "x" * 240
        os.mkdir(name, dir_fd=fd)
        fd, parent = os.open(name, os.O_RDONLY, dir_fd=fd), fd
        os.close(parent)
    os.close(os.open("V1__x.sql", os.O_WRONLY | os.O_CREAT, dir_fd=fd))
    os.close(fd)
    result = lint_paths([tmp_path], Settings())
    [finding] = result.findings
    assert finding.rule == "unreadable-file" and "File name too long" in finding.message
    assert list(result.skipped.values()) == ["unreadable"]


def test_text_output_neither_blocks_on_a_fifo_nor_prints_a_linked_secret(tmp_path: Path) -> None:
    write_tree(tmp_path, {"secret.env": SECRET, "db/V1__x.sql": DROP})
    (tmp_path / "db" / "V2__s.sql").symlink_to(tmp_path / "secret.env")
    os.mkfifo(tmp_path / "db" / "V3__pipe.sql")
    done = run_process("check", "--no-color", str(tmp_path / "db"))
    assert done.returncode == 1 and "ghp_" not in done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == (
        "1 file linted; skipped 1 (symlink out of the linted folders), 1 (not a regular file): "
        "4 errors"
    )
