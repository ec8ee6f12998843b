"""One cause, one finding: a rule's findings about one table in one migration part, that
say the same of different columns or indexes, are one finding.

Three `ALTER COLUMN … TYPE` statements on one table, or 22 indexes built on one table
without CONCURRENTLY, are one decision for the author (how to change that table), so
the first finding stands for the group: it stays at its statement and names the other
lines and what they touch ("also lines 4, 5: from_user_id, to_user_id"). When the
findings report rewrites (`Violation.rewrites`) from several statements, it says how
many times the table is rewritten, and that one ALTER TABLE with all the actions
rewrites it once.

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


def groups(flagged: Sequence[Flagged]) -> dict[int, list[int]]:
    """Index of the first finding → indexes of the later ones it stands for: findings
    of one rule about one table whose messages say the same but for the names of what
    they touch (a different fact, such as a claim about release N-1 that one of them
    does not make, keeps its own finding)."""
    found: dict[tuple[str, str, str], list[int]] = {}
    for i, (spec, v) in enumerate(flagged):
        table = _table(v.op)
        if table is not None:
            found.setdefault((spec.id, table.key, _shape(v, table)), []).append(i)
    return {group[0]: group[1:] for group in found.values() if len(group) > 1}


def _shape(v: Violation, table: ops.Name) -> str:
    """The message with the names of what the finding touches masked."""
    shape = v.message
    for name in sorted(_names(v, table), key=len, reverse=True):
        shape = re.sub(rf"(?<![\w$]){re.escape(name)}(?![\w$])", "…", shape)
    return shape


def _table(op: ops.Op) -> ops.Name | None:
    table = getattr(op, "table", None)
    return table if isinstance(table, ops.Name) else None


def standing_for(v: Violation, others: Sequence[Violation]) -> Violation:
    """`v`, its message naming the lines and objects of `others`, covering their Ops."""
    table = _table(v.op)
    assert table is not None
    line = _line(v)
    lines = list(dict.fromkeys(_line(o) for o in others if _line(o) != line))
    names = list(dict.fromkeys(n for o in others for n in _names(o, table)))
    what = f": {', '.join(names)}" if names else ""
    if lines:
        label = "line" if len(lines) == 1 else "lines"
        note = f"also {label} {', '.join(map(str, lines))}{what}"
    else:
        note = f"also {', '.join(names)} in this statement" if names else ""
    notes = [note] if note else []
    statements = len({(x.op.loc.line, x.op.loc.column) for x in (v, *others)})
    if statements > 1 and v.rewrites and all(o.rewrites for o in others):
        notes.append(
            f"{table} is rewritten {statements} times, once per statement: one ALTER TABLE "
            "with all these actions rewrites it once"
        )
    covers = tuple(dict.fromkeys((*v.covers, *(op for o in others for op in (o.op, *o.covers)))))
    return replace(v, message="; ".join([v.message, *notes]), covers=covers)


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
