"""One cause, one finding: a rule's findings in one migration part that say the same of
different tables, columns or indexes are one finding.

Three `ALTER COLUMN … TYPE` statements on one table, 22 indexes built on one table
without CONCURRENTLY, or one retyping of the id columns of forty tables, are one
decision for the author (how to make that change), so the first finding stands for the
group: it stays at its statement and names the other lines and what they touch ("also
lines 4, 5: from_user_id, to_user_id"; across tables, `table.column`; past
`LISTED` lines, how many more). When the findings report rewrites
(`Violation.rewrites`) from several statements on one table, it says how many times the
table is rewritten, and that one ALTER TABLE with all its actions rewrites it once.

Folding changes no exit code (the findings of one rule share its severity) and no plan:
`plan --from` still plans the Op of every folded finding (overlaps.settle returns them
with the dropped ones, as for overlaps). Suppressions are applied before folding, to
each statement's own findings: a suppression on any line of a group silences that
line's cause only, and the first unsuppressed finding stands for the rest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from migralint.rule import RuleSpec, Violation
from migralint.sql import ops

Flagged = tuple[RuleSpec, Violation]


LISTED = 25  # lines a folded finding names one by one; past them, how many more


def groups(flagged: Sequence[Flagged]) -> dict[int, list[int]]:
    """Index of the first finding → indexes of the later ones it stands for: findings
    of one rule whose messages say the same but for the tables and the names of what
    they touch (a different fact, such as a claim about release N-1 that one of them
    does not make, keeps its own finding)."""
    found: dict[tuple[str, str], list[int]] = {}
    for i, (spec, v) in enumerate(flagged):
        table = _table(v.op)
        if table is not None:
            found.setdefault((spec.id, _shape(v, table)), []).append(i)
    return {group[0]: group[1:] for group in found.values() if len(group) > 1}


def _shape(v: Violation, table: ops.Name) -> str:
    """The message with its table and the names of what the finding touches masked."""
    shape = v.message
    names = {*_names(v, table), str(table), table.key, table.name}
    for name in sorted(names, key=len, reverse=True):
        shape = re.sub(rf"(?<![\w$]){re.escape(name)}(?![\w$])", "…", shape)
    return re.sub(r"…(?:, …)+", "…", shape)  # one column or several: the same shape


def _table(op: ops.Op) -> ops.Name | None:
    table = getattr(op, "table", None)
    return table if isinstance(table, ops.Name) else None


def standing_for(v: Violation, others: Sequence[Violation]) -> Violation:
    """`v`, its message naming the lines and objects of `others`, covering their Ops."""
    table = _table(v.op)
    assert table is not None
    one_table = all(_key(o) == table.key for o in others)
    line = _line(v)
    lines = list(dict.fromkeys(_line(o) for o in others if _line(o) != line))
    names = list(dict.fromkeys(n for o in others for n in _touched(o, one_table)))
    what = f": {_listing(names)}" if names else ""
    if len(lines) > LISTED:
        note = f"also {len(lines)} more statements (lines {lines[0]}–{lines[-1]}){what}"
    elif lines:
        label = "line" if len(lines) == 1 else "lines"
        note = f"also {label} {', '.join(map(str, lines))}{what}"
    else:
        note = f"also {_listing(names)} in this statement" if names else ""
    notes = [note] if note else []
    rewritten = _rewritten_again(v, others)
    if len(rewritten) == 1:
        [(again, times)] = rewritten.items()
        notes.append(
            f"{again} is rewritten {times} times, once per statement: one ALTER TABLE with "
            "all its actions rewrites it once"
        )
    elif rewritten:
        times = ", ".join(f"{t} {n} times" for t, n in rewritten.items())
        notes.append(
            f"rewritten once per statement ({times}): one ALTER TABLE per table with all "
            "its actions rewrites it once"
        )
    covers = tuple(dict.fromkeys((*v.covers, *(op for o in others for op in (o.op, *o.covers)))))
    return replace(v, message="; ".join([v.message, *notes]), covers=covers)


def _touched(v: Violation, one_table: bool) -> list[str]:
    """What a folded finding touches: names on its table, `table.name` across tables."""
    table = _table(v.op)
    assert table is not None
    names = _names(v, table)
    if one_table:
        return names
    return [f"{table}.{n}" for n in names] if names else [str(table)]


def _listing(items: Sequence[str]) -> str:
    shown = ", ".join(items[:LISTED])
    return shown if len(items) <= LISTED else f"{shown} and {len(items) - LISTED} more"


def _rewritten_again(v: Violation, others: Sequence[Violation]) -> dict[str, int]:
    """Table key → statements that rewrite it, for the tables the group rewrites in more
    than one statement (empty unless every finding reports a rewrite)."""
    group = (v, *others)
    if not all(x.rewrites for x in group):
        return {}
    statements: dict[str, set[tuple[int, int]]] = {}
    for x in group:
        statements.setdefault(_key(x), set()).add((x.op.loc.line, x.op.loc.column))
    return {t: len(s) for t, s in statements.items() if len(s) > 1}


def _key(v: Violation) -> str:
    table = _table(v.op)
    return table.key if table is not None else ""


def _line(v: Violation) -> int:
    return v.line or v.op.loc.line


def _names(v: Violation, table: ops.Name) -> list[str]:
    """What a finding touches on its table: columns (from `about` or its Ops), else the
    name of the object its Op creates or changes (an index)."""
    prefix = f"{table.key}."
    keys = v.about or tuple(_column_key(op) for op in (v.op, *v.covers))
    columns = [k[len(prefix) :] for k in keys if k and k.startswith(prefix)]
    if columns:
        return columns
    if isinstance(v.op, ops.AddConstraint) and v.op.constraint.columns:
        return list(v.op.constraint.columns)  # PRIMARY KEY (a, b): what it is on
    name = getattr(v.op, "name", None)
    if isinstance(name, ops.Name):
        return [name.name]
    return [name] if isinstance(name, str) else []


def _column_key(op: ops.Op) -> str:
    """`table.column` of an Op on one column ('' for any other)."""
    column = getattr(op, "column", None)
    name = column.name if isinstance(column, ops.Column) else column
    table = _table(op)
    return f"{table.key}.{name}" if table is not None and isinstance(name, str) else ""
