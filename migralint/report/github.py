"""GitHub Actions workflow commands: one `::error|warning|notice file=…::message` line per
finding, so each shows as an annotation on the pull request's diff.

The text is escaped twice: `escape.visible` first (no line break or control character
of the tree's survives, so no line can start a command of a stranger's), then GitHub's
own encoding: `%`, CR and LF in the message; also `:` and `,` in properties."""

from __future__ import annotations

from migralint.report.model import Entry, entries
from migralint.report.options import ReportOptions
from migralint.report.text import summary
from migralint.result import LintResult

_DATA = {"%": "%25", "\r": "%0D", "\n": "%0A"}
_PROPERTY = {**_DATA, ":": "%3A", ",": "%2C"}


def data(text: str) -> str:
    """A workflow command's message, encoded."""
    return "".join(_DATA.get(c, c) for c in text)


def prop(text: str) -> str:
    """A workflow command's property value, encoded."""
    return "".join(_PROPERTY.get(c, c) for c in text)


def render(result: LintResult, options: ReportOptions) -> str:
    lines = [_command(e) for e in entries(result, options)]
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


def _command(e: Entry) -> str:
    props = {
        "file": e.path,
        "line": e.line,
        "col": e.column,
        "endLine": e.end_line,
        "endColumn": e.end_column,
        "title": f"migralint {e.rule}",
    }
    if e.end_line != e.line:  # GitHub reads columns only on a one-line span
        del props["col"], props["endColumn"]
    message = f"{e.message}\n\nhelp: {e.help}" if e.help else e.message
    listed = ",".join(f"{key}={prop(str(value))}" for key, value in props.items())
    return f"::{e.level.github} {listed}::{data(message)}"
