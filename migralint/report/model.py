"""What every machine format shows of a finding: where (relative to the working folder),
how severe in each CI's words, its fingerprint, and its text, all escaped."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from migralint.findings import Finding, Severity
from migralint.report.escape import uri_path, visible
from migralint.report.fingerprint import fingerprints
from migralint.report.options import ReportOptions
from migralint.result import LintResult


@dataclass(frozen=True, slots=True)
class Level:
    """A severity as SARIF, GitHub workflow commands and GitLab Code Quality name it."""

    sarif: str
    github: str
    gitlab: str


LEVELS = {
    Severity.ERROR: Level("error", "error", "critical"),
    Severity.WARNING: Level("warning", "warning", "minor"),
    Severity.INFO: Level("note", "notice", "info"),
}


@dataclass(frozen=True, slots=True)
class Entry:
    """One finding, ready to print: text fields escaped, positions 1-based, end inclusive
    and never before the start."""

    finding: Finding
    path: str  # relative to the working folder with `/` (absolute when outside it), escaped
    uri: str  # `path` as a URI: relative and percent-encoded, or file:// when outside
    relative: bool
    line: int
    column: int
    end_line: int
    end_column: int
    level: Level
    fingerprint: str
    rule: str
    message: str
    help: str

    @property
    def severity(self) -> str:
        return str(self.finding.severity)


def entries(result: LintResult, options: ReportOptions) -> list[Entry]:
    """The result's findings, in its order, as entries."""
    places = [place(f.path, options.root) for f in result.findings]
    prints = fingerprints(
        [(f, path) for f, (path, _) in zip(result.findings, places, strict=True)], result.sources
    )
    return [
        _entry(f, path, relative, fingerprint)
        for f, (path, relative), fingerprint in zip(result.findings, places, prints, strict=True)
    ]


def _entry(f: Finding, path: str, relative: bool, fingerprint: str) -> Entry:
    line, column = max(f.line, 1), max(f.column, 1)
    end_line, end_column = max((f.end_line, f.end_column), (line, column))
    uri = uri_path(path) if relative else "file://" + ("" if path.startswith("/") else "/")
    if not relative:
        uri += uri_path(path)
    return Entry(
        f,
        visible(path),
        uri,
        relative,
        line,
        column,
        end_line,
        end_column,
        LEVELS[f.severity],
        fingerprint,
        visible(f.rule),
        visible(f.message),
        visible(f.help),
    )


def place(path: str, root: Path) -> tuple[str, bool]:
    """The path relative to `root` with `/` separators, or absolute when outside it."""
    absolute = os.path.abspath(path)
    try:
        rel = os.path.relpath(absolute, os.path.abspath(root))
    except ValueError:  # another drive
        return absolute.replace(os.sep, "/"), False
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return absolute.replace(os.sep, "/"), False
    return rel.replace(os.sep, "/"), True
