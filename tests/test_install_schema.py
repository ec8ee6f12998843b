"""A full schema beside a migration folder is the fresh install, not a step of it."""

from __future__ import annotations

from pathlib import Path

from migralint.config import Settings
from migralint.engine import lint_paths
from migralint.sources.discover import discover

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "layouts" / "install-schema"


def test_the_schema_and_what_completes_it_are_fresh_installs() -> None:
    fresh = {f.path.name: f.fresh_reason for f in discover([ROOT]).files if f.fresh_install}
    assert fresh == {
        "schema.sql": "a full schema beside upgrade/: it creates Notes, users, "
        "which upgrade/ alters or drops",
        "search.sql": "works only on tables that schema.sql, the full schema beside it, creates",
    }


def test_operational_rules_skip_them_and_judge_the_rest() -> None:
    result = lint_paths([ROOT], Settings())
    by_file = {(Path(f.path).name, f.rule) for f in result.findings}
    assert not {name for name, _ in by_file} & {"schema.sql", "search.sql"}
    assert ("audit.sql", "require-concurrent-index-creation") in by_file
    assert ("002_notes.sql", "require-concurrent-index-creation") in by_file
