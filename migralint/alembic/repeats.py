"""One finding per rule and place in a revision: the Ops a loop or a helper's callers
repeat at one line of the file (a `for` over ten table pairs, a helper called from
thirteen places) are judged one by one, and give the first one's finding, which says
how many more there are."""

from __future__ import annotations

from dataclasses import replace

from migralint.findings import Finding

_Place = tuple[str, str, int, int]


def one_per_place(findings: list[Finding]) -> list[Finding]:
    """The findings with each rule's repeats at one place folded into the first."""
    groups: dict[_Place, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(_place(finding), []).append(finding)
    kept = []
    for finding in findings:
        group = groups[_place(finding)]
        if group[0] is not finding:
            continue
        others = len({f.message for f in group} - {finding.message})
        if others:
            more = f" (and {others} more like it from this line, repeated by a loop or a helper)"
            finding = replace(finding, message=finding.message + more)
        kept.append(finding)
    return kept


def _place(finding: Finding) -> _Place:
    return finding.rule, finding.path, finding.line, finding.column
