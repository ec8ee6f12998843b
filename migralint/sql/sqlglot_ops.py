"""sqlglot trees → Ops: CREATE TABLE / INDEX / VIEW, UPDATE, DELETE, and the shared
pieces (column definitions, data types, constraints) that ALTER TABLE reuses."""

from __future__ import annotations

import functools
from dataclasses import replace

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect

from migralint.postgres import is_volatile_expression
from migralint.sql import ops
from migralint.sql.assignments import assignments, where_columns
from migralint.sql.names import identifier, table_name

# sqlglot's type names → PostgreSQL's canonical spelling.
_TYPE_NAMES = {
    "INT": "integer",
    "BIGINT": "bigint",
    "SMALLINT": "smallint",
    "TINYINT": "tinyint",
    "DECIMAL": "numeric",
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "BOOLEAN": "boolean",
    "TIMESTAMPTZ": "timestamptz",
    "TIMESTAMP": "timestamp",
    "TIMESTAMPNTZ": "timestamp",
    "DATETIME": "datetime",
    "VARCHAR": "varchar",
    "NVARCHAR": "varchar",
    "CHAR": "char",
    "NCHAR": "char",
    "BPCHAR": "char",
    "TEXT": "text",
    "VARBINARY": "bytea",
    "TIMETZ": "timetz",
    "UTINYINT": "tinyint unsigned",
    "USMALLINT": "smallint unsigned",
    "UMEDIUMINT": "mediumint unsigned",
    "UINT": "integer unsigned",
    "UBIGINT": "bigint unsigned",
}
# PostgreSQL's aliases that sqlglot keeps as user-defined names.
_ALIASES = {
    "serial2": "smallserial",
    "serial4": "serial",
    "serial8": "bigserial",
    "varbit": "bit varying",
}


@functools.cache
def _writer(dialect: str) -> Dialect:
    """sqlglot's writer for our dialect (MySQL's, or PostgreSQL's for every other), made
    once: a dialect's name makes a new Dialect on every call."""
    return Dialect.get_or_raise("mysql" if dialect == "mysql" else "postgres")


def _sql(node: exp.Expression, dialect: str = "postgres") -> str:
    """`node` written as SQL, without the deep copy `.sql()` makes first: call it only on a
    subtree nothing reads afterwards, as sqlglot's generator may rewrite what it writes."""
    return _writer(dialect).generate(node, copy=False)


def data_type(node: exp.DataType, dialect: str) -> ops.DataType:
    """Canonical DataType of a sqlglot DataType node."""
    name, params = _type_name(node, dialect)
    array = node.this == exp.DataType.Type.ARRAY
    return ops.DataType(name, params, array=array, sql=_sql(node, dialect))


def _type_name(node: exp.DataType, dialect: str) -> tuple[str, tuple[int, ...]]:
    """A type's canonical name and numeric parameters (an array's are its element's)."""
    if node.this == exp.DataType.Type.ARRAY:
        inner = node.expressions[0] if node.expressions else None
        return _type_name(inner, dialect) if isinstance(inner, exp.DataType) else ("array", ())
    params = tuple(
        int(p.this)
        for p in (e.this if isinstance(e, exp.DataTypeParam) else e for e in node.expressions)
        if isinstance(p, exp.Literal) and not p.is_string and p.this.isdigit()
    )
    if node.this == exp.DataType.Type.USERDEFINED:
        return _user_type_name(node.args.get("kind"), dialect), params
    if not isinstance(node.this, exp.DataType.Type):  # `interval day to second`
        return type(node.this).__name__.lower(), params
    name = _TYPE_NAMES.get(node.this.name, node.this.name.lower())
    if name == "double precision" and params and dialect != "mysql":  # float(p)
        name, params = ("real" if params[0] <= 24 else "double precision"), ()
    return name, params


def _user_type_name(kind: exp.Expression | None, dialect: str) -> str:
    """A user-defined (or sqlglot-unknown) type's name: folded, without `public.`."""
    nodes = kind.flatten() if isinstance(kind, exp.Dot) else [kind]
    parts = [identifier(p, dialect) for p in nodes]
    if len(parts) > 1 and parts[-2] in ("public", "pg_catalog"):
        parts = parts[-1:]
    name = ".".join(parts)
    return _ALIASES.get(name, name)


def default(node: exp.Expression, dialect: str) -> ops.Default:
    sql = _sql(node, dialect)
    return ops.Default(sql, volatile=is_volatile_expression(sql))


def _columns(node: exp.Expression | None, dialect: str) -> tuple[str, ...]:
    if node is None:
        return ()
    items = node.expressions if not isinstance(node, exp.Identifier) else [node]
    return tuple(identifier(item, dialect) for item in items)


def _reference(ref: exp.Reference | None, dialect: str) -> ops.ForeignKeyRef | None:
    if ref is None:
        return None
    target = ref.this
    columns = _columns(target, dialect) if isinstance(target, exp.Schema) else ()
    return ops.ForeignKeyRef(table_name(target, dialect), columns)


def constraint(
    node: exp.Expression, dialect: str, not_valid: bool = False
) -> ops.Constraint | None:
    """A table-level constraint (`CONSTRAINT n CHECK …`, `FOREIGN KEY …`, `UNIQUE …`)."""
    name: str | None = None
    body = node
    if isinstance(node, exp.Constraint):
        name = identifier(node.this, dialect) or None
        if not node.expressions:
            return None
        body = node.expressions[0]
    if isinstance(body, exp.ColumnConstraint):
        body = body.kind
    if isinstance(body, exp.ForeignKey):
        return ops.Constraint(
            "foreign_key",
            name,
            _columns(body, dialect),
            _reference(body.args.get("reference"), dialect),
            not_valid=not_valid,
        )
    if isinstance(body, exp.CheckColumnConstraint):
        return ops.Constraint("check", name, expression=_sql(body.this), not_valid=not_valid)
    if isinstance(body, (exp.PrimaryKey, exp.PrimaryKeyColumnConstraint)):
        return ops.Constraint("primary_key", name, _columns(body, dialect))
    if isinstance(body, exp.UniqueColumnConstraint):  # MySQL names it `UNIQUE KEY name (...)`
        key = body.this.this if isinstance(body.this, exp.Schema) else None
        name = name or (identifier(key, dialect) if key is not None else None)
        return ops.Constraint("unique", name, _columns(body.this, dialect))
    if isinstance(body, exp.ExcludeColumnConstraint):
        return ops.Constraint("exclude", name, expression=_sql(body))
    if isinstance(body, exp.IndexColumnConstraint):  # MySQL: ADD INDEX / KEY
        return ops.Constraint(
            "index", name or identifier(body.this, dialect), _columns(body, dialect)
        )
    return None


def column(node: exp.ColumnDef, dialect: str) -> ops.Column:
    """A column definition with its inline constraints folded into flags.

    Identity and serial columns are NOT NULL without saying so, as PostgreSQL makes them.
    """
    name = identifier(node.this, dialect)
    kind = node.args.get("kind")
    dtype = data_type(kind, dialect) if isinstance(kind, exp.DataType) else None
    nullable, dflt, identity, stored = True, None, False, False
    inline: list[ops.Constraint] = []
    for c in node.args.get("constraints") or []:
        k = c.kind if isinstance(c, exp.ColumnConstraint) else c
        cname = identifier(c.this, dialect) or None if isinstance(c, exp.ColumnConstraint) else None
        if isinstance(k, exp.NotNullColumnConstraint):
            nullable = bool(k.args.get("allow_null"))
        elif isinstance(k, exp.DefaultColumnConstraint):
            dflt = default(k.this, dialect)
        elif isinstance(k, exp.GeneratedAsIdentityColumnConstraint):
            # With an expression it is PostgreSQL 18's virtual generated column.
            identity = k.args.get("expression") is None
            nullable = nullable and not identity
        elif isinstance(k, exp.ComputedColumnConstraint):  # PostgreSQL's are all STORED
            stored = dialect not in ("mysql", "sqlite") or bool(k.args.get("persisted"))
        elif isinstance(k, exp.PrimaryKeyColumnConstraint):
            nullable = False
            inline.append(ops.Constraint("primary_key", cname, (name,)))
        elif isinstance(k, exp.UniqueColumnConstraint):
            inline.append(ops.Constraint("unique", cname, (name,)))
        elif isinstance(k, exp.Reference):
            inline.append(ops.Constraint("foreign_key", cname, (name,), _reference(k, dialect)))
        elif isinstance(k, exp.CheckColumnConstraint):
            inline.append(ops.Constraint("check", cname, expression=_sql(k.this)))
        elif isinstance(k, exp.AutoIncrementColumnConstraint):
            identity = True
    if dtype is not None and dtype.name in ("serial", "bigserial", "smallserial"):
        nullable = False
    return ops.Column(name, dtype, nullable, dflt, identity, stored, tuple(inline))


def tree_ops(tree: exp.Expression, loc: ops.Location, dialect: str) -> list[ops.Op]:
    """Ops for a non-ALTER sqlglot tree; anything unmodelled becomes Raw."""
    if isinstance(tree, exp.Create):
        return _create(tree, loc, dialect)
    if isinstance(tree, (exp.Update, exp.Delete, exp.Insert)):
        return [_dml(tree, loc, dialect)]
    if isinstance(tree, exp.Select) and isinstance(tree.args.get("into"), exp.Into):
        return [_select_into(tree.args["into"], loc, dialect)]
    if isinstance(tree, exp.Transaction):
        return [ops.Begin(loc=loc)]
    if isinstance(tree, (exp.Commit, exp.Rollback)):
        return [ops.Commit(loc=loc, rollback=isinstance(tree, exp.Rollback))]
    return [ops.Raw(loc=loc, kind=type(tree).__name__.upper())]


def _select_into(into: exp.Into, loc: ops.Location, dialect: str) -> ops.CreateTable:
    """PostgreSQL's `SELECT … INTO [TEMP | UNLOGGED] [TABLE] t`: CREATE TABLE t AS SELECT …"""
    return ops.CreateTable(
        loc=loc,
        table=table_name(into.this, dialect),
        temporary=bool(into.args.get("temporary")),
        as_query=True,
    )


def _dml(tree: exp.Update | exp.Delete | exp.Insert, loc: ops.Location, dialect: str) -> ops.Op:
    """UPDATE, DELETE or INSERT (those that start with WITH, or that INSERT's reader missed)."""
    target = tree.this if isinstance(tree.this, exp.Expression) else None
    target = target or next(iter(tree.args.get("tables") or []), None)  # MySQL: DELETE t FROM
    if target is None:
        return ops.Unparsed.at(loc, f"no table in this {type(tree).__name__.upper()}")
    table = table_name(target, dialect)
    if isinstance(tree, exp.Insert):
        query = tree.args.get("expression")
        return ops.Insert(
            loc=loc,
            table=table,
            on_conflict=tree.args.get("conflict") is not None or bool(tree.args.get("ignore")),
            from_query=isinstance(query, exp.Query),
        )
    where = tree.args.get("where")
    if isinstance(tree, exp.Delete):
        return ops.Delete(loc=loc, table=table, where=_where_sql(where))
    targets = (e.this for e in tree.expressions if isinstance(e, exp.EQ))
    assigned = tuple(
        _set_target(column, dialect)
        for target in targets
        for column in (target.expressions if isinstance(target, exp.Tuple) else [target])
    )
    # Read before the WHERE is written: writing may rewrite the tree it writes.
    changes, read = assignments(tree, table), where_columns(where)
    return ops.Update(
        loc=loc,
        table=table,
        columns=tuple(column for column, _ in assigned),
        where=_where_sql(where),
        partial=tuple(part for _, part in assigned),
        assignments=changes,
        where_columns=read,
        limited_rows=_limited_rows(tree, where),
    )


def _limited_rows(tree: exp.Update, where: exp.Expression | None) -> bool:
    """Whether the WHERE picks the rows from a query with a LIMIT: `IN (SELECT … LIMIT
    n)`, or a CTE or FROM subquery with one that it names (`t.id = b.id`)."""
    if where is None:
        return False
    if any(_limited(i.args.get("query")) for i in where.find_all(exp.In)):
        return True
    ctes = tree.args.get("with_") or tree.args.get("with")
    joined = tree.args.get("from_") or tree.args.get("from")
    sources = [
        *(ctes.expressions if ctes else ()),
        *(joined.find_all(exp.Subquery) if joined else ()),
    ]
    limited = {s.alias for s in sources if _limited(s)}
    return any(column.table in limited for column in where.find_all(exp.Column))


def _limited(query: exp.Expression | None) -> bool:
    """Whether a subquery or CTE is a SELECT with a LIMIT."""
    select = query.this if isinstance(query, (exp.Subquery, exp.CTE)) else query
    return isinstance(select, exp.Select) and select.args.get("limit") is not None


def _set_target(target: exp.Expression, dialect: str) -> tuple[str, bool]:
    """The column a SET target assigns, and whether only part of it: an array element
    (`a[1]`) or, on PostgreSQL, a field of a composite column (`a.x`, whose first name
    is the column; MySQL's `t.a` names the table first)."""
    element = isinstance(target, exp.Bracket)
    while isinstance(target, exp.Bracket):
        target = target.this
    if isinstance(target, exp.Column) and target.table and dialect in ("postgres", "cockroach"):
        return identifier(target.parts[0], dialect), True
    return identifier(target, dialect), element


def _where_sql(where: exp.Expression | None) -> str | None:
    return _sql(where.this) if where is not None else None


def _create(tree: exp.Create, loc: ops.Location, dialect: str) -> list[ops.Op]:
    kind = (tree.args.get("kind") or "").upper()
    if_not_exists = bool(tree.args.get("exists"))
    if kind == "INDEX":
        return [_create_index(tree, loc, dialect, if_not_exists)]
    if kind == "TABLE":
        return [_create_table(tree, loc, dialect, if_not_exists)]
    target = tree.this
    name = table_name(target, dialect) if target is not None else ops.Name("")
    props = tree.args.get("properties")
    materialized = props is not None and any(
        isinstance(p, exp.MaterializedProperty) for p in props.expressions
    )
    return [
        ops.CreateObject(
            loc=loc,
            kind=f"MATERIALIZED {kind}" if materialized else kind,
            name=name,
            if_not_exists=if_not_exists,
            or_replace=bool(tree.args.get("replace")),
        )
    ]


def _create_index(
    tree: exp.Create, loc: ops.Location, dialect: str, if_not_exists: bool
) -> ops.CreateIndex:
    index = tree.this
    params = index.args.get("params")
    columns: tuple[str, ...] = ()
    where = None
    if params is not None:
        columns = tuple(_index_column(c, dialect) for c in params.args.get("columns") or [])
        where = _where_sql(params.args.get("where"))
    table = index.args.get("table")
    return ops.CreateIndex(
        loc=loc,
        table=table_name(table, dialect) if table is not None else ops.Name(""),
        name=identifier(index.this, dialect) or None,
        columns=columns,
        unique=bool(tree.args.get("unique")),
        concurrently=bool(tree.args.get("concurrently")),
        if_not_exists=if_not_exists,
        where=where,
    )


def _index_column(node: exp.Expression, dialect: str) -> str:
    """A column's name, without ordering, collation or operator class; else the expression."""
    while isinstance(node, (exp.Ordered, exp.Collate, exp.Opclass)):
        node = node.this
    if isinstance(node, exp.Column):
        return identifier(node, dialect)
    prefix = dialect == "mysql" and isinstance(node, exp.Anonymous)  # MySQL: name(10)
    if prefix and all(isinstance(a, exp.Literal) and not a.is_string for a in node.expressions):
        return node.name.lower()
    return _sql(node)


def _create_table(
    tree: exp.Create, loc: ops.Location, dialect: str, if_not_exists: bool
) -> ops.CreateTable:
    schema = tree.this
    columns: list[ops.Column] = []
    constraints: list[ops.Constraint] = []
    not_null: set[str] = set()
    if isinstance(schema, exp.Schema):
        typed = {identifier(i.this, dialect) for i in schema.expressions if _typed(i)}
        for item in schema.expressions:
            name = identifier(item.this, dialect) if isinstance(item, exp.ColumnDef) else ""
            if name in typed and not _typed(item):  # `CONSTRAINT n NOT NULL col`
                not_null.add(name)
            elif isinstance(item, exp.ColumnDef):
                columns.append(column(item, dialect))
            elif isinstance(item, (exp.Identifier, exp.Column)):  # a column without a type
                columns.append(ops.Column(identifier(item, dialect)))
            else:
                found = constraint(item, dialect)
                if found is not None:
                    constraints.append(found)
    props = tree.args.get("properties")
    temporary = props is not None and any(
        isinstance(p, exp.TemporaryProperty) for p in props.expressions
    )
    columns = [replace(c, nullable=False) if c.name in not_null else c for c in columns]
    return ops.CreateTable(
        loc=loc,
        table=table_name(schema, dialect),
        columns=tuple(columns),
        constraints=tuple(constraints),
        if_not_exists=if_not_exists,
        temporary=temporary,
        as_query=tree.args.get("expression") is not None,
    )


def _typed(item: exp.Expression) -> bool:
    """A column definition with its type (PostgreSQL's are all typed but for table-level
    not-null constraints, which `normalise` spells as a column definition without one)."""
    return isinstance(item, exp.ColumnDef) and item.args.get("kind") is not None
