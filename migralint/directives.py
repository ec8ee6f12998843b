"""In-file directives: suppressions and the phase marker, read from SQL comments.

-- migralint: ignore rule-id[, rule-id] -- reason     (this statement)
-- migralint: ignore-file [rule-id, ...]              (the whole file; no ids = all)
-- migralint: phase=expand|migrate|contract           (the file's expand/contract phase)
-- squawk-ignore rule[, rule] / -- squawk-ignore-file  (squawk's, through rule aliases)
-- atlas:nolint [DS103 ...]                           (Atlas's: this statement; bare = all)
-- safety-assured:start … -- safety-assured:end       (diesel-guard's: every statement
                                                       between them, for every rule)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace

from migralint.fileinfo import FileInfo
from migralint.sql.statements import Comment

_DIRECTIVE = re.compile(
    r"^(?:migralint:\s*(?P<kind>ignore-file|ignore)|(?P<squawk>squawk-ignore(?:-file)?))"
    r"(?P<ids>[^-]*(?:-(?!-)[^-]*)*)",
    re.IGNORECASE,
)
_ATLAS = re.compile(r"^atlas:nolint\b(?P<names>[^-]*)", re.IGNORECASE)
# Atlas's check codes for the checks migralint has a rule for; an analyzer name
# (`destructive`) or an unknown code switches nothing off.
ATLAS_CHECKS = {
    "ds101": "drop-schema",
    "ds102": "drop-table",
    "ds103": "drop-column",
    "bc101": "rename-table",
    "bc102": "rename-column",
}
_ASSURED = re.compile(r"^safety-assured:(?P<edge>start|end)\s*$", re.IGNORECASE)
_PHASE = re.compile(r"^migralint:\s*phase\s*=\s*(?P<phase>\w+)", re.IGNORECASE)
PHASES = ("expand", "migrate", "contract")
ALL = "*"


@dataclass(frozen=True, slots=True)
class Suppression:
    """Rule names (ids or aliases; ALL for every rule) a comment switches off."""

    names: frozenset[str]
    whole_file: bool
    line: int


def switched_off(names: AbstractSet[str], suppressions: Iterable[Suppression]) -> bool:
    """True if one of the suppressions switches off the rule known by `names` (its id
    and aliases)."""
    return any(ALL in s.names or names & s.names for s in suppressions)


def suppressions(comments: Iterable[Comment]) -> list[Suppression]:
    found: list[Suppression] = []
    for comment in comments:
        atlas = _atlas(comment)
        if atlas is not None:
            found.append(atlas)
            continue
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


def _atlas(comment: Comment) -> Suppression | None:
    """`-- atlas:nolint [code ...]`: every rule, or the rules of the codes given."""
    m = _ATLAS.match(comment.text)
    if not m:
        return None
    codes = [c.lower() for c in re.split(r"[,\s]+", m["names"]) if c.strip()]
    names = frozenset(ATLAS_CHECKS[c] for c in codes if c in ATLAS_CHECKS)
    if codes and not names:
        return None  # only checks migralint has no rule for, or analyzer names
    return Suppression(names or frozenset({ALL}), False, comment.line)


def assured_blocks(comments: Iterable[Comment]) -> list[tuple[int, int]]:
    """(first line, last line) of each `-- safety-assured:start` … `:end` block of a
    file's comments. A start without an end switches nothing off: a forgotten end must
    not silence the rest of the file."""
    blocks: list[tuple[int, int]] = []
    start: int | None = None
    for comment in comments:
        m = _ASSURED.match(comment.text)
        if not m:
            continue
        if m["edge"].lower() == "start":
            start = comment.line if start is None else start
        elif start is not None:
            blocks.append((start, comment.line))
            start = None
    return blocks


def assured(blocks: Iterable[tuple[int, int]], line: int) -> list[Suppression]:
    """The suppression of every rule for a statement starting at `line` inside a block."""
    return [Suppression(frozenset({ALL}), False, a) for a, b in blocks if a < line < b]


MARKED = "its `-- migralint: phase=` marker"
"""The reason of a phase the file's marker declares."""


def declared(info: FileInfo, comments: Iterable[Comment]) -> FileInfo:
    """`info` with the phase its marker declares, which wins over the name's."""
    marked = phase(comments)
    return replace(info, phase=marked, phase_reason=MARKED) if marked else info


def phase(comments: Iterable[Comment]) -> str | None:
    """The phase a file declares, if any (the first marker wins)."""
    for comment in comments:
        m = _PHASE.match(comment.text)
        if m and m["phase"].lower() in PHASES:
            return m["phase"].lower()
    return None
