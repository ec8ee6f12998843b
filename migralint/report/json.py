"""JSON: a list of finding objects, positions 1-based."""

from __future__ import annotations

import json
from dataclasses import asdict

from migralint.engine import LintResult


def render(result: LintResult) -> str:
    rows = []
    for f in result.findings:
        row = asdict(f)
        row["severity"] = str(f.severity)
        rows.append(row)
    return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
