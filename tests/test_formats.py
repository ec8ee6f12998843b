"""Every output format from the one lint result: snapshots on fixtures/examples, SARIF
against the 2.1.0 schema, GitHub commands nobody's SQL can forge, GitLab fingerprints
unique and stable, JUnit that parses, and a markdown comment under GitHub's limit.

MIGRALINT_UPDATE_SNAPSHOTS=1 rewrites fixtures/formats/ from the current output."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from helpers import REPO, write_tree
from test_output_safety import FORGED, HOSTILE

from migralint import __version__
from migralint.config import Settings
from migralint.engine import LintResult, lint_paths
from migralint.findings import Finding, Severity
from migralint.report import FORMATS, MACHINE_FORMATS, ReportOptions, github, markdown

EXAMPLES = REPO / "fixtures" / "examples"
SNAPSHOTS = REPO / "fixtures" / "formats"
SCHEMA = REPO / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"
EXTENSIONS = {
    "text": "txt",
    "json": "json",
    "sarif": "sarif",
    "github": "txt",
    "gitlab": "json",
    "junit": "xml",
    "markdown": "md",
}
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def render(fmt: str, result: LintResult, root: Path, **options: object) -> str:
    return FORMATS[fmt](result, ReportOptions(root=root, **options))  # type: ignore[arg-type]


def lint(root: Path, files: dict[str, str | bytes], **settings: Any) -> LintResult:
    write_tree(root, files)
    return lint_paths([root], Settings(**settings))


def test_the_registry_names_every_format_and_each_renders_an_empty_run(tmp_path: Path) -> None:
    assert list(FORMATS) == ["text", "json", "sarif", "github", "gitlab", "junit", "markdown"]
    assert set(FORMATS) - {"text"} == MACHINE_FORMATS
    for fmt in FORMATS:
        assert isinstance(render(fmt, LintResult(), tmp_path), str)


def test_listing_the_formats_imports_no_format_and_no_engine() -> None:
    code = "import sys, migralint.report as r; print(sorted(m for m in sys.modules if m.startswith(('migralint.report.', 'migralint.engine', 'sqlglot'))))"
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert run.stdout.strip() == "['migralint.report.options', 'migralint.report.registry']"


def test_markdown_shows_files_with_errors_first() -> None:
    result = _many(2, 3)  # line 3 of each file is an error
    result.findings = [f for f in result.findings if f.line != 3 or "00001" in f.path]
    out = render("markdown", result, REPO)
    headings = [line for line in out.splitlines() if line.startswith("### ")]
    assert ["00001" in headings[0], "00000" in headings[1]] == [True, True]


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_snapshot_of_the_examples(fmt: str) -> None:
    result = lint_paths([EXAMPLES], Settings())
    assert result.findings
    out = render(fmt, result, REPO).replace(str(REPO), "<repo>")
    out = out.replace(f'"{__version__}"', '"<version>"')
    snapshot = SNAPSHOTS / f"examples.{fmt}.{EXTENSIONS[fmt]}"
    if os.environ.get("MIGRALINT_UPDATE_SNAPSHOTS"):
        snapshot.write_text(out, encoding="utf-8")
    assert out == snapshot.read_text(encoding="utf-8")


# --- SARIF ---------------------------------------------------------------------------


def _validate(log: dict[str, object]) -> None:
    jsonschema = pytest.importorskip(
        "jsonschema", reason="the SARIF schema test needs jsonschema (pip install jsonschema)"
    )
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft4Validator(schema).iter_errors(log))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]


def test_sarif_validates_against_the_2_1_0_schema_with_rule_docs_and_regions() -> None:
    log = json.loads(render("sarif", lint_paths([EXAMPLES], Settings()), REPO))
    _validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} == {r["ruleId"] for r in run["results"]}
    rename = next(r for r in rules if r["id"] == "rename-column")
    assert rename["helpUri"] == "docs/rules/rename-column.md"
    assert rename["shortDescription"]["text"].startswith("Renaming a column breaks")
    assert "## Why is this bad?" in rename["help"]["markdown"]
    assert rename["defaultConfiguration"]["level"] == "error"
    result = next(r for r in run["results"] if r["ruleId"] == "rename-column")
    assert rules[result["ruleIndex"]]["id"] == "rename-column"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {
        "uri": "fixtures/examples/V2__rename_full_name.sql",
        "uriBaseId": "%SRCROOT%",
    }
    # end column 49 inclusive in the finding; SARIF's endColumn is the column after
    assert location["region"] == {"startLine": 3, "startColumn": 1, "endLine": 3, "endColumn": 50}
    assert result["partialFingerprints"]


def test_sarif_levels_follow_severity_and_a_configured_docs_url_is_absolute(
    tmp_path: Path,
) -> None:
    result = lint(tmp_path / "db", {"001_t.sql": "CREATE TABLE t (id bigint);\n"})
    log = json.loads(render("sarif", result, tmp_path, docs_url="https://example.org/rules/"))
    _validate(log)
    found = {r["ruleId"]: r for r in log["runs"][0]["results"]}
    assert found["create-without-if-not-exists"]["level"] == "warning"
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == "https://example.org/rules/"
    assert all(r["helpUri"].startswith("https://example.org/rules/") for r in driver["rules"])
    uri = found["create-without-if-not-exists"]["locations"][0]["physicalLocation"]
    assert uri["artifactLocation"]["uri"] == "db/001_t.sql"


def test_sarif_of_hostile_names_validates_and_paths_outside_the_root_are_file_uris(
    tmp_path: Path,
) -> None:
    name = "1_a b%#?\u00e9.sql"
    result = lint(tmp_path, {name: HOSTILE})
    out = render("sarif", result, tmp_path / "elsewhere")
    assert not _UNSAFE.search(out)
    log = json.loads(out)
    _validate(log)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    }
    assert uris == {(tmp_path / "1_a b%#?é.sql").as_uri()}
    relative = json.loads(render("sarif", result, tmp_path))
    first = relative["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert first["artifactLocation"]["uri"] == "1_a%20b%25%23%3F%C3%A9.sql"


# --- GitHub --------------------------------------------------------------------------


def test_github_encoding_of_data_and_properties() -> None:
    assert github.data("50% a\r\nb: c, d") == "50%25 a%0D%0Ab: c, d"
    assert github.prop("50% a\r\nb: c, d") == "50%25 a%0D%0Ab%3A c%2C d"


def test_github_commands_carry_place_title_and_level_and_no_sql_can_forge_one(
    tmp_path: Path,
    one_finding_per_statement: None,
) -> None:
    files = {"1_x,y:z%.sql": HOSTILE, "2_t.sql": "CREATE TABLE t (id int);\n"}
    result = lint(tmp_path, files, transaction={"*": "none"})  # each file's re-run findings
    out = render("github", result, tmp_path)
    lines = out.splitlines()
    assert not _UNSAFE.search(out) and "\r" not in out
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == len(result.findings)
    assert all(re.match(r"::(error|warning|notice) file=[^:]*::", c) for c in commands)
    assert lines[-1].endswith(("error", "errors", "warnings", "warning", "findings"))
    # the forged name spans lines 1-2, where GitHub reads no columns; the next is one line
    drops = [c for c in commands if "title=migralint drop-table" in c]
    assert drops[0].startswith("::error file=1_x%2Cy%3Az%25.sql,line=1,endLine=2,title=")
    assert drops[1].startswith("::error file=1_x%2Cy%3Az%25.sql,line=3,col=1,endLine=3,endColumn=")
    assert any(c.startswith("::warning file=2_t.sql,") for c in commands)
    forged = next(c for c in commands if "All migrations verified safe" in c)
    assert forged.startswith("::error ") and forged.count("\\n::error") >= 1  # text only
    assert "x\\n::error title=migralint::All migrations" in forged
    assert FORGED not in out


# --- GitLab --------------------------------------------------------------------------

REPEATED = "DROP TABLE a;\nDROP TABLE a;\nALTER TABLE b RENAME COLUMN c TO d;\n"


def _fingerprints(root: Path, files: dict[str, str | bytes], at: Path) -> dict[str, list[str]]:
    issues = json.loads(render("gitlab", lint(root, files), at))
    found: dict[str, list[str]] = {}
    for issue in issues:
        found.setdefault(issue["check_name"], []).append(issue["fingerprint"])
    return found


def test_gitlab_code_quality_fields(tmp_path: Path) -> None:
    issues = json.loads(render("gitlab", lint(tmp_path, {"1_x.sql": REPEATED}), tmp_path))
    drop = next(i for i in issues if i["check_name"] == "drop-table")
    assert drop["severity"] == "critical" and drop["location"]["path"] == "1_x.sql"
    assert drop["location"]["lines"]["begin"] == 1
    assert drop["description"].startswith("drop-table: ")
    assert all(
        {"description", "check_name", "fingerprint", "severity", "location"} <= set(i)
        for i in issues
    )


def test_gitlab_fingerprints_are_unique_within_a_run(tmp_path: Path) -> None:
    files = {"1_x.sql": REPEATED, "2_y.sql": REPEATED}
    issues = json.loads(render("gitlab", lint(tmp_path, files), tmp_path))
    prints = [i["fingerprint"] for i in issues]
    assert len(issues) >= 6 and len(set(prints)) == len(prints)


def test_gitlab_fingerprints_are_stable_across_runs_edits_above_and_checkouts(
    tmp_path: Path,
) -> None:
    before = _fingerprints(tmp_path / "a", {"1_x.sql": REPEATED}, tmp_path / "a")
    again = _fingerprints(tmp_path / "a", {"1_x.sql": REPEATED}, tmp_path / "a")
    assert before == again
    edited = "-- a new comment\nSET lock_timeout = '2s';\n\n" + REPEATED.replace(
        "DROP TABLE a;\nDROP", "DROP   TABLE a;\nDROP"
    )
    after = _fingerprints(tmp_path / "b", {"1_x.sql": edited}, tmp_path / "b")
    assert after["drop-table"] == before["drop-table"]
    assert after["rename-column"] == before["rename-column"]
    changed = _fingerprints(
        tmp_path / "c", {"1_x.sql": REPEATED.replace("TO d", "TO e")}, tmp_path / "c"
    )
    assert changed["rename-column"] != before["rename-column"]
    assert changed["drop-table"] == before["drop-table"]


# --- JUnit ---------------------------------------------------------------------------


def test_junit_is_valid_xml_with_a_suite_per_file_and_a_failure_per_finding(
    tmp_path: Path,
) -> None:
    files = {
        '1_<a&"b">.sql': HOSTILE + 'DROP TABLE "\uffff]]>";\n',
        "2_clean.sql": "SELECT 1;\n",
    }
    result = lint(tmp_path, files)
    out = render("junit", result, tmp_path)
    assert not _UNSAFE.search(out)
    root = ET.fromstring(out.encode("utf-8"))
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {'1_<a&"b">.sql', "2_clean.sql"}
    hostile = suites['1_<a&"b">.sql']
    failures = hostile.findall("testcase/failure")
    assert len(failures) == len(result.findings) == int(hostile.get("failures", "0"))
    assert any("\\uffff]]>" in (f.get("message") or "") for f in failures)
    clean = suites["2_clean.sql"].findall("testcase")
    assert len(clean) == 1 and clean[0].find("failure") is None
    assert root.get("failures") == str(len(result.findings))


# --- Markdown ------------------------------------------------------------------------


def _many(files: int, per_file: int) -> LintResult:
    """A synthetic run: `files` × `per_file` findings with long messages."""
    result = LintResult(files_linted=files)
    for n in range(files):
        path = f"db/migrations/{n:05d}_change_the_schema_of_a_big_table.sql"
        result.sources[path] = "ALTER TABLE big RENAME COLUMN a TO b;\n" * per_file
        for line in range(1, per_file + 1):
            severity = (Severity.ERROR, Severity.WARNING, Severity.INFO)[line % 3]
            message = f"renaming big.a to b breaks release N-1 😀 {'x' * 150}"
            result.findings.append(
                Finding(
                    f"rule-{line % 7}", severity, message, "help " * 40, path, line, 1, line, 36
                )
            )
    return result


def test_markdown_summarises_thousands_of_findings_under_the_comment_limit(
    tmp_path: Path,
) -> None:
    result = _many(400, 10)  # 4,000 findings
    out = render("markdown", result, tmp_path)
    assert markdown.size(out) < 65_536
    assert out.startswith(markdown.MARKER)
    assert "| **total** | 1200 | 1600 | 1200 |" in out
    shown = len(re.findall(r"^\d+:\d+ (?:error|warning|info) rule-", out, re.MULTILINE))
    hidden = re.search(r"… and (\d+) more findings in (\d+) files", out)
    assert hidden is not None
    assert shown > 0 and shown + int(hidden[1]) == 4_000
    assert out.count("```text") == out.count("### ")  # every file block is closed
    small = render("markdown", result, tmp_path, max_chars=5_000)
    assert markdown.size(small) < 5_000


def test_markdown_puts_hostile_names_in_code_only(
    tmp_path: Path, one_finding_per_statement: None, every_rerun_statement: None
) -> None:
    name = "1_@octocat ![x](https:__e.org_p.png) <img src=x> `a``b` |c|.sql"
    result = lint(tmp_path, {name: HOSTILE + 'DROP TABLE "``` @octocat";\n'})
    out = render("markdown", result, tmp_path)
    assert not _UNSAFE.search(out)
    heading = next(line for line in out.splitlines() if line.startswith("### "))
    assert heading.startswith("### ```1_@octocat ![x]") and heading.endswith("|c|.sql``` (11)")
    fences = [line for line in out.splitlines() if line.startswith("````")]
    assert fences[0] == "````text" and len(fences) == 2  # longer than the ``` in the SQL
    outside = out.split("````text")[0]
    assert "@octocat" not in outside.replace(heading, "")
