"""Alembic operations (`op.add_column(…)`, `batch_op.alter_column(…)`) as Ops.

Arguments are bound to Alembic's own signatures (positional or keyword); inside a
`batch_alter_table` block the table comes from the block. An argument the reader needs
but cannot resolve statically, or an operation it does not know, becomes an
`UnresolvedCall` at the call: never a crash, never a silent stop.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

from migralint.alembic import schema_items
from migralint.alembic.dialect_branch import DialectTest
from migralint.alembic.execute_sql import sql_ops
from migralint.alembic.ops import FailingCall, UnjudgedTypeChange, UnreadWrite, UnresolvedCall
from migralint.alembic.table_expressions import statement_op, table_of
from migralint.alembic.values import UNRESOLVED, Scope, name_pattern
from migralint.sql import ops

# Alembic's positional parameters per operation: (on `op`, on a batch `batch_op`).
_SIGNATURES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "add_column": (("table_name", "column"), ("column",)),
    "drop_column": (("table_name", "column_name"), ("column_name",)),
    "alter_column": (("table_name", "column_name"), ("column_name",)),
    "create_table": (("table_name",), ()),
    "drop_table": (("table_name",), ()),
    "rename_table": (("old_table_name", "new_table_name"), ()),
    "create_index": (("index_name", "table_name", "columns"), ("index_name", "columns")),
    "drop_index": (("index_name", "table_name"), ("index_name",)),
    "create_foreign_key": (
        ("constraint_name", "source_table", "referent_table", "local_cols", "remote_cols"),
        ("constraint_name", "referent_table", "local_cols", "remote_cols"),
    ),
    "create_unique_constraint": (
        ("constraint_name", "table_name", "columns"),
        ("constraint_name", "columns"),
    ),
    "create_primary_key": (
        ("constraint_name", "table_name", "columns"),
        ("constraint_name", "columns"),
    ),
    "create_check_constraint": (
        ("constraint_name", "table_name", "condition"),
        ("constraint_name", "condition"),
    ),
    "create_exclude_constraint": (("constraint_name", "table_name"), ("constraint_name",)),
    "drop_constraint": (("constraint_name", "table_name", "type_"), ("constraint_name", "type_")),
    "execute": (("sqltext",), ("sqltext",)),
    "bulk_insert": (("table", "rows"), ()),
    "create_table_comment": (("table_name", "comment"), ("comment",)),
    "drop_table_comment": (("table_name",), ()),
}
# The parameter naming the existing table an operation changes (create_table makes one;
# execute, bulk_insert and comments change no table's shape).
_CHANGED_TABLE = frozenset({"table_name", "old_table_name", "source_table"})
_NEW_OR_DATA = frozenset(
    {"create_table", "bulk_insert", "create_table_comment", "drop_table_comment"}
)
# The dialects SQLAlchemy compiles with PostgreSQL's DDL compiler (`postgresql_*` options).
_POSTGRESQL_COMPILED = ("postgres", "cockroach")
# Operations that change nothing in the database by themselves.
NO_OP_METHODS = frozenset(
    {
        "get_bind",
        "get_context",
        "f",
        "inline_literal",
        "batch_alter_table",
        "implementation_for",
        "register_operation",
        "invoke",
        "run_async",
        "migration_context",
    }
)


@dataclass(frozen=True)
class Site:
    """One operation call: where it is, the names it sees, the batch table if any."""

    call: ast.Call
    method: str
    loc: ops.Location
    scope: Scope
    dialect: str
    pg_version: int
    batch: ops.Name | None = None

    @property
    def label(self) -> str:
        return f"{'batch_op' if self.batch else 'op'}.{self.method}"


class _Missing(Exception):
    """A needed argument is absent or not static: the call becomes an UnresolvedCall."""


class _Fails(Exception):
    """A needed argument is statically wrong (a None name): the call fails when it runs."""


_MAX_SPREAD = 8  # names followed to the dict a `**kwargs` passes


def _spread(node: ast.expr, site: Site, depth: int = 0) -> dict[str, ast.expr]:
    """The keyword arguments `**node` passes: a literal dict with string keys, found
    through names (as the statements before the call bound them: `opts = {…}` under `if
    dialect.name == "postgresql":`) and conditionals on the dialect (`{} if dialect_name
    == "mysql" else {"if_exists": True}`)."""
    if depth < _MAX_SPREAD:
        if isinstance(node, ast.Name) and (bound := site.scope.lookup(node.id)) is not None:
            return _spread(bound, site, depth + 1)
        if isinstance(node, ast.IfExp):
            truth = DialectTest(site.dialect, site.scope).truth(node.test)
            if truth is not None:
                return _spread(node.body if truth else node.orelse, site, depth + 1)
        if isinstance(node, ast.Dict):
            keys = [site.scope.value(k) if k is not None else UNRESOLVED for k in node.keys]
            if all(isinstance(k, str) for k in keys):
                return {str(k): v for k, v in zip(keys, node.values, strict=True)}
    raise _Missing("`**kwargs` cannot be read statically")


class _Args:
    """A call's arguments bound to the operation's parameter names."""

    def __init__(self, site: Site, params: tuple[str, ...]) -> None:
        self.site = site
        self.extra: list[ast.expr] = []
        self.named: dict[str, ast.expr] = {}
        for i, arg in enumerate(site.call.args):
            if isinstance(arg, ast.Starred):
                raise _Missing("`*args` cannot be read statically")
            if i < len(params):
                self.named[params[i]] = arg
            else:
                self.extra.append(arg)
        for keyword in site.call.keywords:
            if keyword.arg is None:
                self.named |= _spread(keyword.value, site)
            else:
                self.named[keyword.arg] = keyword.value

    def has(self, name: str) -> bool:
        return name in self.named

    def node(self, name: str) -> ast.expr | None:
        return self.named.get(name)

    def value(self, name: str) -> object:
        return self.site.scope.value(self.named.get(name))

    def flag(self, name: str) -> bool:
        return self.value(name) is True

    def not_valid(self) -> bool:
        """`postgresql_not_valid=True`: SQLAlchemy adds the constraint NOT VALID with
        PostgreSQL's compiler (CockroachDB's dialect is one); other dialects ignore it."""
        return self.site.dialect in _POSTGRESQL_COMPILED and self.flag("postgresql_not_valid")

    def text(self, name: str, *, required: bool = True) -> str | None:
        node = self.named.get(name)
        found = self.site.scope.text(node)
        if found is None and required:
            if node is None:
                raise _Missing(f"argument `{name}` is missing")
            if self.site.scope.value(node) is None:
                raise _Fails(f"`{name}` is None: Alembic needs the name to emit it")
            raise _Missing(f"argument `{name}` is not a literal string")
        return found

    def table(self, name: str = "table_name", schema: str = "schema") -> ops.Name:
        if self.site.batch is not None:
            return self.site.batch
        return ops.Name(self.text(name) or "", self.text(schema, required=False))

    def columns(self, name: str) -> tuple[str, ...]:
        node = self.named.get(name)
        if node is None:
            raise _Missing(f"argument `{name}` is missing")
        found = schema_items.strings([node], self.site.scope)
        if not found:
            raise _Missing(f"argument `{name}` is not a literal list of names")
        return found


def operation_ops(site: Site) -> list[ops.Op]:
    """The Ops one operation call performs."""
    handler = _HANDLERS.get(site.method)
    if handler is None:
        return [_unresolved(site, "not an Alembic operation migralint knows: not checked")]
    params = _SIGNATURES[site.method][1 if site.batch is not None else 0]
    try:
        return handler(_Args(site, params))
    except _Missing as missing:
        return [_unresolved(site, f"{missing}: not checked"), *_unknown_change(site)]
    except _Fails as fails:
        return [FailingCall(loc=site.loc, call=site.label, reason=str(fails))]


def _unknown_change(site: Site) -> list[ops.Op]:
    """For an unread call that changes an existing table: which tables it may have
    changed (the batch's, the table argument's name or a glob of it)."""
    param = next((p for p in _SIGNATURES[site.method][0] if p in _CHANGED_TABLE), None)
    if param is None or site.method in _NEW_OR_DATA:
        return []
    if site.batch is not None:
        tables = site.batch.name
    else:
        position = _SIGNATURES[site.method][0].index(param)
        named = {k.arg: k.value for k in site.call.keywords if k.arg}
        given = site.call.args[position] if position < len(site.call.args) else None
        node = named.get(param, given)
        starred = any(isinstance(a, ast.Starred) for a in site.call.args[: position + 1])
        tables = "*" if node is None or starred else name_pattern(node, site.scope)
    return [ops.UnknownChange(loc=site.loc, tables=tables)]


def _unresolved(site: Site, reason: str) -> UnresolvedCall:
    return UnresolvedCall(loc=site.loc, call=site.label, reason=reason)


def _add_column(a: _Args) -> list[ops.Op]:
    node = a.node("column")
    if isinstance(node, ast.Name):  # `column = sa.Column(…)` above
        node = a.site.scope.lookup(node.id)
    column = None
    if isinstance(node, ast.Call) and schema_items.callee(node) == "Column":
        column = schema_items.column(node, a.site.scope, a.site.dialect)
    if not isinstance(node, ast.Call) or column is None:
        raise _Missing("the column is not a literal `sa.Column(…)`")
    loc, table = a.site.loc, a.table()
    column = schema_items.as_added(column, node, a.site.scope)
    add = ops.AddColumn(loc=loc, table=table, column=column, if_not_exists=a.flag("if_not_exists"))
    return [
        add,
        *schema_items.column_index(node, column, table, loc, a.site.scope),
        *_unread_keys(a.site, [node]),
    ]


def _unread_keys(site: Site, columns: list[ast.expr]) -> list[ops.Op]:
    """An UnresolvedCall when one of the `sa.Column(…)`s adds a foreign key whose target
    is not known statically: the rest of the call is read, the key is not."""
    unread = any(
        isinstance(c, ast.Call)
        and schema_items.callee(c) == "Column"
        and schema_items.unread_foreign_keys(c, site.scope)
        for c in columns
    )
    reason = "a foreign key's target is not a literal string: that key was not checked"
    return [_unresolved(site, reason)] if unread else []


def _drop_column(a: _Args) -> list[ops.Op]:
    return [
        ops.DropColumn(
            loc=a.site.loc,
            table=a.table(),
            column=a.text("column_name") or "",
            if_exists=a.flag("if_exists"),
        )
    ]


def _alter_column(a: _Args) -> list[ops.Op]:
    loc, table, column = a.site.loc, a.table(), a.text("column_name") or ""
    scope = a.site.scope
    found: list[ops.Op] = []
    if a.has("type_"):
        found += _type_change(a, loc, table, column)
    nullable = a.value("nullable")
    if isinstance(nullable, bool) and a.value("existing_nullable") is not nullable:
        kind = ops.DropNotNull if nullable else ops.SetNotNull
        found.append(kind(loc=loc, table=table, column=column))
    if a.has("server_default") and a.value("server_default") is not False:
        default = schema_items.server_default(a.node("server_default"), scope)
        if default is None:
            found.append(ops.DropDefault(loc=loc, table=table, column=column))
        else:
            found.append(ops.SetDefault(loc=loc, table=table, column=column, default=default))
    new_name = a.text("new_column_name", required=False)
    if new_name:
        found.append(ops.RenameColumn(loc=loc, table=table, column=column, new_name=new_name))
    return found


def _type_change(a: _Args, loc: ops.Location, table: ops.Name, column: str) -> list[ops.Op]:
    """The AlterColumnType SQL's ALTER COLUMN TYPE reads, with the old type it states
    (`existing_type`; else the catalog's, from the revision that created the column);
    an UnjudgedTypeChange when the new type is not one migralint can read."""
    scope = a.site.scope
    new = schema_items.data_type(a.node("type_"), scope, a.site.dialect)
    if new is None:
        written = ast.unparse(a.node("type_"))  # type: ignore[arg-type]
        return [UnjudgedTypeChange(loc=loc, table=table, column=column, written=written)]
    existing = schema_items.data_type(a.node("existing_type"), scope, a.site.dialect)
    using = a.text("postgresql_using", required=False)
    return [
        ops.AlterColumnType(
            loc=loc, table=table, column=column, type=new, using=using, old_type=existing
        )
    ]


def _create_table(a: _Args) -> list[ops.Op]:
    scope = a.site.scope
    loc, table = a.site.loc, a.table()
    columns: list[ops.Column] = []
    constraints: list[ops.Constraint] = []
    indexes: list[ops.Op] = []
    for item in a.extra:
        if not isinstance(item, ast.Call):
            continue
        if schema_items.callee(item) == "Column":
            if (column := schema_items.column(item, scope, a.site.dialect)) is None:
                raise _Missing("a column's name is not a literal string")
            columns.append(column)
            indexes += schema_items.column_index(item, column, table, loc, scope)
        elif (constraint := schema_items.table_constraint(item, scope)) is not None:
            constraints.append(constraint)
    create = ops.CreateTable(
        loc=loc,
        table=table,
        columns=schema_items.with_serial_key(columns, constraints, a.extra, scope),
        constraints=tuple(constraints),
        if_not_exists=a.flag("if_not_exists"),
    )
    return [create, *indexes, *_unread_keys(a.site, a.extra)]


def _drop_table(a: _Args) -> list[ops.Op]:
    return [ops.DropTable(loc=a.site.loc, table=a.table(), if_exists=a.flag("if_exists"))]


def _rename_table(a: _Args) -> list[ops.Op]:
    old = ops.Name(a.text("old_table_name") or "", a.text("schema", required=False))
    return [ops.RenameTable(loc=a.site.loc, table=old, new_name=a.text("new_table_name") or "")]


def _create_index(a: _Args) -> list[ops.Op]:
    return [
        ops.CreateIndex(
            loc=a.site.loc,
            table=a.table(),
            name=a.text("index_name", required=False),
            columns=a.columns("columns"),
            unique=a.flag("unique"),
            concurrently=a.flag("postgresql_concurrently"),
            if_not_exists=a.flag("if_not_exists"),
            where=a.text("postgresql_where", required=False)
            or ("<expression>" if a.has("postgresql_where") else None),
        )
    ]


def _drop_index(a: _Args) -> list[ops.Op]:
    schema = a.text("schema", required=False)
    return [
        ops.DropIndex(
            loc=a.site.loc,
            name=ops.Name(a.text("index_name") or "", schema),
            concurrently=a.flag("postgresql_concurrently"),
            if_exists=a.flag("if_exists"),
            table=a.table() if a.site.batch is not None or a.has("table_name") else None,
        )
    ]


def _constraint(
    a: _Args, constraint: ops.Constraint, table: ops.Name | None = None
) -> list[ops.Op]:
    table = table or a.table()
    return [ops.AddConstraint(loc=a.site.loc, table=table, constraint=constraint)]


def _create_foreign_key(a: _Args) -> list[ops.Op]:
    referent = ops.Name(a.text("referent_table") or "", a.text("referent_schema", required=False))
    ref = ops.ForeignKeyRef(referent, a.columns("remote_cols"))
    constraint = ops.Constraint(
        "foreign_key",
        a.text("constraint_name", required=False),
        a.columns("local_cols"),
        references=ref,
        not_valid=a.not_valid(),
    )
    return _constraint(a, constraint, a.table("source_table", "source_schema"))


def _create_unique(a: _Args) -> list[ops.Op]:
    name = a.text("constraint_name", required=False)
    return _constraint(a, ops.Constraint("unique", name, a.columns("columns")))


def _create_primary_key(a: _Args) -> list[ops.Op]:
    name = a.text("constraint_name", required=False)
    return _constraint(a, ops.Constraint("primary_key", name, a.columns("columns")))


def _create_check(a: _Args) -> list[ops.Op]:
    name = a.text("constraint_name", required=False)
    expression = a.text("condition", required=False) or "<expression>"
    return _constraint(
        a, ops.Constraint("check", name, expression=expression, not_valid=a.not_valid())
    )


def _create_exclude(a: _Args) -> list[ops.Op]:
    name = a.text("constraint_name", required=False)
    return _constraint(a, ops.Constraint("exclude", name))


def _drop_constraint(a: _Args) -> list[ops.Op]:
    """A drop; with a literal `type_`, also one whose name is computed at run time (found
    by introspection): its lock and what it gives up do not depend on the name."""
    kind = _CONSTRAINT_KINDS.get(a.text("type_", required=False) or "", "")
    try:
        name = a.text("constraint_name") or ""
    except _Missing:
        node = a.node("constraint_name")
        if not kind or node is None:
            raise
        name = f"<{_shortened(ast.unparse(node))}>"
    table = a.table()
    return [
        ops.DropConstraint(
            loc=a.site.loc, table=table, name=name, if_exists=a.flag("if_exists"), kind=kind
        )
    ]


# Alembic's drop_constraint type_ → the Op model's constraint kinds
_CONSTRAINT_KINDS = {
    "foreignkey": "foreign_key",
    "unique": "unique",
    "check": "check",
    "primary": "primary_key",
}
_NAMED_EXPRESSION = 60  # characters of a computed name's expression a message quotes


def _shortened(text: str) -> str:
    return text if len(text) <= _NAMED_EXPRESSION else text[: _NAMED_EXPRESSION - 1] + "…"


def _execute(a: _Args) -> list[ops.Op]:
    node = a.node("sqltext")
    if node is None:
        raise _Missing("argument `sqltext` is missing")
    found = executed(node, a.site.scope, a.site.loc, a.site.dialect)
    if found is None:
        unread = UnreadWrite(loc=a.site.loc, call=a.site.label)  # it may write rows
        return [_unresolved(a.site, "the SQL is not known statically: not checked"), unread]
    return found


def executed(node: ast.expr, scope: Scope, loc: ops.Location, dialect: str) -> list[ops.Op] | None:
    """The Ops of SQL text or a Core statement passed to `execute`; None if unknown."""
    sql = scope.value(node)
    if isinstance(sql, str):
        return sql_ops(sql, loc, dialect)
    found = statement_op(node, scope, loc) if sql is UNRESOLVED else None
    return [found] if found is not None else None


def _bulk_insert(a: _Args) -> list[ops.Op]:
    node = a.node("table")
    table = table_of(node, a.site.scope) if node is not None else None
    if table is None:
        raise _Missing("the table is not a literal `sa.table(…)`")
    return [ops.Insert(loc=a.site.loc, table=table)]


def _comment(a: _Args) -> list[ops.Op]:
    return [ops.Raw(loc=a.site.loc, kind="COMMENT")]


_HANDLERS: dict[str, Callable[[_Args], list[ops.Op]]] = {
    "add_column": _add_column,
    "drop_column": _drop_column,
    "alter_column": _alter_column,
    "create_table": _create_table,
    "drop_table": _drop_table,
    "rename_table": _rename_table,
    "create_index": _create_index,
    "drop_index": _drop_index,
    "create_foreign_key": _create_foreign_key,
    "create_unique_constraint": _create_unique,
    "create_primary_key": _create_primary_key,
    "create_check_constraint": _create_check,
    "create_exclude_constraint": _create_exclude,
    "drop_constraint": _drop_constraint,
    "execute": _execute,
    "bulk_insert": _bulk_insert,
    "create_table_comment": _comment,
    "drop_table_comment": _comment,
}
