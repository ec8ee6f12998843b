"""ALTER TABLE → Ops, one Op per sub-command.

sqlglot parses most actions; the PostgreSQL forms it leaves as a Command (VALIDATE
CONSTRAINT, … USING INDEX, RENAME CONSTRAINT, ROW LEVEL SECURITY, …) are read here by
splitting the action list and recognising each action by its keywords.
"""

from __future__ import annotations

import re

from sqlglot import exp

from migralint.sql import ops
from migralint.sql.alter_actions import HEAD, special_action, split_actions
from migralint.sql.names import IDENT, QNAME, fold, identifier, parse_name, table_name
from migralint.sql.normalise import normalise
from migralint.sql.sqlglot_ops import column, constraint, data_type, default

_F = re.IGNORECASE | re.DOTALL
_USING_INDEX = re.compile(
    r"ADD\s+(?:CONSTRAINT\s+(?P<name>" + IDENT + r")\s+)?(?P<kind>UNIQUE|PRIMARY\s+KEY)\s+"
    r"USING\s+INDEX\s+(?P<index>" + IDENT + r")",
    _F,
)
_VALIDATE = re.compile(r"VALIDATE\s+CONSTRAINT\s+(?P<name>" + IDENT + r")\s*$", _F)
_RENAME_COLUMN = re.compile(
    r"RENAME\s+(?:COLUMN\s+)?(?!TO\s)(?P<old>" + IDENT + r")\s+TO\s+(?P<new>" + IDENT + r")\s*$", _F
)
_RENAME_TABLE = re.compile(r"RENAME\s+(?:TO|AS)\s+(?P<new>" + QNAME + r")\s*$", _F)
_RENAME_INDEX = re.compile(
    r"RENAME\s+(?:INDEX|KEY)\s+(?P<old>" + IDENT + r")\s+TO\s+(?P<new>" + IDENT + r")\s*$", _F
)
_ADD_COLUMNS = re.compile(r"ADD\s+(?:COLUMN\s+)?\((?P<columns>.*)\)\s*$", _F)
# MySQL's table options and partition maintenance, which change nothing a rule looks at
# (PostgreSQL's actions of that kind are `alter_actions.table_action`'s).
_OPAQUE = re.compile(
    r"(?P<kind>(?:ENABLE|DISABLE)\s+KEYS|ALTER\s+CHECK|CONVERT\s+TO|"
    r"(?:DEFAULT\s+)?(?:CHARSET|CHARACTER\s+SET|COLLATE)|ENGINE|AUTO_INCREMENT|"
    r"ALGORITHM|LOCK|ROW_FORMAT|COMMENT|KEY_BLOCK_SIZE|STATS_\w+|FORCE|ORDER\s+BY|"
    r"(?:DISCARD|IMPORT)\s+TABLESPACE|ALTER\s+INDEX|(?:ADD|DROP|TRUNCATE|COALESCE|REORGANIZE|"
    r"EXCHANGE|ANALYZE|CHECK|OPTIMIZE|REBUILD|REPAIR)\s+PARTITION|REMOVE\s+PARTITIONING|"
    r"PARTITION\s+BY)\b",
    _F,
)
# PostgreSQL 18's table-level not-null constraint.
_ADD_NOT_NULL = re.compile(
    r"ADD\s+(?:CONSTRAINT\s+(?P<name>" + IDENT + r")\s+)?NOT\s+NULL\s+(?P<column>" + IDENT + r")"
    r"(?:\s+NO\s+INHERIT)?(?P<not_valid>\s+NOT\s+VALID)?\s*$",
    _F,
)
# sqlglot reads CHECK and EXCLUDE only after a constraint name.
_ADD_UNNAMED = re.compile(r"ADD\s+(?=(?:CHECK|EXCLUDE)\b)", _F)
_PLACEHOLDER = "migralint_unnamed"


def alter_table_ops(tree: exp.Alter, text: str, loc: ops.Location, dialect: str) -> list[ops.Op]:
    """Ops for `text`, a parsed ALTER; ALTER of something other than a table is Raw."""
    if str(tree.args.get("kind") or "").upper() != "TABLE":
        return [ops.Raw(loc=loc, kind=f"ALTER {tree.args.get('kind') or ''}".strip())]
    rename = _RENAME_COLUMN.search(text)
    table = table_name(tree.this, dialect)
    if rename and not re.search(r"\bRENAME\s+TO\b", text, _F):
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
    return found or [ops.Raw(loc=loc, kind="ALTER TABLE")]  # table options only (MySQL)


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
    if isinstance(action, exp.RenameIndex):  # MySQL
        return [
            ops.RenameObject(
                loc=loc,
                kind="INDEX",
                name=ops.Name(identifier(action.this, dialect)),
                new_name=identifier(action.args.get("to"), dialect),
            )
        ]
    if isinstance(action, exp.DropPrimaryKey):  # MySQL: the primary key is named PRIMARY
        return [ops.DropConstraint(loc=loc, table=table, name="PRIMARY")]
    if isinstance(action, exp.Command):  # an action sqlglot kept as text, e.g. SQLite's DROP x
        text = f"{action.this} {action.expression}"
        found = _fallback_action(text, table, loc, dialect)
        if found is not None:
            return found
    return [ops.Raw(loc=loc, kind="ALTER TABLE")]


def _drop_ops(action: exp.Drop, table: ops.Name, loc: ops.Location, dialect: str) -> list[ops.Op]:
    kind = str(action.args.get("kind") or "COLUMN").upper()
    if_exists = bool(action.args.get("exists"))
    cascade = bool(action.args.get("cascade"))
    names = [identifier(t, dialect) for t in action.args.get("tables") or []]
    if kind in ("CONSTRAINT", "FOREIGN KEY", "CHECK"):
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
                using_casts=_casts_of(using, name, dialect)
                if isinstance(using, exp.Expression)
                else None,
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


def _casts_of(using: exp.Expression, column: str, dialect: str) -> tuple[ops.DataType, ...] | None:
    """The types a USING casts the bare column to, innermost first (`(c)::varchar::text`
    is (varchar, text)); None when it is not the column, cast or not."""
    casts: list[ops.DataType] = []
    node = using.unnest()
    while isinstance(node, exp.Cast) and isinstance(node.to, exp.DataType):
        casts.append(data_type(node.to, dialect))
        node = node.this.unnest()
    if isinstance(node, exp.Column) and not node.table and identifier(node.this, dialect) == column:
        return tuple(reversed(casts))
    return None


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


def alter_table_fallback(text: str, loc: ops.Location, dialect: str) -> list[ops.Op] | None:
    """Ops for an ALTER TABLE that sqlglot could not model; an unknown action makes the
    whole statement Unparsed, pointing at that action. None if the head is not ALTER TABLE."""
    head = HEAD.match(text)
    if not head:
        return None
    table = parse_name(head["name"], dialect)
    found: list[ops.Op] = []
    for offset, action in split_actions(head["actions"]):
        action_ops = _fallback_action(action, table, loc, dialect)
        if action_ops is None:
            return [
                ops.Unparsed.at(loc, "unknown ALTER TABLE action", head.start("actions") + offset)
            ]
        found.extend(action_ops)
    return found


def _fallback_action(
    action: str, table: ops.Name, loc: ops.Location, dialect: str
) -> list[ops.Op] | None:
    """The Ops of one action read by its keywords, or by sqlglot on its own; None if unknown."""
    m = _USING_INDEX.match(action)
    if m:
        kind = "primary_key" if m["kind"].upper().startswith("PRIMARY") else "unique"
        name = fold(m["name"], dialect) if m["name"] else None
        c = ops.Constraint(kind, name, using_index=fold(m["index"], dialect))
        return [ops.AddConstraint(loc=loc, table=table, constraint=c)]
    m = _VALIDATE.match(action)
    if m:
        return [ops.ValidateConstraint(loc=loc, table=table, name=fold(m["name"], dialect))]
    special = special_action(action, table, loc, dialect)
    if special is not None:
        return [special]
    m = _RENAME_TABLE.match(action)
    if m:
        return [ops.RenameTable(loc=loc, table=table, new_name=parse_name(m["new"], dialect).name)]
    m = _RENAME_INDEX.match(action)
    if m:
        old, new = fold(m["old"], dialect), fold(m["new"], dialect)
        return [ops.RenameObject(loc=loc, kind="INDEX", name=ops.Name(old), new_name=new)]
    m = _ADD_NOT_NULL.match(action)
    if m and dialect not in ("mysql", "sqlite"):
        return [_add_not_null(m, table, loc, dialect)]
    m = _ADD_COLUMNS.match(action)
    if m:  # MySQL: ADD COLUMN (a int, b int)
        found = [
            _fallback_action(f"ADD COLUMN {c}", table, loc, dialect)
            for _, c in split_actions(m["columns"])
        ]
        return None if None in found else [op for ops_ in found for op in ops_ or ()]
    m = _OPAQUE.match(action)
    if m:
        return [ops.Raw(loc=loc, kind="ALTER TABLE " + " ".join(m["kind"].upper().split()[:2]))]
    return _sqlglot_action(action, table, loc, dialect)


def _add_not_null(
    m: re.Match[str], table: ops.Name, loc: ops.Location, dialect: str
) -> ops.TableOp:
    """`ADD [CONSTRAINT n] NOT NULL col`: SET NOT NULL under a name, unless NOT VALID
    leaves the existing rows unchecked (a not-null constraint to validate later)."""
    column = fold(m["column"], dialect)
    if not m["not_valid"]:
        return ops.SetNotNull(loc=loc, table=table, column=column)
    name = fold(m["name"], dialect) if m["name"] else None
    c = ops.Constraint("not_null", name, (column,), not_valid=True)
    return ops.AddConstraint(loc=loc, table=table, constraint=c)


def _sqlglot_action(
    action: str, table: ops.Name, loc: ops.Location, dialect: str
) -> list[ops.Op] | None:
    """One action parsed by sqlglot on its own; None when it does not parse or is unknown."""
    import sqlglot

    read = "mysql" if dialect == "mysql" else "postgres"
    unnamed = _ADD_UNNAMED.match(action)
    if unnamed:
        action = f"ADD CONSTRAINT {_PLACEHOLDER} {action[unnamed.end() :]}"
    try:
        tree = sqlglot.parse_one(f"ALTER TABLE t {normalise(action, dialect)}", read=read)
    except Exception:
        return None
    actions = tree.args.get("actions") or [] if isinstance(tree, exp.Alter) else []
    if not actions or any(isinstance(a, exp.Command) for a in actions):
        return None
    for named in tree.find_all(exp.Constraint):
        if named.name == _PLACEHOLDER:
            named.set("this", None)
    not_valid = bool(tree.args.get("not_valid"))
    return [op for a in actions for op in _action_ops(a, table, loc, dialect, not_valid)]
