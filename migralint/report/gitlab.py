"""GitLab Code Quality: a JSON list of issues (the Code Climate subset GitLab reads).

Fingerprints are those of `report.fingerprint`: unique within a run and unchanged by
edits elsewhere in the file, so GitLab tells new findings from old ones."""

from __future__ import annotations

import json
from typing import Any

from migralint.report.model import Entry, entries
from migralint.report.options import ReportOptions
from migralint.report.ruleinfo import help_uri
from migralint.result import LintResult


def render(result: LintResult, options: ReportOptions) -> str:
    issues = [_issue(e, options) for e in entries(result, options)]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


def _issue(e: Entry, options: ReportOptions) -> dict[str, Any]:
    body = f"{e.help}\n\nSee {help_uri(e.rule, options.docs_url)}" if e.help else ""
    return {
        "type": "issue",
        "description": f"{e.rule}: {e.message}",
        "check_name": e.rule,
        "fingerprint": e.fingerprint,
        "severity": e.level.gitlab,
        "categories": ["Bug Risk"],
        "content": {"body": body},
        "location": {"path": e.path, "lines": {"begin": e.line, "end": e.end_line}},
    }
