"""JUnit XML, as CI test reports read it: a test suite per linted file, a passing test
case for a clean file, and a failing test case per finding (JUnit's schema allows one
failure per test case, and GitLab and Jenkins show only the first of several).

Built with ElementTree, which escapes markup; `escape.visible_xml` leaves no character
XML 1.0 forbids."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from migralint.report.escape import visible_xml
from migralint.report.model import Entry, entries, place
from migralint.report.options import ReportOptions
from migralint.result import LintResult


def render(result: LintResult, options: ReportOptions) -> str:
    by_file: dict[str, list[Entry]] = defaultdict(list)
    for path in result.sources:  # linted files first, so a clean file is a passing case
        by_file[visible_xml(place(path, options.root)[0])]
    for e in entries(result, options):
        by_file[visible_xml(e.path)].append(e)
    total = sum(max(len(found), 1) for found in by_file.values())
    failures = sum(len(found) for found in by_file.values())
    suites = ET.Element(
        "testsuites", name="migralint", tests=str(total), failures=str(failures), errors="0"
    )
    for path, found in by_file.items():
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=path,
            tests=str(max(len(found), 1)),
            failures=str(len(found)),
            errors="0",
            skipped="0",
        )
        if not found:
            ET.SubElement(suite, "testcase", name=path, classname=path)
        for e in found:
            case = ET.SubElement(
                suite, "testcase", name=f"{e.rule} at {e.line}:{e.column}", classname=path
            )
            failure = ET.SubElement(
                case, "failure", type=e.rule, message=visible_xml(e.finding.message)
            )
            where = f"{e.path}:{e.line}:{e.column}: {e.severity}: "
            failure.text = (
                visible_xml(where + e.finding.message)
                + "\n"
                + visible_xml("help: " + e.finding.help)
            )
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"
