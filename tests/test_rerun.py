"""A re-run of the same `check` is answered from the run's cache entry, without linting,
and only while nothing that run looked at changed (migralint/rerun.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers import REPO

from migralint import engine, rerun, rulepack
from migralint.cli import main

SET = REPO / "fixtures" / "incremental"


def project(tmp_path: Path) -> Path:
    """A copy of the fixture set in a repository of its own (the folders above it are
    watched up to the one holding `.git`, not the busy temporary folder)."""
    root = tmp_path / "project"
    shutil.copytree(SET, root)
    (root / ".git").mkdir()
    return root / "migrations"


@pytest.fixture
def settled_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by the test count as settled (else no run's answer is kept)."""
    monkeypatch.setattr(rerun, "SETTLED_SECONDS", 0.0)


def check(*args: object, cache: Path) -> Result:
    return CliRunner().invoke(
        main,
        ["check", "--format", "json", *map(str, args)],
        env={"MIGRALINT_CACHE_DIR": str(cache)},
    )


def rules_of(done: Result) -> list[tuple[str, str]]:
    return sorted((Path(f["path"]).name, f["rule"]) for f in json.loads(done.stdout or "[]"))


def refuse_to_lint(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **options: object) -> None:
        raise AssertionError("the run was linted (or its rule pack loaded) again")

    monkeypatch.setattr(engine, "lint_paths", refuse)
    monkeypatch.setattr(rulepack, "load_rules", refuse)


@pytest.mark.parametrize("alone", [False, True], ids=["folder", "one file"])
def test_a_re_run_is_answered_without_linting(
    tmp_path: Path, settled_now: None, monkeypatch: pytest.MonkeyPatch, alone: bool
) -> None:
    folder = project(tmp_path)
    target = folder / "2_widen_email.up.sql" if alone else folder
    first = check(target, cache=tmp_path / "cache")
    assert first.exit_code == 1 and rules_of(first)
    refuse_to_lint(monkeypatch)
    again = check(target, cache=tmp_path / "cache")
    assert (again.exit_code, again.stdout) == (first.exit_code, first.stdout)


def test_sarif_from_a_re_run_still_carries_the_rule_docs(tmp_path: Path, settled_now: None) -> None:
    folder = project(tmp_path)
    args = ["check", "--format", "sarif", str(folder)]
    env = {"MIGRALINT_CACHE_DIR": str(tmp_path / "cache")}
    first = CliRunner().invoke(main, args, env=env)
    again = CliRunner().invoke(main, args, env=env)
    assert again.stdout == first.stdout and '"fullDescription"' in first.stdout


def changed_answer(tmp_path: Path, target: Path, change) -> None:  # type: ignore[no-untyped-def]
    """After `change`, the re-run's findings are a fresh run's, and differ from before."""
    cache = tmp_path / "cache"
    before = check(target, cache=cache)
    change()
    after = check(target, cache=cache)
    fresh = check("--no-cache", target, cache=cache)
    assert (after.exit_code, after.stdout) == (fresh.exit_code, fresh.stdout)
    assert rules_of(after) != rules_of(before)


def test_a_same_size_edit_that_keeps_the_mtime_is_seen(tmp_path: Path, settled_now: None) -> None:
    folder = project(tmp_path)
    first = folder / "1_accounts.up.sql"

    def edit() -> None:
        before = first.stat()
        first.write_text(first.read_text().replace("email varchar(100)", "email integer     "))
        os.utime(first, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert first.stat().st_size == before.st_size

    changed_answer(tmp_path, folder, edit)


def test_a_file_added_to_a_given_folder_is_seen(tmp_path: Path, settled_now: None) -> None:
    folder = project(tmp_path)
    add = folder / "4_drop.up.sql"
    changed_answer(
        tmp_path, folder, lambda: add.write_text("ALTER TABLE accounts DROP COLUMN email;\n")
    )


def test_an_earlier_file_removed_from_a_given_file_s_set_is_seen(
    tmp_path: Path, settled_now: None
) -> None:
    """The pre-commit case: the file's set folder is watched, not only the file."""
    folder = project(tmp_path)

    def remove() -> None:
        (folder / "1_accounts.up.sql").unlink()
        (folder / "1_accounts.down.sql").unlink()

    changed_answer(tmp_path, folder / "2_widen_email.up.sql", remove)


def test_a_gitignore_written_above_the_folder_is_seen(tmp_path: Path, settled_now: None) -> None:
    folder = project(tmp_path)
    ignore = folder.parent / ".gitignore"
    changed_answer(tmp_path, folder, lambda: ignore.write_text("migrations/2_widen_email.*\n"))


def test_a_missing_path_that_appears_is_seen(tmp_path: Path, settled_now: None) -> None:
    folder = project(tmp_path)
    later = folder / "4_drop.up.sql"
    cache = tmp_path / "cache"
    assert check(later, cache=cache).exit_code == 2  # no such file
    later.write_text("ALTER TABLE accounts DROP COLUMN email;\n")
    assert ("4_drop.up.sql", "drop-column") in rules_of(check(later, cache=cache))


def test_fresh_files_keep_no_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file written within SETTLED_SECONDS could change again within one clock tick."""
    folder = project(tmp_path)
    check(folder, cache=tmp_path / "cache")
    linted: list[object] = []
    lint_paths = engine.lint_paths
    monkeypatch.setattr(
        engine, "lint_paths", lambda *a, **k: linted.append(a) or lint_paths(*a, **k)
    )
    check(folder, cache=tmp_path / "cache")
    assert linted


def test_a_liquibase_run_keeps_no_answer(
    tmp_path: Path, settled_now: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its includes resolve against every folder above a changelog: not all watched."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "fixtures" / "layouts" / "liquibase", root)
    (root / ".git").mkdir()
    first = check(root, cache=tmp_path / "cache")
    assert first.exit_code == 1
    linted: list[object] = []
    lint_paths = engine.lint_paths
    monkeypatch.setattr(
        engine, "lint_paths", lambda *a, **k: linted.append(a) or lint_paths(*a, **k)
    )
    assert check(root, cache=tmp_path / "cache").stdout == first.stdout
    assert linted


_PROBE = """
import json, sys
from migralint.cli import main
sys.argv = ["migralint", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
heavy = ("sqlglot", "migralint.sql.ops", "migralint.engine", "migralint.rule",
         "migralint.sources.layout")
loaded = sorted(m for m in sys.modules if m in heavy or m.startswith("migralint_pack_"))
print(json.dumps(loaded), file=sys.stderr)
"""


def test_a_re_run_imports_neither_sqlglot_nor_the_ops_nor_the_rule_pack_nor_the_layouts(
    tmp_path: Path,
) -> None:
    folder = project(tmp_path)
    time.sleep(2.2)  # past SETTLED_SECONDS: the first run keeps its answer
    env = {**os.environ, "MIGRALINT_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(REPO)}

    def modules(*args: object) -> list[str]:
        command = [sys.executable, "-c", _PROBE, "check", *map(str, args)]
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path)
        return json.loads(done.stderr.strip().splitlines()[-1])  # type: ignore[no-any-return]

    for target in (folder, folder / "2_widen_email.up.sql"):
        assert "migralint.engine" in modules(target)  # the probe sees what a miss loads
        assert modules(target) == []
