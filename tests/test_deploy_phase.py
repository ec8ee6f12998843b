"""Pre- and post-deploy migration names declare the expand and contract phases."""

from __future__ import annotations

import shutil
from pathlib import Path

from migralint.config import Settings
from migralint.directives import MARKED
from migralint.engine import lint_paths
from migralint.run_context import show_context

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "layouts" / "deploy-phase"
_PER_FILE = {"*": "per-file"}


def test_post_deploy_names_and_folders_are_the_contract_phase() -> None:
    result = lint_paths([ROOT], Settings(select=("drop-function",)))
    # the `_post_` file and post_migrate/ drop what release N-1 used after it is gone;
    # a function named post_job is no phase word
    assert [Path(f.path).name for f in result.findings] == ["02.01.00_01_drop_post_job.sql"]
    phases = {Path(i.path).name: (i.phase, i.phase_reason) for i in result.contexts if i.phase}
    assert phases == {
        "02.00.00_01_pre_defer_v2.sql": ("expand", "`_pre_` in its name: it runs pre-deploy"),
        "02.00.00_50_post_defer_v2.sql": ("contract", "`_post_` in its name: it runs post-deploy"),
        "001_drop_fetch_v1.sql": ("contract", "its folder post_migrate/: it runs post-deploy"),
        "002_marked.sql": ("expand", MARKED),
    }
    shown = show_context(result.contexts, Settings())
    assert "  phase         contract: its folder post_migrate/: it runs post-deploy [" in shown


def test_only_a_marked_expand_migration_must_be_safe_to_re_run() -> None:
    # in a transaction, a pre-deploy name does not make a re-run likely; the marker,
    # migralint's expand discipline, does
    result = lint_paths([ROOT], Settings(select=("idempotency",), transaction=_PER_FILE))
    assert {(Path(f.path).name, f.rule) for f in result.findings} == {
        ("002_marked.sql", "create-without-or-replace")
    }


def test_alembic_expand_and_contract_branch_folders_name_their_phase(tmp_path: Path) -> None:
    """OpenStack-style `versions/<release>/contract/`: the drop is the planned contract
    step (no finding of its own); the same drop elsewhere is flagged."""
    project = Path(__file__).resolve().parents[1] / "fixtures" / "alembic" / "phase_branches"
    result = lint_paths([project], Settings(select=("drop-column",)))
    assert result.findings == []
    phases = {Path(i.path).name: i.phase for i in result.contexts if i.phase}
    assert phases == {"c1_drop_legacy.py": "contract", "e1_add_mac.py": "expand"}
    shutil.copytree(project, tmp_path / "p")
    (tmp_path / "p/versions/r1/contract").rename(tmp_path / "p/versions/r1/later")
    moved = lint_paths([tmp_path / "p"], Settings(select=("drop-column",)))
    assert [Path(f.path).name for f in moved.findings] == ["c1_drop_legacy.py"]
