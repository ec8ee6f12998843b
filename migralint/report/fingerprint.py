"""Fingerprints that follow a finding, not its line number.

A finding's fingerprint hashes its rule, its path relative to the working folder, the
text of the statement (or line) it points at with whitespace collapsed, and how many
earlier findings in the file share those three: unique within a run, and unchanged by
edits elsewhere in the file, by reformatting, or by checking out to another folder."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping

from migralint.findings import Finding
from migralint.report.escape import source_lines


def fingerprints(findings: list[tuple[Finding, str]], sources: Mapping[str, str]) -> list[str]:
    """One fingerprint per (finding, relative path), in order."""
    split: dict[str, list[str]] = {}
    seen: Counter[bytes] = Counter()
    out = []
    for finding, path in findings:
        if finding.path not in split:
            split[finding.path] = source_lines(sources.get(finding.path, ""))
        content = _content(finding, split[finding.path])
        key = "\0".join((finding.rule, path, content)).encode("utf-8", "surrogatepass")
        ordinal = seen[key]
        seen[key] += 1
        out.append(hashlib.sha256(key + b"\0%d" % ordinal).hexdigest()[:32])
    return out


def _content(f: Finding, lines: list[str]) -> str:
    """The finding's span of source text (its line when the span is a point), whitespace
    collapsed; empty when the text is unknown."""
    if not 0 < f.line <= len(lines):
        return ""
    if (f.end_line, f.end_column) <= (f.line, f.column) or f.end_line > len(lines):
        return " ".join(lines[f.line - 1].split())
    span = lines[f.line - 1 : f.end_line]
    span[-1] = span[-1][: f.end_column]
    span[0] = span[0][f.column - 1 :]
    return " ".join(" ".join(span).split())
