"""Choosing version numbers after the newest migration, and writing files safely.

Every file is first written and synced under a hidden temporary name in the target
folder; then each is linked to its real name, which fails rather than replace a file
that appeared meanwhile, so a file appears whole or not at all. A failure, Ctrl-C or
SIGTERM part way removes every file (and folder) this run made; even a kill -9 can only
leave whole files (and hidden temporaries) behind.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import re
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

from migralint.plan.model import Phase, Plan, PlanError, shown
from migralint.plan.writers import WRITERS, alembic
from migralint.sql.split import split_statements

_TIMESTAMP_DIGITS = 14
# A Flyway version: dot- or underscore-separated numbers (`1`, `1_27`, `2.0.3`).
_FLYWAY = re.compile(r"[VUB](\d+(?:[._]\d+)*)__")
_LEADING = re.compile(r"(\d+)")


def next_versions(out: Path, fmt: str, count: int) -> list[str]:
    """Versions after the newest migration in `out`, in the folder's own style: a
    timestamp after timestamps, else the newest version's last number counted on, with
    its separators and zero padding (Flyway `1_27` → `1_28`, `0009` → `0010`).
    Alembic: fresh revision ids chained after the head of `out`'s revisions."""
    if fmt == "alembic":
        return alembic.next_versions(out, count)
    existing = _existing_versions(out, fmt)
    newest = max(existing, key=_version_key, default=None)
    if (newest is not None and len(newest) >= _TIMESTAMP_DIGITS and newest.isdigit()) or (
        newest is None and fmt == "dbmate"
    ):
        now = int(datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d%H%M%S"))
        start = max([now, *(int(v) + 1 for v in existing if v.isdigit())])
        return [str(start + i) for i in range(count)]
    if newest is None:
        width = 4 if fmt == "sql" else 1
        return [str(1 + i).zfill(width) for i in range(count)]
    head = newest.rstrip("0123456789")
    last = newest[len(head) :]
    return [f"{head}{str(int(last) + 1 + i).zfill(len(last))}" for i in range(count)]


def _version_key(version: str) -> tuple[int, ...]:
    """How the tools order versions: number by number (Flyway: `1_10` after `1_9`)."""
    return tuple(int(part) for part in re.split(r"[._]", version))


def _existing_versions(out: Path, fmt: str) -> list[str]:
    """The versions of the migrations in `out` (Flyway's V/U/B prefixed dotted ones)."""
    if not out.is_dir():
        return []
    pattern = _FLYWAY if fmt == "flyway" else _LEADING
    return [m[1] for path in out.iterdir() if (m := pattern.match(path.name))]


def write_plan(plan: Plan, fmt: str, out: Path) -> list[Path]:
    """Write every file of the plan into `out`, all or nothing; refuses if any of them
    exists. PlanError (one line) when a file cannot be written."""
    if fmt not in WRITERS:
        raise PlanError(f"unknown format {fmt!r}; use one of {', '.join(WRITERS)}")
    for phase in plan.phases:
        _check_one_statement(phase)
    files = WRITERS[fmt](plan, next_versions(out, fmt, len(plan.phases)))
    for name, text in files:
        if "\0" in text:
            raise PlanError(f"{name} would contain a NUL character; nothing was written")
    targets = [out / name for name, _ in files]
    taken = [str(t) for t in targets if t.exists()]
    if taken:
        raise PlanError(f"refusing to overwrite {', '.join(taken)}")
    made: list[Path] = []
    temporaries: list[Path] = []
    current = out
    try:
        with _removed_on_signal():
            made.extend(_make_folders(out))
            for current, (_, text) in zip(targets, files, strict=True):  # the slow part
                temporaries.append(_temporary(current, text))
            for current, temporary in zip(targets, temporaries, strict=True):
                os.link(temporary, current)  # never replaces a file: FileExistsError
                made.append(current)
    except BaseException as error:
        _remove([*temporaries, *reversed(made)])
        if isinstance(error, FileExistsError):
            reason = "it appeared while writing"
        elif isinstance(error, OSError):
            reason = error.strerror or str(error)
        else:
            raise
        where = shown(str(current))
        raise PlanError(f"cannot write {where}: {reason}; nothing was written") from None
    _remove(temporaries)
    return targets


def _remove(paths: list[Path]) -> None:
    """Remove files and (empty) folders, in order, as far as possible."""
    for path in paths:
        with contextlib.suppress(OSError):
            path.rmdir() if path.is_dir() else path.unlink()


def _check_one_statement(phase: Phase) -> None:
    """A phase outside a transaction must be one statement: golang-migrate and dbmate
    send a file as one query, which PostgreSQL runs as one implicit transaction."""
    if phase.transactional:
        return
    for direction, body in (("up", phase.up), ("down", phase.down)):
        count = len(split_statements(body).statements)
        if count != 1:
            raise PlanError(
                f"the {phase.name or 'kept'} phase ({phase.slug}) must run outside a "
                f"transaction but its {direction} has {count} statements: it cannot be "
                "written as one migration"
            )


def _make_folders(out: Path) -> list[Path]:
    """Create `out` and its missing parents; the ones created, outermost first."""
    missing = [p for p in [out, *out.parents] if not p.exists()][::-1]
    made = []
    for folder in missing:
        folder.mkdir()
        made.append(folder)
    return made


def _temporary(target: Path, text: str) -> Path:
    """`text` written and synced to a hidden temporary file beside `target` (no tool
    reads a dot file as a migration); its path."""
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    return Path(temporary)


class _Terminated(BaseException):
    """SIGTERM during a write: clean up, then exit as SIGTERM would."""


@contextlib.contextmanager
def _removed_on_signal() -> Iterator[None]:
    """Turn SIGTERM into an exception while writing, so the clean-up runs."""

    def terminate(signum: int, frame: object) -> None:
        raise _Terminated

    try:
        previous = signal.signal(signal.SIGTERM, terminate)
    except ValueError:  # not the main thread: signals cannot be caught here
        yield
        return
    try:
        yield
    except _Terminated:
        raise SystemExit(128 + signal.SIGTERM) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
