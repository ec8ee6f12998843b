"""ALTER TABLE read by its keywords alone, without sqlglot: the head (`ALTER TABLE
name actions`), the action list split on its commas, and the actions sqlglot keeps as
opaque text or misreads (SET SCHEMA, DETACH PARTITION, identity changes, RENAME
CONSTRAINT) or does not model
(MySQL's ALGORITHM= and LOCK= clauses).
"""

from __future__ import annotations

import re

from migralint.sql import ops
from migralint.sql.facts import sets_sequence_start
from migralint.sql.names import IDENT, QNAME, fold, parse_name

_F = re.IGNORECASE | re.DOTALL
HEAD = re.compile(
    r"ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?P<name>"
    + QNAME
    + r")\s*\*?\s+(?P<actions>.+)$",
    _F,
)


def split_actions(text: str) -> list[tuple[int, str]]:
    """Split an action list on commas outside parentheses and quotes: (offset, action) pairs."""
    bounds: list[tuple[int, int]] = []
    depth, start, quote = 0, 0, ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"`":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            bounds.append((start, i))
            start = i + 1
    bounds.append((start, len(text)))
    parts = []
    for begin, stop in bounds:
        part = text[begin:stop]
        if part.strip():
            parts.append((begin + len(part) - len(part.lstrip()), part.strip()))
    return parts


_SET_SCHEMA = re.compile(r"SET\s+SCHEMA\s+(?P<schema>" + IDENT + r")\s*$", _F)
_DETACH = re.compile(
    r"DETACH\s+PARTITION\s+(?P<partition>"
    + QNAME
    + r")(?:\s+(?P<mode>CONCURRENTLY|FINALIZE))?\s*$",
    _F,
)
_IDENTITY = re.compile(
    r"ALTER\s+(?:COLUMN\s+)?(?P<column>" + IDENT + r")\s+(?P<action>ADD\s+GENERATED|"
    r"DROP\s+IDENTITY|SET\s+GENERATED)\b",
    _F,
)
_BY_DEFAULT = re.compile(r"\bGENERATED\s+BY\s+DEFAULT\b", _F)
_MYSQL_OPTION = re.compile(
    r"\b(?P<name>ALGORITHM|LOCK)\s*(?:=\s*)?(?P<value>COPY|SHARED|EXCLUSIVE)\b", _F
)


_RENAME_CONSTRAINT = re.compile(
    r"RENAME\s+CONSTRAINT\s+(?P<old>" + IDENT + r")\s+TO\s+(?P<new>" + IDENT + r")\s*$", _F
)


def rename_constraint(
    action: str, table: ops.Name, loc: ops.Location, dialect: str
) -> ops.RenameConstraint | None:
    """`RENAME CONSTRAINT a TO b`, or None for another action."""
    m = _RENAME_CONSTRAINT.match(action)
    if m is None:
        return None
    old, new = fold(m["old"], dialect), fold(m["new"], dialect)
    return ops.RenameConstraint(loc=loc, table=table, name=old, new_name=new)


def special_actions(text: str, loc: ops.Location, dialect: str) -> list[ops.Op] | None:
    """Ops for an ALTER TABLE made only of actions sqlglot reads as opaque text or
    misreads: SET SCHEMA, DETACH PARTITION, identity changes and RENAME CONSTRAINT
    (which sqlglot takes for a table rename when the old name is one of its words, as
    `log` or `format`); None for any other action list."""
    head = HEAD.match(text)
    if not head:
        return None
    table = parse_name(head["name"], dialect)
    found: list[ops.Op] = []
    for _, action in split_actions(head["actions"]):
        if renamed := rename_constraint(action, table, loc, dialect):
            found.append(renamed)
        elif m := _SET_SCHEMA.match(action):
            schema = fold(m["schema"], dialect)
            found.append(ops.SetSchema(loc=loc, kind="TABLE", name=table, new_schema=schema))
        elif m := _DETACH.match(action):
            mode = (m["mode"] or "").upper()
            partition = parse_name(m["partition"], dialect)
            found.append(
                ops.DetachPartition(
                    loc=loc,
                    table=table,
                    partition=partition,
                    concurrently=bool(mode),
                    finalize=mode == "FINALIZE",
                )
            )
        elif m := _IDENTITY.match(action):
            action_word = m["action"].split()[0].upper()
            column = fold(m["column"], dialect)
            found.append(
                ops.AlterIdentity(
                    loc=loc,
                    table=table,
                    column=column,
                    action=action_word,
                    by_default=bool(_BY_DEFAULT.search(action)),
                    sets_start=sets_sequence_start(action),
                )
            )
        else:
            return None
    return found or None


def mysql_options(text: str, loc: ops.Location, dialect: str) -> list[ops.Op]:
    """ALGORITHM=COPY / LOCK=SHARED|EXCLUSIVE clauses of a MySQL ALTER TABLE."""
    head = HEAD.match(text)
    if dialect != "mysql" or not head:
        return []
    table = parse_name(head["name"], dialect)
    return [
        ops.AlterTableOption(loc=loc, table=table, name=m["name"].upper(), value=m["value"].upper())
        for m in _MYSQL_OPTION.finditer(head["actions"])
    ]
