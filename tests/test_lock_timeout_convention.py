"""require-lock-timeout on Alembic projects: env.py's finding skips what is suppressed."""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers import REPO

from migralint.config import Settings
from migralint.engine import lint_paths

RULE = "require-lock-timeout"
SETTINGS = Settings(select=(RULE,))
ALEMBIC = REPO / "fixtures" / "alembic" / "suppressed_lock_timeout"


def test_env_py_does_not_count_revisions_that_accept_or_bound_their_locks(tmp_path: Path) -> None:
    """s2's lock is suppressed at its call, s3 suppresses the rule file-wide, s4 sets its
    own lock_timeout: only s5 is counted."""
    [finding] = lint_paths([ALEMBIC], SETTINGS).findings
    assert finding.path == str(ALEMBIC / "env.py")
    assert (
        "1 of the 5 revisions" in finding.message and "(s5_add_city.py line 15:" in finding.message
    )
    project = shutil.copytree(ALEMBIC, tmp_path / "project")
    (project / "versions" / "s5_add_city.py").unlink()
    assert lint_paths([project], SETTINGS).findings == []
