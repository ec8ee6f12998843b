"""A finding in a down migration says, once, that it is on the rollback path: the
engine adds it where it finalises messages, unless the rule's wording already says so."""

from __future__ import annotations

from pathlib import Path

from helpers import REPO

from migralint.config import Settings
from migralint.engine import ON_ROLLBACK, lint_paths

SET = REPO / "fixtures" / "down_findings"


def test_each_finding_of_a_down_says_it_is_on_rollback_once() -> None:
    result = lint_paths([SET], Settings(transaction={"*": "none"}))  # re-runs matter
    found = {(Path(f.path).name, f.rule): f.message for f in result.findings}
    dropped = found[("1_users.down.sql", "drop-without-if-exists")]
    assert dropped.startswith(ON_ROLLBACK + "DROP TABLE audit fails with 'does not exist'")
    readded = found[("2_drop_name.down.sql", "add-column-without-if-not-exists")]
    assert readded.startswith(ON_ROLLBACK + "ADD COLUMN users.name")
    # irreversible-down's own wording names the rollback: not said twice
    assert found[("2_drop_name.down.sql", "irreversible-down")].startswith("this rollback")
    ups = [m for (name, _), m in found.items() if name.endswith(".up.sql")]
    assert ups and not any("rollback" in m for m in ups)
