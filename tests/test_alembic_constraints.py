"""Alembic constraint operations read as SQL's: `postgresql_not_valid=True` is the
`NOT VALID` SQLAlchemy writes on PostgreSQL, so the scan-free re-add is not flagged."""

from __future__ import annotations

import shutil
from pathlib import Path

from migralint.config import Settings
from migralint.engine import lint_paths

NOT_VALID = Path(__file__).resolve().parents[1] / "fixtures" / "alembic" / "not_valid"
_SCANS = ("adding-foreign-key-constraint", "constraint-missing-not-valid")


def _scans(project: Path) -> list[tuple[str, int, str]]:
    result = lint_paths([project], Settings(select=_SCANS))
    return sorted((Path(f.path).name, f.line, f.rule) for f in result.findings)


def test_constraints_added_not_valid_are_not_flagged() -> None:
    assert _scans(NOT_VALID) == []


def test_without_postgresql_not_valid_the_same_re_adds_are_flagged(tmp_path: Path) -> None:
    project = tmp_path / "not_valid"
    shutil.copytree(NOT_VALID, project)
    revision = project / "versions" / "n2_cascade.py"
    text = revision.read_text(encoding="utf-8")
    revision.write_text(text.replace("not_valid=True", "not_valid=False"), "utf-8")
    assert _scans(project) == [
        ("n2_cascade.py", 16, "adding-foreign-key-constraint"),
        ("n2_cascade.py", 26, "constraint-missing-not-valid"),
    ]
