"""The terminal, as people expect it: under a real pseudo-terminal a long run shows a
progress line on stderr and ends with a summary (files, findings by severity, time);
piped, or in a machine format, neither appears. NO_COLOR and --color decide colour,
and the severity is also a word."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, write_tree

from migralint.progress import MIN_FILES

DROP = "ALTER TABLE users DROP COLUMN email;\n"
COLOR = re.compile(r"\x1b\[\d+m")
SUMMARY = re.compile(r"(\d+) files? linted in (\d+\.\d\d) s: (.*)")


def _tree(root: Path, count: int) -> Path:
    write_tree(root, {f"V{i}__drop.sql": DROP for i in range(1, count + 1)})
    return root


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    return {**env, "TERM": "xterm", "PYTHONPATH": str(REPO), **extra}  # this tree's migralint


def in_terminal(
    args: list[str], env: dict[str, str], stderr_terminal: bool = True, cwd: Path | None = None
) -> tuple[int, str, str]:
    """Run migralint with stdout on a pseudo-terminal and stderr on another (or on a
    pipe); what each received, with the terminal's CR LF read as LF."""
    ends = [pty.openpty(), pty.openpty() if stderr_terminal else os.pipe()]
    command = [sys.executable, "-m", "migralint", *args]
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=ends[0][1], stderr=ends[1][1], env=env, cwd=cwd
    )
    for _, child_end in ends:
        os.close(child_end)
    masters = [ours for ours, _ in ends]
    received = {fd: b"" for fd in masters}
    open_fds = list(masters)
    while open_fds:
        ready, _, _ = select.select(open_fds, [], [], 60)
        assert ready, "migralint wrote nothing for 60 s"
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the program closed its terminal
                chunk = b""
            if chunk:
                received[fd] += chunk
            else:
                open_fds.remove(fd)
                os.close(fd)
    code = process.wait(60)
    out, err = (received[fd].decode().replace("\r\n", "\n") for fd in masters)
    return code, out, err


def piped(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    command = [sys.executable, "-m", "migralint", *args]
    run = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    return run.returncode, run.stdout, run.stderr


def test_a_long_run_on_a_terminal_shows_progress_then_a_summary(tmp_path: Path) -> None:
    root = _tree(tmp_path, MIN_FILES + 5)
    code, out, err = in_terminal(["check", "--select", "drop-column", str(root)], _env())
    assert code == 1
    assert f"linting {MIN_FILES + 5} files " in err
    progress, _, closing = err.rpartition("\r\x1b[K")  # the line is erased before the summary
    assert progress.startswith("\r\x1b[K")
    summary = SUMMARY.fullmatch(COLOR.sub("", closing.strip()))
    assert summary is not None, err
    assert summary[1] == str(MIN_FILES + 5)
    assert summary[3] == f"{MIN_FILES + 5} errors"
    assert "\x1b[31m" in closing  # the error count in the error colour
    assert out.count("\n  \x1b[32mhelp:") == MIN_FILES + 5  # every finding, in full
    assert "files linted" not in out  # the summary is the terminal's, once, on stderr
    assert "\x1b[31merror\x1b[0m: " in out  # colour on a terminal, and the word


def test_a_short_run_on_a_terminal_has_a_summary_but_no_progress_line(tmp_path: Path) -> None:
    root = _tree(tmp_path, 2)
    code, _, err = in_terminal(["check", "--select", "drop-column", str(root)], _env())
    assert code == 1
    assert "linting" not in err
    summary = SUMMARY.fullmatch(COLOR.sub("", err.strip()))
    assert summary is not None and summary[3] == "2 errors", err


def test_piped_output_has_no_progress_timing_or_colour(tmp_path: Path) -> None:
    root = _tree(tmp_path, MIN_FILES + 5)
    code, out, err = piped(["check", "--select", "drop-column", str(root)], _env())
    assert code == 1
    assert err == ""
    assert "\x1b[" not in out
    assert out.splitlines()[-1] == f"{MIN_FILES + 5} files linted: {MIN_FILES + 5} errors"
    assert out.splitlines()[0].startswith("error: ")  # severity in words without colour


def test_piped_stderr_alone_turns_progress_and_summary_off(tmp_path: Path) -> None:
    root = _tree(tmp_path, MIN_FILES + 5)
    args = ["check", "--select", "drop-column", str(root)]
    code, out, err = in_terminal(args, _env(), stderr_terminal=False)
    assert code == 1
    assert err == ""
    last = COLOR.sub("", out.splitlines()[-1])  # stdout is still a terminal: coloured
    assert last == f"{MIN_FILES + 5} files linted: {MIN_FILES + 5} errors"


@pytest.mark.parametrize("fmt", ["json", "sarif", "github", "gitlab", "junit", "markdown"])
def test_machine_formats_on_a_terminal_get_neither(tmp_path: Path, fmt: str) -> None:
    root = _tree(tmp_path, MIN_FILES + 5)
    code, out, err = in_terminal(["check", "--format", fmt, str(root)], _env())
    assert code == 1
    assert err == ""
    assert "linting" not in out and not SUMMARY.search(out)
    assert "\x1b[" not in out
    if fmt in ("json", "sarif", "gitlab"):
        json.loads(out)


def test_no_color_turns_colour_off_on_a_terminal_and_color_forces_it(tmp_path: Path) -> None:
    root = _tree(tmp_path, 2)
    args = ["check", "--select", "drop-column", str(root)]
    _, out, err = in_terminal(args, _env(NO_COLOR="1"))
    assert not COLOR.search(out) and not COLOR.search(err)
    assert out.startswith("error: ")
    _, out, _ = in_terminal([*args, "--color"], _env(NO_COLOR="1"))
    assert "\x1b[31merror\x1b[0m: " in out
    _, out, _ = in_terminal(args, _env(NO_COLOR=""))  # empty: not set, as no-color.org says
    assert COLOR.search(out)
    _, out, _ = piped([*args, "--color"], _env())
    assert COLOR.search(out)
    _, out, err = in_terminal([*args, "--no-color"], _env())
    assert not COLOR.search(out) and not COLOR.search(err)
    assert SUMMARY.fullmatch(err.strip())


def test_a_dumb_terminal_gets_no_progress_line(tmp_path: Path) -> None:
    root = _tree(tmp_path, MIN_FILES + 5)
    _, _, err = in_terminal(["check", str(root)], _env(TERM="dumb"))
    assert err == ""


def test_the_progress_line_is_erased_when_the_run_fails() -> None:
    import io

    from migralint.progress import Progress

    stream = io.StringIO()
    with pytest.raises(KeyboardInterrupt), Progress(stream, interval=0.01) as progress:
        progress.update(10, 40)
        raise KeyboardInterrupt
    assert stream.getvalue().startswith("\r\x1b[Klinting 40 files [#####     ")
    assert " 10/40 " in stream.getvalue()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_the_bar_fills_as_the_engine_reports_files(tmp_path: Path) -> None:
    """lint_paths reports each reported file; the bar ends full."""
    import io

    from migralint.engine import lint_paths
    from migralint.progress import Progress

    root = _tree(tmp_path, MIN_FILES + 5)
    seen: list[tuple[int, int]] = []
    stream = io.StringIO()
    with Progress(stream, interval=60) as progress:

        def on_file(done: int, total: int) -> None:
            seen.append((done, total))
            progress.update(done, total)

        lint_paths([root], on_file=on_file)
    total = MIN_FILES + 5
    assert seen == [(n, total) for n in range(total + 1)]
    assert f"[{'#' * 20}] {total}/{total}" in stream.getvalue()


def test_a_since_run_counts_only_what_it_lints(tmp_path: Path) -> None:
    root = _tree(tmp_path, MIN_FILES + 5)
    env = _env(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, HOME=str(tmp_path))
    for command in (
        ["init", "-q"],
        ["add", "."],
        ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one"],
        ["tag", "v1"],
    ):
        subprocess.run(["git", *command], cwd=root, env=env, check=True, capture_output=True)
    write_tree(root, {"V99__drop.sql": DROP})
    args = ["check", "--select", "drop-column", "--since", "v1"]
    code, out, err = in_terminal(args, env, cwd=root)
    assert code == 1, out + err
    assert "linting" not in err  # not the tree's count
    summary = SUMMARY.fullmatch(COLOR.sub("", err.splitlines()[-1]))  # after the notices
    assert summary is not None and summary[1] == "1", err
