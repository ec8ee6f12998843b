"""JSON: a list of finding objects, positions 1-based.

Text fields go through `escape.visible`, as in every format: a consumer that prints a
message or path raw cannot be made to print a control character, and the document is
valid UTF-8 even for a file name that is not (its bytes are shown as `\\xff`)."""

from __future__ import annotations

import json
from dataclasses import asdict

from migralint.engine import LintResult
from migralint.report.escape import visible


def render(result: LintResult) -> str:
    rows = []
    for f in result.findings:
        row = {k: visible(v) if isinstance(v, str) else v for k, v in asdict(f).items()}
        row["severity"] = str(f.severity)
        rows.append(row)
    return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
