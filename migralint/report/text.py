"""Human output: `path:line:col rule message`, the line with a caret, and the fix."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from migralint.engine import LintResult
from migralint.findings import Finding, Severity

Style = Callable[[str, str], str]
_COLORS = {"error": "31", "warning": "33", "info": "36", "dim": "2", "bold": "1", "help": "32"}


def plain(text: str, _: str) -> str:
    return text


def ansi(text: str, style: str) -> str:
    return f"\x1b[{_COLORS[style]}m{text}\x1b[0m"


def render(result: LintResult, style: Style = plain) -> str:
    lines: list[str] = []
    sources: dict[str, list[str]] = {}
    for f in result.findings:
        lines.extend(_finding(f, style, sources))
    lines.append(summary(result, style))
    return "\n".join(lines) + "\n"


def _finding(f: Finding, style: Style, sources: dict[str, list[str]]) -> list[str]:
    level = str(f.severity)
    head = f"{style(f'{f.path}:{f.line}:{f.column}', 'bold')} {style(f.rule, level)} {f.message}"
    out = [head]
    source = _source_line(f, sources)
    if source is not None:
        number = str(f.line)
        out.append(style(f"{number} | ", "dim") + source)
        pad = " " * (len(number) + 3 + f.column - 1)
        width = max(
            1, (f.end_column - f.column + 1) if f.end_line == f.line else len(source) - f.column + 1
        )
        out.append(pad + style("^" * min(width, 80), level))
    if f.help:
        out.append(f"  {style('help:', 'help')} {f.help}")
    out.append("")
    return out


def _source_line(f: Finding, sources: dict[str, list[str]]) -> str | None:
    if f.path not in sources:
        try:
            sources[f.path] = (
                Path(f.path).read_text(encoding="utf-8", errors="replace").splitlines()
            )
        except OSError:
            sources[f.path] = []
    text = sources[f.path]
    return text[f.line - 1].rstrip().replace("\t", " ") if 0 < f.line <= len(text) else None


def summary(result: LintResult, style: Style = plain) -> str:
    counts = Counter(str(f.severity) for f in result.findings)
    parts = [
        f"{counts[str(s)]} {s}{'s' if counts[str(s)] != 1 else ''}"
        for s in reversed(Severity)
        if counts[str(s)]
    ]
    found = ", ".join(parts) if parts else "no findings"
    files = f"{result.files_linted} file{'s' if result.files_linted != 1 else ''} linted"
    extra = ""
    if result.skipped:
        reasons = Counter(result.skipped.values())
        extra = "; skipped " + ", ".join(f"{n} ({why})" for why, n in reasons.items())
    return f"{files}{extra}: {found}"


def statistics(result: LintResult) -> str:
    """Findings per rule, most frequent first: where a team's noise (or risk) is."""
    counts = Counter((f.rule, str(f.severity)) for f in result.findings)
    width = max((len(rule) for rule, _ in counts), default=4)
    rows = [f"{n:>6}  {rule:<{width}}  {level}" for (rule, level), n in counts.most_common()]
    return "\n".join([*rows, summary(result)]) + "\n"
