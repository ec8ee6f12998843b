"""JSON: a list of finding objects, positions 1-based.

Text fields go through `escape.visible`, as in every format: a consumer that prints a
message or path raw cannot be made to print a control character, and the document is
valid UTF-8 even for a file name that is not (its bytes are shown as `\\xff`)."""

from __future__ import annotations

import json
from dataclasses import fields

from migralint.findings import Finding
from migralint.report.escape import visible
from migralint.result import LintResult

# Read from each finding directly: `dataclasses.asdict` deep-copies every one of them.
_FIELDS = tuple(field.name for field in fields(Finding) if field.name != "assumed_reruns")
_ROW = json.JSONEncoder(ensure_ascii=False, separators=(",\n    ", ": "))


def render(result: LintResult) -> str:
    """`json.dumps(rows, indent=2, ensure_ascii=False)`, byte for byte, from the C encoder
    (`indent` would take the pure-Python one): a row holds only strings and numbers."""
    if not result.findings:
        return "[]\n"
    rows = (_ROW.encode(_row(f))[1:-1] for f in result.findings)
    return "[\n  {\n    " + "\n  },\n  {\n    ".join(rows) + "\n  }\n]\n"


def _row(finding: Finding) -> dict[str, object]:
    row: dict[str, object] = {}
    for name in _FIELDS:
        value = getattr(finding, name)
        row[name] = visible(value) if isinstance(value, str) else value
    row["severity"] = str(finding.severity)
    return row
