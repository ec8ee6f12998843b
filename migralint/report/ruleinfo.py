"""A rule's documentation as formats show it: summary, description, full text, link."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from migralint.findings import Severity
from migralint.report.escape import visible, visible_lines
from migralint.report.options import ReportOptions
from migralint.result import LintResult

if TYPE_CHECKING:  # a text report of a run answered from the cache loads no rule
    from migralint.rule import RuleSpec


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """Escaped documentation of one rule (a rule no pack defines gets its id only)."""

    id: str
    summary: str
    description: str  # the doc's "What it does", else the summary
    doc: str  # the whole docstring, line breaks kept
    category: str
    help_uri: str
    severity: Severity | None  # the rule's default


def page_name(rule_id: str) -> str:
    """The file name of the rule's documentation page (docs/rules/ holds them)."""
    return f"{quote(rule_id, safe='')}.md"


def help_uri(rule_id: str, docs_url: str) -> str:
    """The rule's documentation page under `docs_url`."""
    return f"{docs_url.rstrip('/')}/{page_name(rule_id)}"


def rule_infos(result: LintResult, options: ReportOptions, ids: Iterable[str]) -> list[RuleInfo]:
    """Documentation of the given rule ids, in first-seen order."""
    specs = {spec.id: spec for spec in _specs(result, options)}
    out: dict[str, RuleInfo] = {}
    for rule_id in ids:
        if rule_id not in out:
            out[rule_id] = _info(rule_id, specs.get(rule_id), options.docs_url)
    return list(out.values())


def _specs(result: LintResult, options: ReportOptions) -> Iterable[RuleSpec]:
    if options.rules is not None:
        return options.rules
    carried = getattr(result, "rules", None)  # LintResult is to carry its rule specs
    if carried is not None:
        return carried
    from migralint.rulepack import load_rules

    return load_rules().rules


def _info(rule_id: str, spec: RuleSpec | None, docs_url: str) -> RuleInfo:
    uri = help_uri(rule_id, docs_url)
    if spec is None:
        return RuleInfo(visible(rule_id), visible(rule_id), visible(rule_id), "", "", uri, None)
    from migralint.ruledocs import parse_doc

    what = parse_doc(spec).sections.get("What it does", "") or spec.summary
    return RuleInfo(
        visible(rule_id),
        visible(spec.summary or rule_id),
        visible(" ".join(what.split())),
        visible_lines(spec.doc.strip()),
        visible(spec.category),
        uri,
        spec.severity,
    )


def doc_link(rule_id: str, docs_url: str) -> str:
    """Where a reader of the text output finds the rule's page: its address when the
    documentation has one (an absolute `docs_url`), else the command that prints it."""
    if "://" in docs_url:
        return help_uri(rule_id, docs_url)
    return f"migralint explain {rule_id}"
