"""A guard on what the database holds (`if "ix" not in [i["name"] for i in
inspector.get_indexes("t")]:`) whose object the earlier revisions left in place: its
body does not run, so nothing in it is judged; a guard on what the catalog does not know
runs its body, judged as before."""

from __future__ import annotations

from pathlib import Path

from migralint.config import Settings
from migralint.engine import lint_paths

PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "alembic" / "known_guards"
GUARDED = PROJECT / "versions" / "g2_guarded.py"


def _lines(text: str) -> list[int]:
    return [i for i, line in enumerate(GUARDED.read_text().splitlines(), 1) if text in line]


def test_only_the_guard_on_an_unknown_table_runs_its_body() -> None:
    found = [f for f in lint_paths([PROJECT], Settings()).findings if f.path == str(GUARDED)]
    assert {f.line for f in found} == set(_lines('op.create_index("ix_jobs_s"'))


def test_the_guards_body_runs_where_the_object_is_missing(tmp_path: Path) -> None:
    """The same revision on a history without the index, the column and the table."""
    versions = tmp_path / "versions"
    versions.mkdir()
    first = (PROJECT / "versions" / "g1_runs.py").read_text()
    (versions / "g1_runs.py").write_text(
        first.replace('op.create_index("ix_runs_s", "runs", ["s"])', "pass")
    )
    (versions / "g2_guarded.py").write_text(GUARDED.read_text())
    found = lint_paths([tmp_path], Settings()).findings
    lines = {(f.rule, f.line) for f in found if f.path.endswith("g2_guarded.py")}
    assert ("require-concurrent-index-creation", _lines('op.create_index("ix_runs_s"')[0]) in lines
