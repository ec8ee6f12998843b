"""ALTER TABLE read by its keywords alone, without sqlglot: the head (`ALTER TABLE
name actions`), the action list split on its commas, and the actions sqlglot keeps as
opaque text or misreads (SET SCHEMA, DETACH PARTITION, identity changes, RENAME
CONSTRAINT, the actions that matter only for their lock) or does not model (MySQL's
ALGORITHM= and LOCK= clauses).
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


def special_actions(text: str, loc: ops.Location, dialect: str) -> list[ops.Op | None] | None:
    """For each action of an ALTER TABLE, the Op `special_action` reads from it, or None
    for an action it does not read; None when it reads none of them."""
    head = HEAD.match(text)
    if not head:
        return None
    table = parse_name(head["name"], dialect)
    found = [special_action(a, table, loc, dialect) for _, a in split_actions(head["actions"])]
    return None if all(op is None for op in found) else found


def special_action(action: str, table: ops.Name, loc: ops.Location, dialect: str) -> ops.Op | None:
    """The Op of one action sqlglot reads as opaque text or misreads: SET SCHEMA, DETACH
    PARTITION, identity changes, RENAME CONSTRAINT (which sqlglot takes for a table
    rename when the old name is one of its words, as `log` or `format`) and the actions
    that matter only for their lock (`table_action`); None for any other action."""
    if renamed := rename_constraint(action, table, loc, dialect):
        return renamed
    if m := _SET_SCHEMA.match(action):
        schema = fold(m["schema"], dialect)
        return ops.SetSchema(loc=loc, kind="TABLE", name=table, new_schema=schema)
    if m := _DETACH.match(action):
        mode = (m["mode"] or "").upper()
        return ops.DetachPartition(
            loc=loc,
            table=table,
            partition=parse_name(m["partition"], dialect),
            concurrently=bool(mode),
            finalize=mode == "FINALIZE",
        )
    if m := _IDENTITY.match(action):
        return ops.AlterIdentity(
            loc=loc,
            table=table,
            column=fold(m["column"], dialect),
            action=m["action"].split()[0].upper(),
            by_default=bool(_BY_DEFAULT.search(action)),
            sets_start=sets_sequence_start(action),
        )
    return table_action(action, table, loc, dialect)


# PostgreSQL's ALTER TABLE actions that only switch or store something (AlterTableAction),
# each with what follows it: `\s*$` nothing, `_NAMED` an object's name (and maybe more),
# `_ARGUMENT` something.
_NAMED = r"\s+(?P<other>" + QNAME + r")(?:\s+.*)?$"
_ARGUMENT = r"\s+\S.*$"
_TABLE_ACTIONS = re.compile(
    r"(?P<action>(?:ENABLE|DISABLE)\s+(?:(?:ALWAYS|REPLICA)\s+)?(?P<switched>TRIGGER|RULE))"
    + _ARGUMENT
    + r"|(?P<security>(?:ENABLE|DISABLE|FORCE|NO\s+FORCE)\s+ROW\s+LEVEL\s+SECURITY)\s*$"
    + r"|(?P<named>OWNER\s+TO|REPLICA\s+IDENTITY|CLUSTER\s+ON|SET\s+TABLESPACE|"
    r"SET\s+ACCESS\s+METHOD|ALTER\s+CONSTRAINT)"
    + _ARGUMENT
    + r"|(?P<bare>SET\s+(?:WITHOUT\s+(?:CLUSTER|OIDS)|LOGGED|UNLOGGED)|NOT\s+OF)\s*$"
    + r"|(?P<linked>ATTACH\s+PARTITION|(?:NO\s+)?INHERIT|OF)"
    + _NAMED
    + r"|(?P<options>SET|RESET)\s*\((?P<names>.*)\)\s*$",
    _F,
)
_COLUMN_ACTION = re.compile(
    r"ALTER\s+(?:COLUMN\s+)?" + IDENT + r"\s+(?:(?P<action>SET\s+(?:STATISTICS|STORAGE|"
    r"COMPRESSION|EXPRESSION)|DROP\s+EXPRESSION)\b|(?P<options>SET|RESET)\s*\(|"
    r"(?P<sequence>RESTART|SET\s+(?:INCREMENT|START|MINVALUE|MAXVALUE|NO|CACHE|CYCLE|"
    r"SEQUENCE)\b))",
    _F,
)
_OPTION_NAME = re.compile(r"(?:^|,)\s*(?P<name>[\w.]+)")


def table_action(
    action: str, table: ops.Name, loc: ops.Location, dialect: str
) -> ops.AlterTableAction | None:
    """One of PostgreSQL's ALTER TABLE actions that change only how the table is guarded,
    stored or replicated (ENABLE TRIGGER, OWNER TO, SET (…), ATTACH PARTITION, ALTER
    COLUMN … SET STORAGE, …), named as `postgres.ACTION_LOCKS` names it; None for any
    other action."""
    if m := _COLUMN_ACTION.match(action):
        name = m["action"] or m["options"] or "SET SEQUENCE OPTION"
        words = "ALTER COLUMN " + " ".join(name.upper().split())
        return ops.AlterTableAction(loc=loc, table=table, action=words)
    m = _TABLE_ACTIONS.match(action)
    if m is None:
        return None
    if m["switched"]:  # ENABLE ALWAYS / REPLICA TRIGGER is a switch like any other
        words = f"{m['action'].split()[0]} {m['switched']}"
    else:
        words = m["security"] or m["named"] or m["bare"] or m["linked"] or m["options"]
    other = parse_name(m["other"], dialect) if m["other"] else None
    options = tuple(o["name"].lower() for o in _OPTION_NAME.finditer(m["names"] or ""))
    return ops.AlterTableAction(
        loc=loc,
        table=table,
        action=" ".join(words.upper().split()),
        other=other,
        options=options,
    )


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
