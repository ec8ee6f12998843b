"""A pull-request comment: a summary table (findings by rule and severity), then each
file's findings as the text format prints them, in a code block.

Everything from the tree sits in code spans and fenced blocks longer than any backtick
run it holds, so a file name or identifier cannot add a link, an image, HTML or an
@-mention. The comment stays under `options.max_chars` (GitHub takes 65,536): past it,
the remaining findings are counted, not shown (files with errors come first)."""

from __future__ import annotations

import re
from collections import Counter

from migralint.findings import Severity
from migralint.report.escape import visible
from migralint.report.model import entries
from migralint.report.options import ReportOptions
from migralint.report.text import Sources, details, plain
from migralint.result import LintResult

MARKER = "<!-- migralint report -->"
TABLE_ROWS = 50  # rules listed before the rest are summed up in one row
LINE_LIMIT = 1_000  # characters of one line of a finding shown
_FOOTER_ROOM = 400
_LEVELS = tuple(reversed(Severity))


def size(text: str) -> int:
    """Length as GitHub counts it, in UTF-16 code units (an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2


def code(text: str) -> str:
    """`text` as an inline code span that no backtick in it can end."""
    ticks = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def fence(lines: list[str]) -> tuple[str, str]:
    """Opening and closing fences for a code block holding `lines`."""
    longest = max((len(run) for line in lines for run in re.findall("`+", line)), default=0)
    ticks = "`" * max(3, longest + 1)
    return ticks + "text", ticks


def render(result: LintResult, options: ReportOptions) -> str:
    found = entries(result, options)
    parts = [MARKER, _title(result), "", *_table(result), ""]
    used = size("\n".join(parts)) + 1
    budget = options.max_chars - _FOOTER_ROOM
    sources = Sources(result.sources)
    by_file: dict[str, list[list[str]]] = {}
    for e in found:
        first = f"{e.finding.line}:{e.finding.column} {e.severity} {e.rule} {e.message}"
        rest = details(e.finding, plain, sources, options.docs_url)
        lines = [_cut(line) for line in (first, *rest)]
        by_file.setdefault(e.path, []).append(lines)
    worst = {e.path: e.finding.severity for e in reversed(found)}
    for e in found:
        worst[e.path] = max(worst[e.path], e.finding.severity)
    shown = 0
    for path in sorted(by_file, key=lambda p: -worst[p]):  # errors first, if cut short
        chunks = by_file[path]
        heading = f"### {code(path)} ({len(chunks)})"
        opening, closing = fence([line for chunk in chunks for line in chunk])
        block = [heading, "", opening]
        cost = size("\n".join(block)) + size(closing) + 3
        if used + cost > budget:
            break
        for chunk in chunks:
            chunk_cost = size("\n".join(chunk)) + 1
            if used + cost + chunk_cost > budget:
                break
            block.extend(chunk)
            cost += chunk_cost
            shown += 1
        if len(block) == 3:
            break
        if block[-1] == "":
            block.pop()
        parts.extend([*block, closing, ""])
        used += cost
    if shown < len(found):
        files = len({e.path for e in found[shown:]})
        parts.append(
            f"… and {len(found) - shown} more finding{'s' if len(found) - shown != 1 else ''} "
            f"in {files} file{'s' if files != 1 else ''}, not shown to keep this comment "
            "short: run `migralint check` or see the SARIF or JSON report for all of them."
        )
    return "\n".join(parts).rstrip("\n") + "\n"


def _title(result: LintResult) -> str:
    counts = Counter(f.severity for f in result.findings)
    found = ", ".join(
        f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in _LEVELS if counts[s]
    )
    files = f"{result.files_linted} file{'s' if result.files_linted != 1 else ''} linted"
    skipped = f", {len(result.skipped)} skipped" if result.skipped else ""
    return f"## migralint: {found or 'no findings'}\n\n{files}{skipped}."


def _table(result: LintResult) -> list[str]:
    if not result.findings:
        return []
    counts = Counter((f.rule, f.severity) for f in result.findings)
    by_rule = Counter(f.rule for f in result.findings)
    rows = ["| rule | " + " | ".join(map(str, _LEVELS)) + " |", "|---|" + "---:|" * 3]
    ranked = [rule for rule, _ in by_rule.most_common()]
    for rule in ranked[:TABLE_ROWS]:
        cells = " | ".join(str(counts[(rule, s)]) for s in _LEVELS)
        name = code(visible(rule)).replace("|", "\\|")  # GFM splits cells even in code
        rows.append(f"| {name} | {cells} |")
    rest = ranked[TABLE_ROWS:]
    if rest:
        cells = " | ".join(str(sum(counts[(r, s)] for r in rest)) for s in _LEVELS)
        rows.append(f"| {len(rest)} more rules | {cells} |")
    totals = Counter(f.severity for f in result.findings)
    rows.append("| **total** | " + " | ".join(str(totals[s]) for s in _LEVELS) + " |")
    return rows


def _cut(line: str) -> str:
    return line if len(line) <= LINE_LIMIT else line[: LINE_LIMIT - 1] + "…"
