"""Given folders in which a run found nothing to lint: a mistyped path or a layout
migralint does not read must not pass as a green "0 files linted"."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from migralint.result import LintResult


def what_is_read() -> str:
    """What a folder must hold to be linted (the layouts are imported only to say so:
    a run that found something never needs them here)."""
    from migralint.sources.layout import CANDIDATE_SUFFIXES

    return (
        f"migralint reads files ending in {', '.join(CANDIDATE_SUFFIXES)} and Alembic "
        "revision files (.py), and skips hidden "
        "folders, node_modules, virtualenvs, excluded and .gitignored paths"
    )


def empty_folders(given: Sequence[Path], result: LintResult) -> list[Path]:
    """The given folders under which the run linted, skipped or reported no file."""
    folders = [path for path in given if _is_folder(path)]
    if not folders:  # files given (a hook's run): nothing to look for
        return []
    found = {os.path.abspath(p) for p in _paths(result)}
    return [f for f in folders if not any(_under(p, os.path.abspath(f)) for p in found)]


def _paths(result: LintResult) -> Iterable[str]:
    yield from result.sources
    yield from result.skipped
    yield from (f.path for f in result.findings)


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)
