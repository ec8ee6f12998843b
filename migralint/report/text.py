"""Human output: `error: path:line:col rule message` (the severity in words, not only in
colour), the line with a caret, the fix, and where the rule is documented.

Everything from the linted tree is printed through `escape.visible`, and a long line is
shown as a window around the finding, so the output is one line per line and its size
grows with the number of findings, not with the length of the lines they are on."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from migralint.findings import Finding, Severity
from migralint.report.escape import source_lines, visible, visible_width
from migralint.report.options import ReportOptions
from migralint.report.ruleinfo import doc_link
from migralint.result import LintResult

Style = Callable[[str, str], str]
_COLORS = {"error": "31", "warning": "33", "info": "36", "dim": "2", "bold": "1", "help": "32"}


def plain(text: str, _: str) -> str:
    return text


def ansi(text: str, style: str) -> str:
    return f"\x1b[{_COLORS[style]}m{text}\x1b[0m"


def render(result: LintResult, options: ReportOptions) -> str:
    style = ansi if options.color else plain
    lines: list[str] = []
    sources = Sources(result.sources)
    for f in result.findings:
        lines.extend(finding_lines(f, style, sources, options.docs_url))
    if options.summary:
        lines.append(summary(result, style))
    return "\n".join(lines) + "\n" if lines else ""


def finding_lines(f: Finding, style: Style, sources: Sources, docs_url: str) -> list[str]:
    """A finding as the text format prints it: severity and location, excerpt with
    caret, help, and where the rule is documented."""
    level = str(f.severity)
    where = style(visible(f"{f.path}:{f.line}:{f.column}"), "bold")
    first = f"{style(level, level)}: {where} {style(visible(f.rule), level)} {visible(f.message)}"
    return [first, *details(f, style, sources, docs_url)]


def details(f: Finding, style: Style, sources: Sources, docs_url: str) -> list[str]:
    """The lines under a finding's first: excerpt with caret, help, documentation."""
    level = str(f.severity)
    out: list[str] = []
    source = sources.line(f.path, f.line)
    if source is not None:
        excerpt, offset, width = _excerpt(source, f)
        number = str(f.line)
        out.append(style(f"{number} | ", "dim") + excerpt)
        out.append(" " * (len(number) + 3 + offset) + style("^" * min(width, 80), level))
    if f.help:
        out.append(f"  {style('help:', 'help')} {visible(f.help)}")
    out.append(f"  {style('docs:', 'dim')} {visible(doc_link(f.rule, docs_url))}")
    out.append("")
    return out


EXCERPT_WIDTH = 120  # source columns shown around a finding in a long line
_BEFORE = 40  # of which before the finding's column, where the line allows


def _excerpt(source: str, f: Finding) -> tuple[str, int, int]:
    """The part of the line around the finding, escaped and marked with … where cut,
    with where its caret starts and how wide it is (in printed characters)."""
    start_col = min(max(f.column - 1, 0), len(source))
    span = f.end_column - f.column + 1 if f.end_line == f.line else len(source) - start_col
    start = max(0, min(start_col - _BEFORE, len(source) - EXCERPT_WIDTH))
    stop = min(len(source), start + EXCERPT_WIDTH)
    before = "…" if start > 0 else ""
    after = "…" if stop < len(source) else ""
    excerpt = before + visible(source[start:stop]) + after
    offset = len(before) + visible_width(source[start:start_col])
    width = visible_width(source[start_col : min(start_col + max(span, 1), stop)])
    return excerpt, offset, max(1, width)


class Sources:
    """The lines of each linted file's text, split once per file when first needed."""

    def __init__(self, texts: dict[str, str]) -> None:
        self._texts = texts
        self._lines: dict[str, list[str]] = {}

    def line(self, path: str, number: int) -> str | None:
        if path not in self._lines:
            text = self._texts.get(path)
            self._lines[path] = source_lines(text) if text is not None else []
        lines = self._lines[path]
        return lines[number - 1].rstrip().replace("\t", " ") if 0 < number <= len(lines) else None


def summary(result: LintResult, style: Style = plain, seconds: float | None = None) -> str:
    """`4 files linted; skipped 1 (why): 4 errors, 1 warning`, with the run's time if given."""
    counts = Counter(str(f.severity) for f in result.findings)
    parts = [
        style(f"{counts[str(s)]} {s}{'s' if counts[str(s)] != 1 else ''}", str(s))
        for s in reversed(Severity)
        if counts[str(s)]
    ]
    found = ", ".join(parts) if parts else "no findings"
    files = f"{result.files_linted} file{'s' if result.files_linted != 1 else ''} linted"
    extra = ""
    if result.skipped:
        reasons = Counter(result.skipped.values())
        extra = "; skipped " + ", ".join(f"{n} ({visible(why)})" for why, n in reasons.items())
    took = f" in {seconds:.2f} s" if seconds is not None else ""
    return f"{files}{extra}{took}: {found}"


def statistics(result: LintResult, with_summary: bool = True) -> str:
    """Findings per rule, most frequent first: where a team's noise (or risk) is."""
    counts = Counter((f.rule, str(f.severity)) for f in result.findings)
    width = max((len(rule) for rule, _ in counts), default=4)
    rows = [
        f"{n:>6}  {visible(rule):<{width}}  {level}" for (rule, level), n in counts.most_common()
    ]
    if with_summary:
        rows.append(summary(result))
    return "\n".join(rows) + "\n" if rows else ""
