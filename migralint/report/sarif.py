"""SARIF 2.1.0, as GitHub code scanning reads it: one run, the rules with their
documentation, a result per finding with its region and a partial fingerprint.

Columns count Unicode code points (`columnKind`); SARIF's `endColumn` is the column after
the region. Paths are relative to the working folder under the `%SRCROOT%` base (the
repository root, when run from there); a file outside it is an absolute file:// URI."""

from __future__ import annotations

import json
from typing import Any

from migralint import __version__
from migralint.report.model import LEVELS, Entry, entries
from migralint.report.options import ReportOptions
from migralint.report.ruleinfo import RuleInfo, rule_infos
from migralint.result import LintResult

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
FINGERPRINT = "migralintStatement/v1"


def render(result: LintResult, options: ReportOptions) -> str:
    found = entries(result, options)
    rules = rule_infos(result, options, (f.rule for f in result.findings))
    index = {info.id: i for i, info in enumerate(rules)}
    driver: dict[str, Any] = {
        "name": "migralint",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [_rule(info) for info in rules],
    }
    if "://" in options.docs_url:
        driver["informationUri"] = options.docs_url
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "columnKind": "unicodeCodePoints",
                "results": [_result(e, index[e.rule]) for e in found],
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _rule(info: RuleInfo) -> dict[str, Any]:
    level = LEVELS[info.severity].sarif if info.severity is not None else "error"
    rule: dict[str, Any] = {
        "id": info.id,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": info.description},
        "helpUri": info.help_uri,
        "defaultConfiguration": {"level": level},
    }
    if info.doc:
        rule["help"] = {"text": info.doc, "markdown": info.doc}
    if info.category:
        rule["properties"] = {"tags": [info.category]}
    return rule


def _result(e: Entry, rule_index: int) -> dict[str, Any]:
    artifact = {"uri": e.uri, "uriBaseId": "%SRCROOT%"} if e.relative else {"uri": e.uri}
    text = f"{e.message}\nhelp: {e.help}" if e.help else e.message
    return {
        "ruleId": e.rule,
        "ruleIndex": rule_index,
        "level": e.level.sarif,
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": artifact,
                    "region": {
                        "startLine": e.line,
                        "startColumn": e.column,
                        "endLine": e.end_line,
                        "endColumn": e.end_column + 1,
                    },
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT: e.fingerprint},
    }
