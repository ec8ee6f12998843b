"""A rule's documentation, read from its module docstring.

Sections follow ruff's: `## What it does`, `## Why is this bad?`, `## Example`,
`## Use instead`. The first ```sql block under Example is the bad example and the
first under Use instead is the good one; tests lint both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from migralint.rule import RuleSpec

_SECTION = re.compile(r"^## +(.+?)\s*$", re.MULTILINE)
_SQL_BLOCK = re.compile(r"```sql\n(.*?)```", re.DOTALL)
REQUIRED_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")


@dataclass(frozen=True)
class RuleDoc:
    summary: str
    sections: dict[str, str]

    @property
    def bad_example(self) -> str | None:
        return _first_sql(self.sections.get("Example", ""))

    @property
    def good_example(self) -> str | None:
        return _first_sql(self.sections.get("Use instead", ""))


def _first_sql(text: str) -> str | None:
    m = _SQL_BLOCK.search(text)
    return m.group(1) if m else None


def parse_doc(spec: RuleSpec) -> RuleDoc:
    text = spec.doc.strip()
    parts = _SECTION.split(text)
    sections = {parts[i].strip(): parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
    return RuleDoc(spec.summary, sections)


def render(spec: RuleSpec) -> str:
    """The text `migralint explain` prints."""
    aliases = (
        f" (also: {', '.join(a for a in spec.aliases if a != spec.id)})"
        if any(a != spec.id for a in spec.aliases)
        else ""
    )
    header = [
        f"{spec.id}{aliases}",
        f"category: {spec.category} · severity: {spec.severity} · dialects: "
        f"{', '.join(spec.dialects)}" + ("" if spec.enabled_by_default else " · opt-in"),
        "",
    ]
    return "\n".join(header) + spec.doc.strip() + "\n"


def rule_table(rules: list[RuleSpec]) -> str:
    """The Markdown rule table README.md carries (kept in sync by a test)."""
    rows = ["| rule | category | severity | what it flags |", "|---|---|---|---|"]
    for spec in sorted(rules, key=lambda r: (r.category, r.id)):
        summary = spec.summary.replace("|", "\\|")
        rows.append(f"| `{spec.id}` | {spec.category} | {spec.severity} | {summary} |")
    return "\n".join(rows) + "\n"
