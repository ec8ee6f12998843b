"""docs/rules/ holds a page per rule, generated from its docstring, and the index; a
rule added or edited without regenerating them fails here with the command to run. The
links SARIF, GitLab and text output give lead to those pages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, write_tree

from migralint.config import Settings
from migralint.engine import lint_paths
from migralint.report import FORMATS, ReportOptions
from migralint.report.rulepages import INDEX, MARKER, documented_rules, pages
from migralint.ruledocs import REQUIRED_SECTIONS

DOCS = REPO / "docs" / "rules"
SCRIPT = REPO / "scripts" / "rule_docs.py"
REGENERATE = "run `.venv/bin/python scripts/rule_docs.py` and commit docs/rules/"


def _script(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(SCRIPT), *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=120)


def test_every_rule_has_its_page_and_none_is_stale() -> None:
    wanted = pages(documented_rules())
    found = {p.name: p.read_text(encoding="utf-8") for p in DOCS.glob("*.md")}
    missing = sorted(set(wanted) - set(found))
    stale = sorted(n for n in set(wanted) & set(found) if found[n] != wanted[n])
    extra = sorted(set(found) - set(wanted))
    assert not missing, f"no page for {missing}: {REGENERATE}"
    assert not stale, f"pages older than their rule's docstring: {stale}: {REGENERATE}"
    assert not extra, f"pages of rules that no longer exist: {extra}: {REGENERATE}"


def test_a_page_is_the_rules_documentation_under_its_heading() -> None:
    rules = documented_rules()
    page = (DOCS / "rename-column.md").read_text(encoding="utf-8")
    assert page.startswith(f"{MARKER}\n\n# rename-column (also: renaming-column)\n\ncategory: ")
    for spec in rules:
        text = (DOCS / f"{spec.id}.md").read_text(encoding="utf-8")
        for section in REQUIRED_SECTIONS:
            assert f"\n## {section}\n" in text, (spec.id, section)
    index = (DOCS / INDEX).read_text(encoding="utf-8")
    assert index.count("](") == len(rules)
    assert "| [`drop-table`](drop-table.md) | destructive | error |" in index


def test_the_script_writes_checks_and_never_overwrites_a_file_of_its_own(tmp_path: Path) -> None:
    out = tmp_path / "rules"
    written = _script("--out", str(out))
    assert written.returncode == 0, written.stderr
    assert f"missing {INDEX}" in written.stdout
    assert _script("--check", "--out", str(out)).stdout == ""
    page = out / "drop-table.md"
    page.write_text(page.read_text(encoding="utf-8") + "hand edit\n", encoding="utf-8")
    (out / "dropped-rule.md").write_text(f"{MARKER}\n\nold\n", encoding="utf-8")
    check = _script("--check", "--out", str(out))
    assert check.returncode == 1
    assert check.stdout.splitlines() == ["stale drop-table.md", "left over dropped-rule.md"]
    assert _script("--out", str(out)).returncode == 0
    assert not (out / "dropped-rule.md").exists()
    assert "hand edit" not in page.read_text(encoding="utf-8")
    notes = out / "notes.md"
    notes.write_text("# written by a person\n", encoding="utf-8")
    refused = _script("--out", str(out))
    assert refused.returncode != 0 and "notes.md" in refused.stderr
    assert notes.read_text(encoding="utf-8") == "# written by a person\n"


def test_sarif_gitlab_and_text_link_to_the_page(tmp_path: Path) -> None:
    write_tree(tmp_path, {"V1__drop.sql": "DROP TABLE t;\n"})
    result = lint_paths([tmp_path], Settings(select=("drop-table",)))
    options = ReportOptions(root=tmp_path)
    sarif = json.loads(FORMATS["sarif"](result, options))
    (rule,) = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert rule["helpUri"] == "docs/rules/drop-table.md"
    assert (REPO / rule["helpUri"]).is_file()  # relative to migralint's repository
    published = ReportOptions(root=tmp_path, docs_url="https://example.org/docs/rules/")
    (issue,) = json.loads(FORMATS["gitlab"](result, published))
    assert issue["content"]["body"].endswith("See https://example.org/docs/rules/drop-table.md")
    assert "  docs: https://example.org/docs/rules/drop-table.md\n" in FORMATS["text"](
        result, published
    )
    assert "  docs: migralint explain drop-table\n" in FORMATS["text"](result, options)


@pytest.mark.parametrize("rule_id", ["drop-table", "rename-column"])
def test_the_page_says_what_explain_says(rule_id: str) -> None:
    from click.testing import CliRunner

    from migralint.cli import main

    explained = CliRunner().invoke(main, ["explain", rule_id]).stdout
    page = (DOCS / f"{rule_id}.md").read_text(encoding="utf-8")
    title, facts, doc = explained.split("\n", 2)
    assert page == f"{MARKER}\n\n# {title}\n\n{facts}\n\n{doc}"
