"""Every case under fixtures/sql/<rule-id>/: `flagged_*` entries must be reported by
that rule, `clean_*` entries must not (see fixtures/sql/README.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import REPO

from migralint.config import Settings
from migralint.engine import lint_paths
from migralint.rulepack import load_rules

FIXTURES = REPO / "fixtures" / "sql"
CASES = sorted(
    entry
    for rule in FIXTURES.iterdir()
    if rule.is_dir()
    for entry in rule.iterdir()
    if entry.name.startswith(("flagged_", "clean_"))
)


def _id(entry: Path) -> str:
    return f"{entry.parent.name}/{entry.name}"


def findings_of(entry: Path, rule: str, tmp: Path) -> list[str]:
    """Messages of `rule` on the judged file of a fixture entry. A one-file entry is
    linted alone, from a copy: beside its siblings it would be one migration set with
    them, replayed after the entries whose names sort before it."""
    if entry.is_file():
        entry = judged = Path(shutil.copy(entry, tmp / entry.name))
    else:
        judged = sorted(entry.glob("*.sql"))[-1]
    result = lint_paths([entry], Settings(select=(rule,)))
    return [f.message for f in result.findings if f.rule == rule and Path(f.path) == judged]


def test_every_fixture_folder_names_a_rule() -> None:
    known = {spec.id for spec in load_rules().rules}
    folders = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    assert folders and folders <= known, folders - known


@pytest.mark.parametrize("entry", CASES, ids=_id)
def test_fixture(entry: Path, tmp_path: Path) -> None:
    found = findings_of(entry, entry.parent.name, tmp_path)
    if entry.name.startswith("flagged_"):
        assert found, f"{_id(entry)}: expected a finding"
    else:
        assert found == [], f"{_id(entry)}: {found}"
