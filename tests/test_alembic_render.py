"""`--alembic-render`: revisions run through Alembic's offline mode, the SQL it writes
linted at the revision's Python lines; opt-in, because it executes the files."""

from __future__ import annotations

import json
import shutil
import sys
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from migralint.cli import main
from migralint.config import Settings
from migralint.engine import LintResult, lint_paths

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "alembic"
RENDER = FIXTURES / "render"
RENDERED = Settings(alembic_render=True)


def _found(result: LintResult) -> list[tuple[str, int, str]]:
    return sorted((Path(f.path).name, f.line, f.rule) for f in result.findings)


def _line(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_the_planted_revision_runs_only_when_rendering(tmp_path: Path) -> None:
    project = shutil.copytree(FIXTURES / "planted", tmp_path / "planted")
    planted = project / "versions" / "IMPORTED"
    static = lint_paths([project], Settings())
    assert not planted.exists()
    rendered = lint_paths([project], RENDERED)
    assert planted.exists()
    assert _found(rendered) == _found(static)  # drop-column at the op.drop_column line


def test_rendered_sql_is_linted_at_the_op_calls_like_the_static_reading() -> None:
    """Same findings as the static reader, at the same lines: the op call, or inside
    the helper that receives `op`; the autocommit block's index is outside the
    transaction (no concurrent-index-in-transaction)."""
    static, rendered = lint_paths([RENDER], Settings()), lint_paths([RENDER], RENDERED)
    failed = [f for f in rendered.findings if f.rule == "alembic-render-failed"]
    assert [(Path(f.path).name, f.line) for f in failed] == [("r2_reads_rows.py", 16)]
    assert _found(static) == [x for x in _found(rendered) if x[2] != "alembic-render-failed"]
    r3 = RENDER / "versions" / "r3_widen_email.py"
    assert ("r3_widen_email.py", _line(r3, 'operations.drop_column("accounts"'), "drop-column") in (
        _found(rendered)
    )
    assert "concurrent-index-in-transaction" not in {f.rule for f in rendered.findings}


def test_a_revision_that_fails_to_render_is_a_finding_and_read_statically() -> None:
    rendered = lint_paths([RENDER], RENDERED)
    (failed,) = [f for f in rendered.findings if f.rule == "alembic-render-failed"]
    assert failed.message.startswith("upgrade() failed: AttributeError")
    assert failed.message.endswith("linted statically")
    r2 = [(line, rule) for name, line, rule in _found(rendered) if name == "r2_reads_rows.py"]
    assert (19, "drop-column") in r2  # after the failing line: from the static reading
    assert rendered.files_linted == 3


def test_a_revision_that_fails_to_load_is_reported_once_at_its_line(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "x1_imports_the_app.py").write_text(
        'from alembic import op\nimport myapp.models\n\nrevision = "x1"\n'
        'down_revision = None\n\n\ndef upgrade():\n    op.drop_table("users")\n\n\n'
        "def downgrade():\n    pass\n"
    )
    result = lint_paths(
        [tmp_path], Settings(alembic_render=True, select=("correctness", "destructive"))
    )
    assert [(f.line, f.rule) for f in result.findings] == [
        (2, "alembic-render-failed"),
        (9, "drop-table"),
    ]
    assert "ModuleNotFoundError: No module named 'myapp'" in result.findings[0].message


def test_the_cli_option_says_it_executes_code_and_prints_stay_out_of_the_report() -> None:
    runner = CliRunner()
    helped = runner.invoke(main, ["check", "--help"])
    assert "EXECUTES the revision files' code" in " ".join(helped.output.split())
    ran = runner.invoke(main, ["check", "--alembic-render", "--format", "json", str(RENDER)])
    assert ran.exit_code == 1, ran.output
    found = json.loads(ran.output)
    rules = Counter(f["rule"] for f in (found if isinstance(found, list) else found["findings"]))
    assert rules["alembic-render-failed"] == 1 and rules["drop-column"] == 2


def test_prepend_sys_path_lets_a_revision_import_the_application() -> None:
    """As `alembic` does: the name the app defines is read when rendering; statically
    it is read from the app's module (never imported), with the same verdict."""
    project = FIXTURES / "app_import"
    rendered = lint_paths([project], Settings(alembic_render=True, select=("destructive",)))
    assert [(f.line, f.rule) for f in rendered.findings] == [(15, "drop-column")]
    assert "accounts.legacy_code" in rendered.findings[0].message
    static = lint_paths([project], Settings(select=("destructive", "correctness")))
    assert [(f.line, f.rule, f.message) for f in static.findings] == [
        (f.line, f.rule, f.message) for f in rendered.findings
    ]


def test_two_projects_rendered_in_one_run_each_import_their_own_app() -> None:
    """Both projects have `app.names` and a revision `a1_drop_legacy.py`: what the first
    imported is forgotten after it, so the second reads its own names."""
    projects = [FIXTURES / "app_import", FIXTURES / "app_import_other"]
    before = sys.path[:]
    for order in (projects, projects[::-1]):
        rendered = lint_paths(order, Settings(alembic_render=True, select=("drop-column",)))
        assert sorted(f.message.split(" deletes")[0] for f in rendered.findings) == [
            "dropping column accounts.legacy_code",
            "dropping column sessions.old_token",
        ]
    assert "app" not in sys.modules and sys.path == before
