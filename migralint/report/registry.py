"""Every output format by name: `FORMATS[name](result, options)` is the report text.

Each format is a module of its own, imported when it is used, so listing the names (for
`--format`) costs nothing."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING

from migralint.report.options import ReportOptions

if TYPE_CHECKING:
    from migralint.result import LintResult

Render = Callable[["LintResult", ReportOptions], str]


def _json(result: LintResult, options: ReportOptions) -> str:
    from migralint.report import json

    return json.render(result)


def _module(name: str) -> Render:
    """The `render(result, options)` of `migralint.report.<name>`, imported on first use."""

    def render(result: LintResult, options: ReportOptions) -> str:
        module = import_module(f"migralint.report.{name}")
        return module.render(result, options)  # type: ignore[no-any-return]

    render.__name__ = f"render_{name}"
    return render


FORMATS: dict[str, Render] = {
    "text": _module("text"),
    "json": _json,
    "sarif": _module("sarif"),
    "github": _module("github"),
    "gitlab": _module("gitlab"),
    "junit": _module("junit"),
    "markdown": _module("markdown"),
}
MACHINE_FORMATS = frozenset(FORMATS) - {"text"}
"""Formats read by programs: no progress bar, colour or summary may be mixed into them."""
