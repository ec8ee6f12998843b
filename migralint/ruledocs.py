"""A rule's documentation, read from its module docstring.

Sections follow ruff's: `## What it does`, `## Why is this bad?`, `## Example`,
`## Use instead`. The first ```sql block under Example is the bad example and the
first under Use instead is the good one; tests lint both. A block is linted as a plain
migration on PostgreSQL 15 unless its fence line says otherwise:

    ```sql file=V2__x.sql pg_version=14.2 siblings=1_a.up.sql,1_a.down.sql

`file` names the migration (its layout decides tool, direction and transaction),
`pg_version` the target version, `siblings` empty files created beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from migralint.rule import RuleSpec

_SECTION = re.compile(r"^## +(.+?)\s*$", re.MULTILINE)
_SQL_BLOCK = re.compile(r"```sql(?P<options>[^\n]*)\n(?P<sql>.*?)```", re.DOTALL)
REQUIRED_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")


@dataclass(frozen=True)
class Example:
    """A documented SQL example and how to lint it."""

    sql: str
    file: str = "example.sql"
    pg_version: str | None = None
    siblings: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleDoc:
    summary: str
    sections: dict[str, str]

    @property
    def bad_example(self) -> Example | None:
        return _first_sql(self.sections.get("Example", ""))

    @property
    def good_example(self) -> Example | None:
        return _first_sql(self.sections.get("Use instead", ""))


def _first_sql(text: str) -> Example | None:
    m = _SQL_BLOCK.search(text)
    if m is None:
        return None
    options = dict(word.split("=", 1) for word in m["options"].split() if "=" in word)
    siblings = tuple(n for n in options.get("siblings", "").split(",") if n)
    return Example(
        m["sql"], options.get("file", "example.sql"), options.get("pg_version"), siblings
    )


def lint_example(spec: RuleSpec, example: Example) -> list[str]:
    """The rule ids this rule reports on the example, linted as the example says."""
    import tempfile
    from pathlib import Path

    from migralint.config import Settings, parse_pg_version
    from migralint.engine import lint_paths

    settings = Settings(select=(spec.id,), dialect=spec.dialects[0])
    if example.pg_version:
        settings = settings.merged(pg_version=parse_pg_version(example.pg_version))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name in example.siblings:
            (root / name).write_text("", encoding="utf-8")
        (root / example.file).write_text(example.sql, encoding="utf-8")
        return [f.rule for f in lint_paths([root], settings).findings]


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
        severity = f"{spec.severity}" + ("" if spec.enabled_by_default else ", opt-in")
        rows.append(f"| `{spec.id}` | {spec.category} | {severity} | {summary} |")
    return "\n".join(rows) + "\n"
