"""A set whose transaction mode nothing states gets one re-run finding, at its first
such statement, counting the set's statements and saying how to state the mode; a
stated mode judges each statement where it is (migralint/assumed_mode.py)."""

from __future__ import annotations

from pathlib import Path

from helpers import REPO

from migralint.config import Settings
from migralint.engine import lint_paths
from migralint.findings import Severity

FIXTURES = REPO / "fixtures" / "assumed_mode"
RERUNS = (
    "create-without-if-not-exists",
    "add-column-without-if-not-exists",
    "create-without-or-replace",
)


def _reruns(entry: Path, **settings: object) -> list[tuple[str, int, str, str, Severity]]:
    result = lint_paths([entry], Settings(select=RERUNS, **settings))  # type: ignore[arg-type]
    return [(Path(f.path).name, f.line, f.message, f.help, f.severity) for f in result.findings]


def test_an_assumed_mode_gives_the_set_one_finding_counting_its_statements() -> None:
    [(name, line, message, help, severity)] = _reruns(FIXTURES / "plain_set")
    assert (name, line) == ("001_users.sql", 2)
    assert "5 statements in 3 files fail on a re-run after a half-applied file" in message
    assert "(001_users.sql:2, 002_email.sql:1, 003_view.sql:1, …)" in message
    assert '`[tool.migralint.transaction]`, `"plain_set/*" = "per-file"`' in help
    assert "assume_in_transaction = true" in help
    assert help.endswith("For this statement: Write `CREATE TABLE IF NOT EXISTS users …`.")
    assert severity == Severity.WARNING


def test_the_set_finding_has_the_highest_severity_it_stands_for() -> None:
    raised = {"create-without-or-replace": Severity.ERROR}  # the last file's finding
    [(_, _, _, _, severity)] = _reruns(FIXTURES / "plain_set", severity=raised)
    assert severity == Severity.ERROR


def test_a_stated_mode_reports_each_file_where_it_is() -> None:
    stated = _reruns(FIXTURES / "plain_set", transaction={"plain_set/*": "none"})
    assert [(name, line) for name, line, *_ in stated] == [
        ("001_users.sql", 2),
        ("002_email.sql", 1),
        ("003_view.sql", 1),
    ]
    assert not any("one finding for the set" in message for _, _, message, *_ in stated)
    assert _reruns(FIXTURES / "plain_set", assume_in_transaction=True) == []
