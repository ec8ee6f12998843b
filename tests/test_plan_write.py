"""Writing a plan: versions in the folder's own scheme, every file whole or not at all,
nothing left behind by a failure, a full disk, Ctrl-C or SIGTERM."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from migralint.plan import write
from migralint.plan.model import Phase, Plan, PlanError
from migralint.plan.write import next_versions, write_plan
from migralint.plan.writers import WRITERS

PLAN = Plan(
    "test",
    tuple(Phase(p, f"step_{p}", f"{p} header", "SELECT 1;", "SELECT 2;") for p in ("a", "b", "c")),
    "summary",
)


def _folder(tmp_path: Path, *names: str) -> Path:
    for name in names:
        (tmp_path / name).write_text("SELECT 1;\n")
    return tmp_path


@pytest.mark.parametrize(
    ("existing", "fmt", "expected"),
    [
        (["V1_26__a.sql", "V1_27__b.sql"], "flyway", ["1_28", "1_29", "1_30"]),
        (["V1_9__a.sql", "V1_10__b.sql"], "flyway", ["1_11", "1_12", "1_13"]),
        (
            ["V2.0.3__a.sql", "V2.0.10__b.sql", "U2.0.10__b.sql"],
            "flyway",
            ["2.0.11", "2.0.12", "2.0.13"],
        ),
        (["V009__a.sql"], "flyway", ["010", "011", "012"]),
        (["V1__a.sql", "V2__b.sql"], "flyway", ["3", "4", "5"]),
        (["0009_a.sql", "0009_a.down.sql"], "sql", ["0010", "0011", "0012"]),
        (["1_a.up.sql", "2_b.up.sql"], "golang-migrate", ["3", "4", "5"]),
        (["0041-a.sql", "README.md"], "sql", ["0042", "0043", "0044"]),
        ([], "sql", ["0001", "0002", "0003"]),
        ([], "flyway", ["1", "2", "3"]),
        (
            ["20991231235958_a.sql"],
            "dbmate",
            ["20991231235959", "20991231235960", "20991231235961"],
        ),
    ],
)
def test_versions_follow_the_folder_scheme(
    tmp_path: Path, existing: list[str], fmt: str, expected: list[str]
) -> None:
    assert next_versions(_folder(tmp_path, *existing), fmt, 3) == expected


def test_a_plan_is_written_whole(tmp_path: Path) -> None:
    written = write_plan(PLAN, "golang-migrate", tmp_path / "new" / "folder")
    assert [p.name for p in written][:2] == ["1_step_a.up.sql", "1_step_a.down.sql"]
    assert written[0].read_text().endswith("SELECT 1;\n")
    assert sorted(p.name for p in (tmp_path / "new" / "folder").iterdir()) == sorted(
        p.name for p in written
    )


def _fail_on_second(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    """Make the second file's final link fail with `error`."""
    real, calls = os.link, []

    def link(source: str, target: str) -> None:
        calls.append(target)
        if len(calls) == 2:
            raise error
        real(source, target)

    monkeypatch.setattr(write.os, "link", link)


@pytest.mark.parametrize(
    "error",
    [OSError(errno.ENOSPC, "No space left on device"), OSError(errno.EIO, "Input/output error")],
)
def test_a_failure_part_way_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError
) -> None:
    _fail_on_second(monkeypatch, error)
    out = tmp_path / "made" / "here"
    with pytest.raises(PlanError, match=f"{error.strerror}; nothing was written"):
        write_plan(PLAN, "sql", out)
    assert list(tmp_path.iterdir()) == []  # the folders it made are gone too


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt(), SystemExit(143)])
def test_an_interrupt_part_way_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, interrupt: BaseException
) -> None:
    _fail_on_second(monkeypatch, interrupt)
    (tmp_path / "0001_existing.sql").write_text("SELECT 1;\n")
    with pytest.raises(type(interrupt)):
        write_plan(PLAN, "sql", tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["0001_existing.sql"]


def test_sigterm_part_way_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real, calls = os.link, []

    def link(source: str, target: str) -> None:
        calls.append(target)
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGTERM)
        real(source, target)

    monkeypatch.setattr(write.os, "link", link)
    with pytest.raises(SystemExit) as exit_:
        write_plan(PLAN, "sql", tmp_path)
    assert exit_.value.code == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_a_file_created_meanwhile_is_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process creates the second file between the check and the write."""
    real = os.link

    def link(source: str, target: str) -> None:
        if str(target).endswith("0001_step_a.down.sql"):
            Path(target).write_text("theirs")
        real(source, target)

    monkeypatch.setattr(write.os, "link", link)
    with pytest.raises(PlanError, match="appeared while writing; nothing was written"):
        write_plan(PLAN, "sql", tmp_path)
    assert [(p.name, p.read_text()) for p in tmp_path.iterdir()] == [
        ("0001_step_a.down.sql", "theirs")
    ]


def test_existing_files_are_refused_before_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "0001_step_b.sql").write_text("theirs")
    monkeypatch.setattr(write, "next_versions", lambda *_: ["0001", "0001", "0002"])
    with pytest.raises(PlanError, match="refusing to overwrite"):
        write_plan(PLAN, "sql", tmp_path)
    assert [(p.name, p.read_text()) for p in tmp_path.iterdir()] == [("0001_step_b.sql", "theirs")]


def test_an_out_under_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(PlanError, match=r"cannot write .*file/sub.*nothing was written"):
        write_plan(PLAN, "sql", tmp_path / "file" / "sub")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_refused(tmp_path: Path) -> None:
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(PlanError, match="Permission denied; nothing was written"):
            write_plan(PLAN, "sql", tmp_path)
    finally:
        tmp_path.chmod(0o755)
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_folder_is_refused_even_as_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a read-only folder does to a non-root user, simulated for root (CI)."""

    def mkstemp(**_: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(write.tempfile, "mkstemp", mkstemp)
    with pytest.raises(PlanError, match="Permission denied; nothing was written"):
        write_plan(PLAN, "sql", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_nul_in_a_file_is_refused(tmp_path: Path) -> None:
    phase = Phase("expand", "x", "header", "SELECT '\0';", "SELECT 1;")
    with pytest.raises(PlanError, match="NUL"):
        write_plan(Plan("test", (phase,), ""), "sql", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_phase_outside_a_transaction_must_be_one_statement(tmp_path: Path) -> None:
    """golang-migrate and dbmate would run two statements as one implicit transaction."""
    phase = Phase("expand", "x", "h", "SELECT 1; SELECT 2;", "SELECT 1;", transactional=False)
    with pytest.raises(PlanError, match="its up has 2 statements"):
        write_plan(Plan("test", (phase,), ""), "golang-migrate", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_kill_9_part_way_leaves_only_whole_files(tmp_path: Path) -> None:
    """Nothing can clean up after SIGKILL: what it leaves must be whole files."""
    tests, out = str(Path(__file__).parent), str(tmp_path)
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        f"sys.path.insert(0, {tests!r})\n"
        "import test_plan_write as t\n"
        "from migralint.plan import write\n"
        "real, calls = os.link, []\n"
        "def link(source, target):\n"
        "    calls.append(target)\n"
        "    if len(calls) == 3:\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    real(source, target)\n"
        "write.os.link = link\n"
        f"write.write_plan(t.PLAN, 'sql', Path({out!r}))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], check=False)
    assert run.returncode == -signal.SIGKILL
    expected = dict(WRITERS["sql"](PLAN, ["0001", "0002", "0003"]))
    visible = {p.name: p.read_text() for p in tmp_path.iterdir() if not p.name.startswith(".")}
    assert visible == {name: expected[name] for name in list(expected)[:2]}
