"""In-file directives: suppressions and the phase marker, read from SQL comments.

-- migralint: ignore rule-id[, rule-id] -- reason     (this statement)
-- migralint: ignore-file [rule-id, ...]              (the whole file; no ids = all)
-- migralint: phase=expand|migrate|contract           (the file's expand/contract phase)
-- squawk-ignore rule[, rule] / -- squawk-ignore-file  (squawk's, through rule aliases)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from migralint.sql.statements import Comment

_DIRECTIVE = re.compile(
    r"^(?:migralint:\s*(?P<kind>ignore-file|ignore)|(?P<squawk>squawk-ignore(?:-file)?))"
    r"(?P<ids>[^-]*(?:-(?!-)[^-]*)*)",
    re.IGNORECASE,
)
_PHASE = re.compile(r"^migralint:\s*phase\s*=\s*(?P<phase>\w+)", re.IGNORECASE)
PHASES = ("expand", "migrate", "contract")
ALL = "*"


@dataclass(frozen=True, slots=True)
class Suppression:
    """Rule names (ids or aliases; ALL for every rule) a comment switches off."""

    names: frozenset[str]
    whole_file: bool
    line: int


def suppressions(comments: Iterable[Comment]) -> list[Suppression]:
    found: list[Suppression] = []
    for comment in comments:
        m = _DIRECTIVE.match(comment.text)
        if not m:
            continue
        kind = (m["kind"] or m["squawk"]).lower()
        whole_file = kind.endswith("file")
        names = frozenset(n.strip().lower() for n in re.split(r"[,\s]+", m["ids"]) if n.strip())
        if not names and not whole_file:
            continue  # a statement-level ignore must name its rules
        found.append(Suppression(names or frozenset({ALL}), whole_file, comment.line))
    return found


def phase(comments: Iterable[Comment]) -> str | None:
    """The phase a file declares, if any (the first marker wins)."""
    for comment in comments:
        m = _PHASE.match(comment.text)
        if m and m["phase"].lower() in PHASES:
            return m["phase"].lower()
    return None
