"""SQLAlchemy schema expressions read statically: `sa.Column(…)`, types, server
defaults and table constraints, as the Op model's `Column`, `DataType`, `Default` and
`Constraint`. A type the reader does not know (an application's own TypeDecorator) is
None: rules then do not guess."""

from __future__ import annotations

import ast
import hashlib
from dataclasses import replace

from migralint.alembic.dialect_branch import SQLALCHEMY_NAMES
from migralint.alembic.values import UNRESOLVED, Scope
from migralint.pgfacts import NAMEDATALEN
from migralint.postgres import is_volatile_expression
from migralint.sql import ops

# SQLAlchemy type names (generic, upper-case SQL and dialect types) → canonical names.
_TYPES = {
    "integer": "integer",
    "int": "integer",
    "biginteger": "bigint",
    "bigint": "bigint",
    "smallinteger": "smallint",
    "smallint": "smallint",
    "string": "varchar",
    "varchar": "varchar",
    "unicode": "varchar",
    "nvarchar": "varchar",
    "text": "text",
    "unicodetext": "text",
    "char": "char",
    "nchar": "char",
    "boolean": "boolean",
    "date": "date",
    "time": "time",
    "float": "double precision",
    "double": "double precision",
    "double_precision": "double precision",
    "real": "real",
    "numeric": "numeric",
    "decimal": "numeric",
    "json": "json",
    "jsonb": "jsonb",
    "uuid": "uuid",
    "uuidtype": "uuid",
    "largebinary": "bytea",
    "binary": "bytea",
    "bytea": "bytea",
    "blob": "blob",
    "interval": "interval",
    "inet": "inet",
    "cidr": "cidr",
    "tsvector": "tsvector",
    "timestamp": "timestamp",
    "datetime": "timestamp",
    "longtext": "longtext",
    "mediumtext": "mediumtext",
    "tinyint": "tinyint",
    "mediumblob": "mediumblob",
    "longblob": "longblob",
}
_SIZED = ("length", "precision")
_MAX_TYPE_DEPTH = 16
_KNOWN_FUNCTIONS = {"now": "now()", "current_timestamp": "CURRENT_TIMESTAMP"}


def callee(node: ast.expr) -> str:
    """The last name of what is called or named: `sa.Column` → `Column`."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def data_type(
    node: ast.expr | None, scope: Scope, dialect: str = "postgres", depth: int = 0
) -> ops.DataType | None:
    """`sa.String(255)`, `db.Integer`, `postgresql.JSONB()`, a name bound to a type
    (`UniqueText = db.String(512)`, `class LongText(db.Text)`), `sa.Text().with_variant(
    LONGTEXT, "mysql")` (the variant on its dialect only); None when unknown."""
    if node is None or depth > _MAX_TYPE_DEPTH:
        return None
    deeper = depth + 1
    bound = _bound(node, scope)
    if bound is not None:
        return data_type(bound, scope, dialect, deeper)
    name = callee(node).lower()
    if name in ("array",) and isinstance(node, ast.Call) and node.args:
        inner = data_type(node.args[0], scope, dialect, deeper)
        return ops.DataType(inner.name if inner else "array", array=True, sql=f"{inner}[]")
    if (
        name == "with_variant"
        and isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
    ):
        variants = scope.value(node.args[1]) if len(node.args) == 2 else UNRESOLVED
        names = variants if isinstance(variants, tuple) else (variants,)
        if not all(isinstance(v, str) for v in names):
            return None
        ours = SQLALCHEMY_NAMES.get(dialect, dialect)
        chosen = node.args[0] if ours in names else node.func.value
        return data_type(chosen, scope, dialect, deeper)
    if name == "enum" or name == "variant":
        return _enum(node, scope) if name == "enum" else None
    canonical = _TYPES.get(name)
    if canonical is None:
        return None
    params = _params(node, scope) if isinstance(node, ast.Call) else ()
    if canonical in ("timestamp", "time") and _keyword(node, "timezone", scope) is True:
        canonical = "timestamptz" if canonical == "timestamp" else "timetz"
    sql = f"{canonical}({', '.join(map(str, params))})" if params else canonical
    return ops.DataType(canonical, params, sql=sql)


def _bound(node: ast.expr, scope: Scope) -> ast.expr | None:
    """What a name (`UniqueText`, `Types.UniqueText`) or a call of a function without
    parameters (`MediumText()`) is bound to, None for anything else (`sa.Text` names no
    binding: a module's attribute)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return None if node.args or node.keywords else scope.lookup(f"{node.func.id}()")
    if isinstance(node, ast.Name):
        return scope.lookup(node.id)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return scope.lookup(f"{node.value.id}.{node.attr}")
    return None


def _enum(node: ast.expr, scope: Scope) -> ops.DataType:
    enum_name = _keyword(node, "name", scope)
    label = enum_name if isinstance(enum_name, str) else "enum"
    return ops.DataType(label, sql=label)


def _params(node: ast.Call, scope: Scope) -> tuple[int, ...]:
    values = [scope.value(a) for a in node.args]
    values += [scope.value(k.value) for k in node.keywords if k.arg in (*_SIZED, "scale")]
    return tuple(v for v in values if isinstance(v, int) and not isinstance(v, bool))


def _keyword(node: ast.expr, name: str, scope: Scope) -> object:
    if not isinstance(node, ast.Call):
        return UNRESOLVED
    for keyword in node.keywords:
        if keyword.arg == name:
            return scope.value(keyword.value)
    return UNRESOLVED


def server_default(node: ast.expr | None, scope: Scope) -> ops.Default | None:
    """`sa.text("now()")`, `sa.func.now()`, `"0"` (rendered quoted), `sa.false()`."""
    if node is None or (isinstance(node, ast.Constant) and node.value is None):
        return None
    if isinstance(node, ast.Call):
        name = callee(node).lower()
        if name in ("text", "literal_column"):
            sql = scope.text(node.args[0]) if node.args else None
            return ops.Default(sql, is_volatile_expression(sql)) if sql else _unknown()
        if name in ("true", "false", "null"):
            return ops.Default(name)
        func = node.func
        if isinstance(func, ast.Attribute) and callee(func.value) == "func":
            sql = _KNOWN_FUNCTIONS.get(name, f"{name}()")
            return ops.Default(sql, is_volatile_expression(sql))
        if name == "defaultclause" and node.args:
            return server_default(node.args[0], scope)
    value = scope.value(node)
    if isinstance(value, bool):
        return ops.Default("true" if value else "false")
    if isinstance(value, (int, float)):
        return ops.Default(str(value))
    if isinstance(value, str):
        return ops.Default("'" + value.replace("'", "''") + "'")
    return _unknown()


def _unknown() -> ops.Default:
    """A default whose value is computed by Python (`json.dumps({})`) or whose SQL is
    not known statically: present; SQLAlchemy renders a Python value as a constant."""
    return ops.Default("<unknown>")


def column(node: ast.Call, scope: Scope, dialect: str = "postgres") -> ops.Column | None:
    """An `sa.Column(name, type, *constraints, nullable=…, server_default=…)`; its
    `default=` is SQLAlchemy's, applied on INSERT, and no DEFAULT (`client_default`)."""
    args = list(node.args)
    name = scope.text(args[0]) if args else None
    kw = {k.arg: k.value for k in node.keywords if k.arg}
    if name is None:
        name = scope.text(kw.get("name"))
    if name is None:
        return None
    rest = args[1:]
    type_node = kw.get("type_")
    if type_node is None and rest and callee(rest[0]) not in ("ForeignKey", "Sequence"):
        type_node = rest.pop(0)
    primary = scope.value(kw.get("primary_key")) is True
    nullable_value = scope.value(kw.get("nullable")) if "nullable" in kw else not primary
    constraints: list[ops.Constraint] = []
    if primary:
        constraints.append(ops.Constraint("primary_key", columns=(name,)))
    if scope.value(kw.get("unique")) is True and not _indexed(node, scope):
        constraints.append(ops.Constraint("unique", columns=(name,)))  # else a UNIQUE index
    for item in _foreign_keys(rest):
        target = scope.text(item.args[0])
        if target is not None:  # else left out: see unread_foreign_keys
            fk = ops.Constraint("foreign_key", columns=(name,), references=_reference(target))
            constraints.append(fk)
    return ops.Column(
        name=name,
        type=data_type(type_node, scope, dialect),
        nullable=nullable_value is not False,
        default=server_default(kw.get("server_default"), scope),
        identity=any(callee(item) == "Identity" for item in rest),
        constraints=tuple(constraints),
        client_default=_given(kw.get("default")),
    )


def _given(node: ast.expr | None) -> bool:
    """Whether a keyword argument is there and not a literal None."""
    return node is not None and not (isinstance(node, ast.Constant) and node.value is None)


def _foreign_keys(items: list[ast.expr]) -> list[ast.Call]:
    return [i for i in items if isinstance(i, ast.Call) and callee(i) == "ForeignKey" and i.args]


def unread_foreign_keys(node: ast.Call, scope: Scope) -> bool:
    """Whether an `sa.Column(…)` names a foreign key whose target is not known
    statically (`sa.ForeignKey(column.replace(…))` of a value not read): `column()`
    leaves that key out."""
    return any(scope.text(fk.args[0]) is None for fk in _foreign_keys(node.args[1:]))


def column_index(
    node: ast.Call, column: ops.Column, table: ops.Name, loc: ops.Location, scope: Scope
) -> list[ops.CreateIndex]:
    """The CREATE INDEX SQLAlchemy writes after the table or the column for
    `sa.Column(…, index=True)`: `ix_<table>_<column>` (its default naming convention,
    shortened as it does past 63 bytes), UNIQUE with `unique=True`."""
    if not _indexed(node, scope):
        return []
    unique = scope.value(next((k.value for k in node.keywords if k.arg == "unique"), None))
    name = f"ix_{table.name}_{column.name}"
    if len(name) > NAMEDATALEN:
        name = f"{name[: NAMEDATALEN - 8]}_{hashlib.md5(name.encode()).hexdigest()[-4:]}"
    return [
        ops.CreateIndex(
            loc=loc, table=table, name=name, columns=(column.name,), unique=unique is True
        )
    ]


def _indexed(node: ast.Call, scope: Scope) -> bool:
    return scope.value(next((k.value for k in node.keywords if k.arg == "index"), None)) is True


def _reference(target: str, columns: tuple[str, ...] = ()) -> ops.ForeignKeyRef:
    """`"users.id"` → table users, column id (a schema-qualified `s.t.c` keeps `s`)."""
    parts = target.split(".")
    if len(parts) >= 2:
        table = ops.Name(parts[-2], parts[-3] if len(parts) > 2 else None)
        return ops.ForeignKeyRef(table, columns or (parts[-1],))
    return ops.ForeignKeyRef(ops.Name(target), columns)


def table_constraint(node: ast.Call, scope: Scope) -> ops.Constraint | None:
    """`sa.PrimaryKeyConstraint`, `ForeignKeyConstraint`, `UniqueConstraint`,
    `CheckConstraint` inside `create_table`; None for anything else."""
    kind = callee(node)
    name = scope.text(next((k.value for k in node.keywords if k.arg == "name"), None))
    if kind == "PrimaryKeyConstraint":
        return ops.Constraint("primary_key", name, strings(node.args, scope))
    if kind == "UniqueConstraint":
        return ops.Constraint("unique", name, strings(node.args, scope))
    if kind == "CheckConstraint":
        text = scope.text(node.args[0]) if node.args else None
        return ops.Constraint("check", name, expression=text)
    if kind == "ForeignKeyConstraint" and len(node.args) >= 2:
        local = strings([node.args[0]], scope)
        remote = strings([node.args[1]], scope)
        table = remote[0].rsplit(".", 1)[0] if remote else ""
        ref = _reference(f"{table}.x", tuple(r.rsplit(".", 1)[-1] for r in remote))
        return ops.Constraint("foreign_key", name, local, references=ref)
    return None


def strings(nodes: list[ast.expr], scope: Scope) -> tuple[str, ...]:
    """Column names from positional strings or one list/tuple of them (text() kept)."""
    found: list[str] = []
    for node in nodes:
        value = scope.value(node)
        items = value if isinstance(value, tuple) else (value,)
        found += [str(v) for v in items if isinstance(v, str)]
        if value is UNRESOLVED and isinstance(node, (ast.List, ast.Tuple)):
            found += [s for e in node.elts if (s := scope.text(e))]
    return tuple(found)


_SERIALS = {"integer": "serial", "bigint": "bigserial", "smallint": "smallserial"}


def as_added(column: ops.Column, node: ast.Call, scope: Scope) -> ops.Column:
    """The column as `op.add_column` renders it: `primary_key=True` gives NOT NULL (and,
    for an integer column SQLAlchemy autoincrements, SERIAL / BIGSERIAL: a sequence
    default that fills every row) but no PRIMARY KEY constraint."""
    (serial,) = with_serial_key([column], [], [node], scope)
    kept = tuple(k for k in serial.constraints if k.kind != "primary_key")
    return replace(serial, constraints=kept)


def with_serial_key(
    columns: list[ops.Column],
    constraints: list[ops.Constraint],
    items: list[ast.expr],
    scope: Scope,
) -> tuple[ops.Column, ...]:
    """The columns, the sole integer primary key column made serial as SQLAlchemy
    renders it (`autoincrement="auto"`): unless it sets autoincrement=False, a server
    default, or a foreign key."""
    keys = [c.name for c in columns if any(k.kind == "primary_key" for k in c.constraints)]
    keys += [n for k in constraints if k.kind == "primary_key" for n in k.columns]
    if len(set(keys)) != 1:
        return tuple(columns)
    calls = {
        scope.text(item.args[0]): item
        for item in items
        if isinstance(item, ast.Call) and callee(item) == "Column" and item.args
    }
    found = []
    for col in columns:
        call = calls.get(col.name)
        serial = _SERIALS.get(col.type.name) if col.type else None
        if (
            col.name == keys[0]
            and serial
            and call is not None
            and _keyword(call, "autoincrement", scope) is not False
            and col.default is None
            and not any(k.kind == "foreign_key" for k in col.constraints)
        ):
            col = replace(col, type=ops.DataType(serial, sql=serial), nullable=False)
        found.append(col)
    return tuple(found)
