"""Cached and parallel runs report exactly what a fresh serial run reports."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import CORPUS, REPO

from migralint import engine, incremental, parallel
from migralint.cache import Cache
from migralint.config import Settings
from migralint.engine import LintResult, lint_paths
from migralint.migration import Migration
from migralint.sources import pairs
from migralint.sources.contents import DiskContents

FIXTURES = REPO / "fixtures"
SLICE = [FIXTURES / name for name in ("layouts", "differential", "examples", "incremental")]
SET = FIXTURES / "incremental"


def account(result: LintResult) -> tuple[object, ...]:
    """Everything a report is made from."""
    return (
        result.findings,
        result.contexts,
        result.skipped,
        result.files_linted,
        result.sources,
        result.missing,
        result.unusable,
        result.migrations,
        result.rules,
    )


def rules_at(result: LintResult, name: str) -> list[str]:
    return sorted(f.rule for f in result.findings if Path(f.path).name == name)


@pytest.fixture
def serial(monkeypatch: pytest.MonkeyPatch) -> LintResult:
    monkeypatch.setenv("MIGRALINT_JOBS", "1")
    result = lint_paths(SLICE, Settings())
    monkeypatch.delenv("MIGRALINT_JOBS")
    return result


def test_the_parallel_run_reports_what_the_serial_run_does(
    serial: LintResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    pool_map = parallel.ordered_map

    def forced(work, items, sizes, **options):  # type: ignore[no-untyped-def]
        calls.append(len(items))
        return pool_map(work, items, sizes, jobs=2, serial_below=0)

    monkeypatch.setattr("migralint.incremental.ordered_map", forced)
    assert account(lint_paths(SLICE, Settings())) == account(serial)
    assert calls and calls[0] > 1  # the sets really were shared among workers
    assert len(serial.findings) > 20 and serial.files_linted > 50


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared corpus is not at {CORPUS}")
def test_the_parallel_run_reports_what_the_serial_run_does_on_a_corpus_slice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slice_ = [CORPUS / "ente" / "server" / "migrations", CORPUS / "supabase-auth" / "migrations"]
    monkeypatch.setenv("MIGRALINT_JOBS", "1")
    serial = lint_paths(slice_, Settings())
    monkeypatch.delenv("MIGRALINT_JOBS")
    pool_map = parallel.ordered_map

    def forced(work, items, sizes, **options):  # type: ignore[no-untyped-def]
        return pool_map(work, items, sizes, jobs=2, serial_below=0)

    monkeypatch.setattr("migralint.incremental.ordered_map", forced)
    assert account(lint_paths(slice_, Settings())) == account(serial)
    assert len(serial.findings) > 50 and serial.files_linted > 300


def test_a_cached_run_reports_what_a_fresh_run_does(serial: LintResult, tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    assert account(lint_paths(SLICE, Settings(), cache=cache)) == account(serial)
    assert list(tmp_path.rglob("*")), "the first run filled the cache"
    assert account(lint_paths(SLICE, Settings(), cache=cache)) == account(serial)


def test_a_full_hit_reads_and_judges_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Cache(tmp_path / "cache")
    first = lint_paths([SET], Settings(), cache=cache)

    def refuse(*args: object) -> None:
        raise AssertionError("a file was read or judged on a full cache hit")

    monkeypatch.setattr(engine.Linter, "read", refuse)
    monkeypatch.setattr(engine.Linter, "judge", refuse)
    assert account(lint_paths([SET], Settings(), cache=cache)) == account(first)


def stored(root: Path) -> list[object]:
    """The values of the cache's entries under `root`."""
    return [pickle.loads(p.read_bytes())[1] for p in root.rglob("??/*") if p.is_file()]


def copy_set(tmp_path: Path) -> Path:
    root = tmp_path / "set"
    shutil.copytree(SET, root)
    return root / "migrations"


def test_an_earlier_file_changed_re_judges_the_later_ones(tmp_path: Path) -> None:
    folder = copy_set(tmp_path)
    cache = Cache(tmp_path / "cache")
    widen = "2_widen_email.up.sql"
    assert "changing-column-type" not in rules_at(lint_paths([folder], cache=cache), widen)
    first = folder / "1_accounts.up.sql"  # the column the later file widens becomes an int
    first.write_text(first.read_text().replace("email varchar(100)", "email integer"))
    assert "changing-column-type" in rules_at(lint_paths([folder], cache=cache), widen)


def test_a_down_file_removed_beside_an_unchanged_up_is_seen(tmp_path: Path) -> None:
    folder = copy_set(tmp_path)
    cache = Cache(tmp_path / "cache")
    settings = Settings(exclude=("3_name.down.sql",))  # not linted, but the tool runs it
    assert "missing-down-migration" not in rules_at(
        lint_paths([folder], settings, cache=cache), "3_name.up.sql"
    )
    (folder / "3_name.down.sql").unlink()
    pairs._down_files.cache_clear()  # the run context's memo of the folder, per process
    assert "missing-down-migration" in rules_at(
        lint_paths([folder], settings, cache=cache), "3_name.up.sql"
    )


def test_settings_are_part_of_the_key(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    lint_paths([SET], Settings(), cache=cache)
    offline = lint_paths([SET], Settings(deployment={"*": "offline"}), cache=cache)
    assert "require-lock-timeout" not in {f.rule for f in offline.findings}


def test_a_file_out_of_time_is_not_cached(tmp_path: Path) -> None:
    slow = lint_paths([SET], Settings(time_budget=0.0), cache=Cache(tmp_path))
    assert "file-too-slow" in {f.rule for f in slow.findings}
    assert all(isinstance(value, tuple) for value in stored(tmp_path))  # keys by stat only


def run_cli(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    """`migralint check ARGS SET` in a fresh interpreter; stderr ends with the modules
    it imported that matter here."""
    probe = (
        "import sys\nfrom migralint.cli import main\n"
        "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
        "sys.stderr.write(f'\\nsqlglot={\"sqlglot\" in sys.modules} '\n"
        "                 f'reader={\"migralint.sql.parse\" in sys.modules}')\n"
        "sys.exit(code)\n"
    )
    env = {**os.environ, "MIGRALINT_CACHE_DIR": str(cache), "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-c", probe, "check", *args, str(SET)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
    )


def test_the_cli_caches_and_a_hit_never_imports_sqlglot(tmp_path: Path) -> None:
    cold = run_cli("--format", "json", cache=tmp_path)
    warm = run_cli("--format", "json", cache=tmp_path)
    assert cold.returncode == warm.returncode == 1
    assert cold.stdout == warm.stdout and "require-lock-timeout" in cold.stdout
    assert cold.stderr.endswith("reader=True")  # sqlglot too, unless the fast readers read all
    assert warm.stderr.endswith("sqlglot=False reader=False")


def test_no_cache_reads_and_writes_nothing(tmp_path: Path) -> None:
    done = run_cli("--no-cache", cache=tmp_path / "cache")
    assert done.returncode == 1 and "require-lock-timeout" in done.stdout
    assert not (tmp_path / "cache").exists()


def test_a_settled_set_is_known_unchanged_by_its_stats_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = copy_set(tmp_path)
    cache = Cache(tmp_path / "cache")
    monkeypatch.setattr(incremental, "SETTLED_SECONDS", 0.0)  # the copies count as old
    first = lint_paths([folder], cache=cache)
    got: list[object] = []
    cache_get = Cache.get

    def read_nothing(*args: object) -> bytes:
        raise AssertionError("a file was read to know that it did not change")

    def recorded(self: Cache, entry: str) -> object:
        got.append(value := cache_get(self, entry))
        return value

    monkeypatch.setattr(DiskContents, "read", read_nothing)
    monkeypatch.setattr(Cache, "get", recorded)
    again = lint_paths([folder], cache=cache)
    assert not any(isinstance(value, (Migration, dict)) for value in got)  # no Ops, no bundle
    assert account(again) == account(first)  # the Migrations load when asked for


def test_a_same_size_edit_that_keeps_the_mtime_is_seen(tmp_path: Path) -> None:
    folder = copy_set(tmp_path)
    cache = Cache(tmp_path / "cache")
    widen = "2_widen_email.up.sql"
    assert "changing-column-type" not in rules_at(lint_paths([folder], cache=cache), widen)
    first = folder / "1_accounts.up.sql"
    before = first.stat()
    first.write_text(first.read_text().replace("email varchar(100)", "email integer     "))
    os.utime(first, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert first.stat().st_size == before.st_size
    assert "changing-column-type" in rules_at(lint_paths([folder], cache=cache), widen)


def test_fresh_files_get_no_stat_entry(tmp_path: Path) -> None:
    folder = copy_set(tmp_path)  # written just now: within SETTLED_SECONDS
    lint_paths([folder], cache=Cache(tmp_path / "cache"))
    values = stored(tmp_path / "cache")
    assert values and not any(isinstance(value, tuple) for value in values)


def record_judged(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files the engine judges from now on, in order."""
    judged: list[str] = []
    judge = engine.Linter.judge

    def recorded(self: engine.Linter, migration: Migration, *args: object) -> engine.Linted:
        judged.append(Path(migration.path).name)
        return judge(self, migration, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(engine.Linter, "judge", recorded)
    return judged


def test_a_file_given_alone_starts_from_the_cached_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = copy_set(tmp_path)
    cache = Cache(tmp_path / "cache")
    last = folder / "3_name.up.sql"
    lint_paths([folder], cache=cache)  # keeps the catalog before the last file
    last.write_text("ALTER TABLE accounts ALTER COLUMN email TYPE varchar(300);\n")
    judged = record_judged(monkeypatch)
    edited = lint_paths([last], cache=cache)
    assert judged == ["3_name.up.sql"]  # no earlier file replayed
    monkeypatch.undo()
    assert account(edited) == account(lint_paths([last]))  # no cache: all replayed
    assert "changing-column-type" not in rules_at(edited, last.name)  # the column is known


def test_an_earlier_file_changed_is_replayed_for_a_file_given_alone(tmp_path: Path) -> None:
    folder = copy_set(tmp_path)
    cache = Cache(tmp_path / "cache")
    widen = folder / "2_widen_email.up.sql"
    lint_paths([folder], cache=cache)
    assert "changing-column-type" not in rules_at(lint_paths([widen], cache=cache), widen.name)
    first = folder / "1_accounts.up.sql"
    first.write_text(first.read_text().replace("email varchar(100)", "email integer"))
    assert "changing-column-type" in rules_at(lint_paths([widen], cache=cache), widen.name)


def long_set(tmp_path: Path, count: int) -> Path:
    """A golang-migrate set of `count` ups (and downs), each adding a column to one table."""
    folder = tmp_path / "long" / "migrations"
    folder.mkdir(parents=True)
    (folder / "1_t.up.sql").write_text("CREATE TABLE t (id bigint PRIMARY KEY);\n")
    (folder / "1_t.down.sql").write_text("DROP TABLE t;\n")
    for n in range(2, count + 1):
        (folder / f"{n}_c{n}.up.sql").write_text(f"ALTER TABLE t ADD COLUMN c{n} int;\n")
        (folder / f"{n}_c{n}.down.sql").write_text(f"ALTER TABLE t DROP COLUMN c{n};\n")
    return folder


def test_a_set_keeps_its_migrations_in_one_entry(tmp_path: Path) -> None:
    folder = long_set(tmp_path, 40)
    lint_paths([folder], cache=Cache(tmp_path / "cache"))
    values = stored(tmp_path / "cache")
    bundles = [v for v in values if isinstance(v, dict) and all(isinstance(k, str) for k in v)]
    assert [len(b) for b in bundles if len(b) == 80] == [80]  # every up and down, once
    assert len(values) < 10  # and not one entry per file


def test_a_file_edited_inside_a_long_set_replays_from_the_nearest_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = long_set(tmp_path, 40)
    cache = Cache(tmp_path / "cache")
    lint_paths([folder], cache=cache)
    edited = folder / "36_c36.up.sql"  # a catalog is kept after every 32nd up
    edited.write_text("ALTER TABLE t ALTER COLUMN c2 TYPE bigint;\n")
    judged = record_judged(monkeypatch)
    alone = lint_paths([edited], cache=cache)
    assert judged == ["33_c33.up.sql", "34_c34.up.sql", "35_c35.up.sql", "36_c36.up.sql"]
    monkeypatch.undo()
    assert account(alone) == account(lint_paths([edited]))  # no cache: all 35 replayed
    assert "changing-column-type" in rules_at(alone, edited.name)  # c2 is known, an int
