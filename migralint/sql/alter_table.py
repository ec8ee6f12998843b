"""ALTER TABLE → Ops, one Op per sub-command.

sqlglot parses most actions; the PostgreSQL forms it leaves as a Command (VALIDATE
CONSTRAINT, … USING INDEX, RENAME CONSTRAINT, ROW LEVEL SECURITY, …) are read here by
splitting the action list and recognising each action by its keywords.
"""

from __future__ import annotations

import re

from sqlglot import exp

from migralint.sql import ops
from migralint.sql.names import IDENT, QNAME, fold, identifier, parse_name, table_name
from migralint.sql.sqlglot_ops import column, constraint, data_type, default

_F = re.IGNORECASE | re.DOTALL
_HEAD = re.compile(
    r"ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?P<name>"
    + QNAME
    + r")\s*\*?\s+(?P<actions>.+)$",
    _F,
)
_USING_INDEX = re.compile(
    r"ADD\s+(?:CONSTRAINT\s+(?P<name>" + IDENT + r")\s+)?(?P<kind>UNIQUE|PRIMARY\s+KEY)\s+"
    r"USING\s+INDEX\s+(?P<index>" + IDENT + r")",
    _F,
)
_VALIDATE = re.compile(r"VALIDATE\s+CONSTRAINT\s+(?P<name>" + IDENT + r")\s*$", _F)
_RENAME_CONSTRAINT = re.compile(
    r"RENAME\s+CONSTRAINT\s+(?P<old>" + IDENT + r")\s+TO\s+(?P<new>" + IDENT + r")\s*$", _F
)
_RENAME_COLUMN = re.compile(
    r"RENAME\s+(?:COLUMN\s+)?(?!TO\s)(?P<old>" + IDENT + r")\s+TO\s+(?P<new>" + IDENT + r")\s*$", _F
)
# Actions that take at most a brief lock and change nothing a rule looks at.
_OPAQUE = re.compile(
    r"(?P<kind>(?:ENABLE|DISABLE|FORCE|NO\s+FORCE)\s+(?:ROW\s+LEVEL\s+SECURITY|(?:ALWAYS\s+|REPLICA\s+)?"
    r"TRIGGER|RULE)|REPLICA\s+IDENTITY|OWNER\s+TO|SET\s*\(|RESET\s*\(|CLUSTER\s+ON|SET\s+WITHOUT|"
    r"SET\s+(?:LOGGED|UNLOGGED|TABLESPACE|SCHEMA|ACCESS\s+METHOD)|(?:NO\s+)?INHERIT|OF\s|NOT\s+OF|"
    r"ATTACH\s+PARTITION|DETACH\s+PARTITION|ALTER\s+(?:COLUMN\s+)?" + IDENT + r"\s+(?:SET|RESET)\s+"
    r"(?:STATISTICS|STORAGE|COMPRESSION|\())",
    _F,
)


def alter_table_ops(tree: exp.Alter, loc: ops.Location, dialect: str) -> list[ops.Op]:
    """Ops for a parsed ALTER; ALTER of something other than a table is Raw."""
    if str(tree.args.get("kind") or "").upper() != "TABLE":
        return [ops.Raw(loc=loc, kind=f"ALTER {tree.args.get('kind') or ''}".strip())]
    rename = _RENAME_COLUMN.search(loc.statement)
    table = table_name(tree.this, dialect)
    if rename and not re.search(r"\bRENAME\s+TO\b", loc.statement, _F):
        # sqlglot reads `RENAME x TO y` (no COLUMN keyword) as a table rename.
        return [
            ops.RenameColumn(
                loc=loc,
                table=table,
                column=fold(rename["old"], dialect),
                new_name=fold(rename["new"], dialect),
            )
        ]
    not_valid = bool(tree.args.get("not_valid"))
    found: list[ops.Op] = []
    for action in tree.args.get("actions") or []:
        found.extend(_action_ops(action, table, loc, dialect, not_valid))
    return found


def _action_ops(
    action: exp.Expression, table: ops.Name, loc: ops.Location, dialect: str, not_valid: bool
) -> list[ops.Op]:
    if isinstance(action, exp.ColumnDef):
        return [
            ops.AddColumn(
                loc=loc,
                table=table,
                column=column(action, dialect),
                if_not_exists=bool(action.args.get("exists")),
            )
        ]
    if isinstance(action, exp.Drop):
        return _drop_ops(action, table, loc, dialect)
    if isinstance(action, exp.RenameColumn):
        return [
            ops.RenameColumn(
                loc=loc,
                table=table,
                column=identifier(action.this, dialect),
                new_name=identifier(action.args.get("to"), dialect),
            )
        ]
    if isinstance(action, exp.AlterRename):
        return [
            ops.RenameTable(loc=loc, table=table, new_name=table_name(action.this, dialect).name)
        ]
    if isinstance(action, exp.AlterColumn):
        return _alter_column_ops(action, table, loc, dialect)
    if isinstance(action, exp.AddConstraint):
        return _add_constraint_ops(action, table, loc, dialect, not_valid)
    if isinstance(action, exp.ModifyColumn):  # MySQL MODIFY / CHANGE COLUMN
        return _modify_column_ops(action, table, loc, dialect)
    return [ops.Raw(loc=loc, kind="ALTER TABLE")]


def _drop_ops(action: exp.Drop, table: ops.Name, loc: ops.Location, dialect: str) -> list[ops.Op]:
    kind = str(action.args.get("kind") or "COLUMN").upper()
    if_exists = bool(action.args.get("exists"))
    cascade = bool(action.args.get("cascade"))
    names = [identifier(t, dialect) for t in action.args.get("tables") or []]
    if kind == "CONSTRAINT":
        return [
            ops.DropConstraint(loc=loc, table=table, name=n, if_exists=if_exists, cascade=cascade)
            for n in names
        ]
    if kind in ("INDEX", "KEY"):
        return [ops.DropIndex(loc=loc, name=ops.Name(n), if_exists=if_exists) for n in names]
    if kind in ("COLUMN", ""):
        return [
            ops.DropColumn(loc=loc, table=table, column=n, if_exists=if_exists, cascade=cascade)
            for n in names
        ]
    return [ops.Raw(loc=loc, kind=f"ALTER TABLE DROP {kind}")]


def _alter_column_ops(
    action: exp.AlterColumn, table: ops.Name, loc: ops.Location, dialect: str
) -> list[ops.Op]:
    name = identifier(action.this, dialect)
    args = action.args
    if isinstance(args.get("dtype"), exp.DataType):
        using = args.get("using")
        return [
            ops.AlterColumnType(
                loc=loc,
                table=table,
                column=name,
                type=data_type(args["dtype"], dialect),
                using=using.sql("postgres") if isinstance(using, exp.Expression) else None,
            )
        ]
    if args.get("allow_null") is False:
        return [ops.SetNotNull(loc=loc, table=table, column=name)]
    if args.get("allow_null") is True:
        return [ops.DropNotNull(loc=loc, table=table, column=name)]
    if isinstance(args.get("default"), exp.Expression):
        return [
            ops.SetDefault(
                loc=loc, table=table, column=name, default=default(args["default"], dialect)
            )
        ]
    if args.get("drop"):
        return [ops.DropDefault(loc=loc, table=table, column=name)]
    return [ops.Raw(loc=loc, kind="ALTER TABLE ALTER COLUMN")]


def _add_constraint_ops(
    action: exp.AddConstraint, table: ops.Name, loc: ops.Location, dialect: str, not_valid: bool
) -> list[ops.Op]:
    found: list[ops.Op] = []
    for item in action.expressions:
        c = constraint(item, dialect, not_valid=not_valid)
        if c is None:
            found.append(ops.Raw(loc=loc, kind="ALTER TABLE ADD CONSTRAINT"))
        elif c.kind == "index":
            found.append(ops.CreateIndex(loc=loc, table=table, name=c.name, columns=c.columns))
        else:
            found.append(ops.AddConstraint(loc=loc, table=table, constraint=c))
    return found


def _modify_column_ops(
    action: exp.ModifyColumn, table: ops.Name, loc: ops.Location, dialect: str
) -> list[ops.Op]:
    definition = column(action.this, dialect)
    found: list[ops.Op] = []
    old = action.args.get("rename_from")
    current = definition.name
    if old is not None and identifier(old, dialect) != definition.name:
        current = identifier(old, dialect)
        found.append(
            ops.RenameColumn(loc=loc, table=table, column=current, new_name=definition.name)
        )
    if definition.type is not None:
        found.append(
            ops.AlterColumnType(loc=loc, table=table, column=definition.name, type=definition.type)
        )
    if not definition.nullable:
        found.append(ops.SetNotNull(loc=loc, table=table, column=definition.name))
    return found


def split_actions(text: str) -> list[str]:
    """Split an action list on commas outside parentheses and quotes."""
    parts: list[str] = []
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
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return [p for p in parts if p]


def alter_table_fallback(text: str, loc: ops.Location, dialect: str) -> list[ops.Op] | None:
    """Ops for an ALTER TABLE that sqlglot could not model, or None if an action is unknown."""
    head = _HEAD.match(text)
    if not head:
        return None
    table = parse_name(head["name"], dialect)
    found: list[ops.Op] = []
    for action in split_actions(head["actions"]):
        action_ops = _fallback_action(action, head["name"], table, loc, dialect)
        if action_ops is None:
            return None
        found.extend(action_ops)
    return found


def _fallback_action(
    action: str, written_name: str, table: ops.Name, loc: ops.Location, dialect: str
) -> list[ops.Op] | None:
    m = _USING_INDEX.match(action)
    if m:
        kind = "primary_key" if m["kind"].upper().startswith("PRIMARY") else "unique"
        name = fold(m["name"], dialect) if m["name"] else None
        c = ops.Constraint(kind, name, using_index=fold(m["index"], dialect))
        return [ops.AddConstraint(loc=loc, table=table, constraint=c)]
    m = _VALIDATE.match(action)
    if m:
        return [ops.ValidateConstraint(loc=loc, table=table, name=fold(m["name"], dialect))]
    m = _RENAME_CONSTRAINT.match(action)
    if m:
        return [
            ops.RenameConstraint(
                loc=loc, table=table, name=fold(m["old"], dialect), new_name=fold(m["new"], dialect)
            )
        ]
    m = _OPAQUE.match(action)
    if m:
        return [ops.Raw(loc=loc, kind="ALTER TABLE " + " ".join(m["kind"].upper().split()[:2]))]
    import sqlglot

    read = "mysql" if dialect == "mysql" else "postgres"
    try:
        tree = sqlglot.parse_one(f"ALTER TABLE {written_name} {action}", read=read)
    except Exception:
        return None
    if not isinstance(tree, exp.Alter):
        return None
    return [
        op
        for a in tree.args.get("actions") or []
        for op in _action_ops(a, table, loc, dialect, bool(tree.args.get("not_valid")))
    ]
