"""The name PostgreSQL gives a constraint added without one, so a rule can tell that an
unnamed `ADD CHECK (…)` re-creates the constraint a `DROP CONSTRAINT` removed.

PostgreSQL's ChooseConstraintName / ChooseRelationName: `<table>_pkey`,
`<table>_<columns>_key` / `_fkey` / `_excl`, and for a CHECK `<table>_<column>_check`
when its expression reads exactly one column, else `<table>_check`; the table and
column parts are shortened to fit 63 bytes (pgfacts.object_name), and while the name is
taken the label gets 1, 2, … (`<table>_check1`).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from migralint.pgfacts import object_name
from migralint.schema import TableState
from migralint.sql import ops

_LABELS = {"primary_key": "pkey", "unique": "key", "foreign_key": "fkey", "exclude": "excl"}
_LITERAL = re.compile(r"'(?:[^']|'')*'")
_IDENTIFIER = re.compile(r'"((?:[^"]|"")+)"|\b([A-Za-z_]\w*)\b')


def generated_name(
    table: ops.Name, c: ops.Constraint, state: TableState | None, taken: Collection[str]
) -> str | None:
    """The name PostgreSQL gives the unnamed constraint `c` on `table` while `taken`
    names exist; None for a kind whose naming is not modelled here."""
    if c.kind == "check":
        label, columns = "check", _check_columns(c.expression, state)
    elif c.kind in _LABELS:
        label, columns = _LABELS[c.kind], [] if c.kind == "primary_key" else list(c.columns)
    else:
        return None
    name, n = object_name(table.name, "_".join(columns), label), 0
    while name in taken:
        n += 1
        name = object_name(table.name, "_".join(columns), f"{label}{n}")
    return name


def _check_columns(expression: str | None, state: TableState | None) -> list[str]:
    """The one column a CHECK's expression reads, as a list (PostgreSQL names the check
    after it), or [] when it reads several or the table's columns are unknown."""
    if state is None or not expression:
        return []
    words = _IDENTIFIER.finditer(_LITERAL.sub("", expression))
    read = {
        name
        for m in words
        if (name := m[1].replace('""', '"') if m[1] else m[2].lower()) in state.columns
    }
    return list(read) if len(read) == 1 else []
