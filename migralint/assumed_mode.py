"""One assumption, one finding: re-run findings of a set whose transaction mode is assumed.

Where no layout, manifest, directive or configuration says how a set's tool runs its
files, migralint assumes no transaction, and every statement that would fail when a
half-applied file runs again gets a re-run finding (the rules declared with `reruns`).
Those findings all rest on that one assumption, so they are one decision for the
author: say how the tool runs the files. The set gets ONE finding, at its first such
statement in migration order, with the highest severity of those it stands for: it
says the mode is unknown, how many statements in how many files fail on a re-run if
the tool runs files outside a transaction (naming the first few), and how to state the
mode; once it is stated, each statement is judged where it is (or not at all, in a
transaction). The engine counts, per migration part, the statements each kept
finding stands for (`counted`), and the run folds the set's findings (`fold`), after
the cache and per file: a file linted alone is told with its own statements.
`plan --from` judges one file by itself and does not fold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from migralint.config import Settings
from migralint.fileinfo import FileInfo
from migralint.findings import Finding
from migralint.rule import RuleSpec, Violation

Flagged = tuple[RuleSpec, Violation]

_NAMED = 3  # statements the set's finding names


def counted(flagged: Sequence[Flagged], kept: list[Flagged]) -> list[Flagged]:
    """`kept` (the part's findings once overlaps settled them), its first finding on an
    assumed mode counting the part's statements of such findings that were dropped."""
    statements = {_statement(v) for _, v in flagged if v.assumed_reruns}
    standing = [i for i, (_, v) in enumerate(kept) if v.assumed_reruns]
    if not standing:
        return kept
    first = standing[0]
    spec, v = kept[first]
    dropped = len(statements) - len(standing)
    kept[first] = (spec, replace(v, assumed_reruns=1 + max(dropped, 0)))
    return kept


def _statement(v: Violation) -> tuple[int, int]:
    return v.op.loc.line, v.op.loc.column


def fold(
    findings: Sequence[Finding], contexts: Sequence[FileInfo], settings: Settings
) -> list[Finding]:
    """The findings, each set's findings on an assumed transaction mode as one."""
    if settings.assume_in_transaction:
        return list(findings)
    order: dict[str, tuple[int, str]] = {}
    for info in contexts:
        order.setdefault(info.path, (len(order), info.set_root))
    by_set: dict[str, list[Finding]] = {}
    for f in findings:
        if f.assumed_reruns and f.path in order:
            by_set.setdefault(order[f.path][1], []).append(f)
    if not by_set:
        return list(findings)
    standing: dict[int, Finding] = {}
    for root, group in by_set.items():
        group.sort(key=lambda f: (order[f.path][0], f.line, f.column))
        standing[id(group[0])] = _for_the_set(group, root)
    folded = {id(f) for group in by_set.values() for f in group[1:]}
    return [standing.get(id(f), f) for f in findings if id(f) not in folded]


def _for_the_set(group: Sequence[Finding], root: str) -> Finding:
    """The set's one finding, at the first of `group` (in migration order)."""
    first = group[0]
    statements = sum(f.assumed_reruns for f in group)
    files = len({f.path for f in group})
    named = ", ".join(f"{_relative(f.path, root)}:{f.line}" for f in group[:_NAMED])
    more = ", …" if statements > _NAMED else ""
    message = (
        f"{first.message}; one finding for the set: "
        "nothing says how its tool runs the files, and if it runs them outside a "
        f"transaction, {_count(statements, 'statement')} in {_count(files, 'file')} fail "
        f"on a re-run after a half-applied file ({named}{more})"
    )
    glob = f"{Path(root).name}/*" if Path(root).name else "*"
    help = (
        "State how the tool runs this set's files: in `[tool.migralint.transaction]`, "
        f'`"{glob}" = "per-file"` (or `"implicit"`, `"none"`), or `assume_in_transaction = '
        'true` in `[tool.migralint]`; under `"none"` each of these statements is then '
        f"reported where it is, in a transaction none is. For this statement: {first.help}"
    )
    severity = max(f.severity for f in group)
    return replace(first, message=message, help=help, severity=severity)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _relative(path: str, root: str) -> str:
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return path
