"""A rule's documentation, read from its module docstring.

Sections follow ruff's: `## What it does`, `## Why is this bad?`, `## Example`,
`## Use instead`. The first ```sql block under Example is the bad example and the
first under Use instead is the good one; tests lint both. A block is linted as a plain
migration on PostgreSQL 15 unless its fence line says otherwise:

    ```sql file=V2__x.sql pg_version=14.2 siblings=1_a.up.sql,1_a.down.sql

`file` names the migration (its layout decides tool, direction and transaction),
`siblings` empty files created beside it, `encoding` how the file is saved, `input`
what kind of path it is (`fifo`, `symlink-loop`, or `symlink-outside`: a link to the
SQL saved outside the linted folder); any other option is a configuration key
(`pg_version=14.2`, `max_file_size=64`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from migralint.rule import RuleSpec

_SECTION = re.compile(r"^## +(.+?)\s*$", re.MULTILINE)
_SQL_BLOCK = re.compile(r"```sql(?P<options>[^\n]*)\n(?P<sql>.*?)```", re.DOTALL)
REQUIRED_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")


@dataclass(frozen=True)
class Example:
    """A documented SQL example and how to lint it."""

    sql: str
    file: str = "example.sql"
    siblings: tuple[str, ...] = ()
    encoding: str = "utf-8"
    input: str = "file"
    config: tuple[tuple[str, str], ...] = ()  # configuration keys and their values


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
    siblings = tuple(n for n in options.pop("siblings", "").split(",") if n)
    return Example(
        m["sql"],
        options.pop("file", "example.sql"),
        siblings,
        options.pop("encoding", "utf-8"),
        options.pop("input", "file"),
        tuple(options.items()),
    )


def lint_example(spec: RuleSpec, example: Example) -> list[str]:
    """The rule ids this rule reports on the example, linted as the example says."""
    import tempfile

    from migralint.config import parse_settings
    from migralint.engine import lint_paths

    configured = parse_settings(dict(example.config))
    settings = replace(configured, select=(spec.id,), dialect=spec.dialects[0])
    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryDirectory() as outside:
        root = Path(folder)
        for name in example.siblings:
            (root / name).write_text("", encoding="utf-8")
        _write_input(root / example.file, example, Path(outside))
        return [f.rule for f in lint_paths([root], settings).findings]


def _write_input(path: Path, example: Example, outside: Path) -> None:
    """Put the example where the linter finds it, as the kind of input it documents."""
    if example.input == "fifo":
        os.mkfifo(path)
    elif example.input == "symlink-loop":
        path.symlink_to(path.name)
    elif example.input == "symlink-outside":
        target = outside / path.name
        target.write_text(example.sql, encoding=example.encoding)
        path.symlink_to(target)
    else:
        path.write_text(example.sql, encoding=example.encoding)


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
