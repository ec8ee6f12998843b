"""Revisions that run only on a fresh database (an older engine applied them on every
existing install: `if skip_on_legacy_install(op, __name__): return`) are marked with
`fresh_install` globs, as schema dumps are: they get no operational findings, and the
later revisions are still judged on the schema they built."""

from __future__ import annotations

from pathlib import Path

from migralint.config import Settings, load_settings
from migralint.engine import lint_paths

PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "alembic" / "legacy_baseline"


def _found(settings: Settings) -> set[tuple[str, str]]:
    return {(Path(f.path).name, f.rule) for f in lint_paths([PROJECT], settings).findings}


def test_fresh_install_globs_mark_the_legacy_revisions() -> None:
    unmarked = _found(Settings())
    assert ("01_legacy_change.py", "drop-column") in unmarked
    marked = _found(load_settings(PROJECT / "pyproject.toml"))
    assert not {name for name, _ in marked} & {"00_create.py", "01_legacy_change.py"}
    assert ("02_first_alembic.py", "require-concurrent-index-creation") in marked
