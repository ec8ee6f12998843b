"""`plan --from`: which findings call for a plan, and the operation that plans each Op.

Each planner reads the Op and the catalog of the migrations before it and returns the
operation's Plan; it raises `Keep` when the plan would lose something the statement says
(the statement is then kept as written) and `PlanError` when it cannot be made at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from migralint.checks.idempotency import index_already_exists
from migralint.plan.from_file_clauses import uncarried
from migralint.plan.model import Plan, PlanError
from migralint.schema import Catalog
from migralint.sql import ops


class Keep(Exception):
    """The statement is flagged, but its plan would lose something it says: keep it."""


class Unchanged(Exception):
    """The statement changes nothing on the schema the migrations before it build (an
    IF NOT EXISTS on what exists): kept as written, with nothing to plan."""


# The rules whose finding on a statement calls for that statement's plan.
PLANNED_FINDINGS: dict[type[ops.Op], frozenset[str]] = {
    ops.RenameColumn: frozenset({"rename-column"}),
    ops.RenameTable: frozenset({"rename-table"}),
    ops.SetNotNull: frozenset({"setting-not-null"}),
    ops.AlterColumnType: frozenset({"changing-column-type", "narrowing-column-type"}),
    ops.AddColumn: frozenset({"adding-required-field", "adding-field-with-default"}),
    ops.AddConstraint: frozenset(
        {
            "adding-foreign-key-constraint",
            "constraint-missing-not-valid",
            "adding-unique-constraint",
            "adding-primary-key",
        }
    ),
    ops.CreateIndex: frozenset({"require-concurrent-index-creation"}),
    ops.DropIndex: frozenset({"require-concurrent-index-deletion"}),
    ops.DropColumn: frozenset({"drop-column"}),
    ops.DropTable: frozenset({"drop-table"}),
}


def _rename_column(op: ops.RenameColumn, catalog: Catalog) -> Plan:
    from migralint.plan import rename_column

    if op.relation != "table":
        raise PlanError(f"{op.table} is a {op.relation}: rename-column plans a table's column")
    _refuse_copy(op, catalog)
    indexes = catalog.index_statements(op.table)
    return rename_column.plan(
        rename_column.Change(
            op.table, op.column, op.new_name, indexes=indexes, key=backfill_key(catalog, op.table)
        )
    )


def backfill_key(catalog: Catalog, table: ops.Name) -> str:
    """The one-column primary key the migrations give the table, which its backfill
    batches by; PlanError when they give it none (or one of several columns)."""
    state = catalog.table(table)
    keys = (
        [c.columns for c in state.constraints.values() if c.kind == "primary_key"] if state else []
    )
    if state is not None and len(keys) == 1 and len(keys[0]) == 1 and keys[0][0] in state.columns:
        return keys[0][0]
    why = (
        "'s primary key has several columns"
        if keys and len(keys[0]) > 1
        else " has no primary key in the migrations before the file"
    )
    raise PlanError(
        f"{table}{why}, and its backfill batches by one key column: plan it with "
        "`migralint plan … --key COLUMN` naming a unique NOT NULL column"
    )


def _refuse_copy(op: ops.RenameColumn | ops.AlterColumnType, catalog: Catalog) -> None:
    """Keep a rename or type change whose column the plan cannot copy onto a new one."""
    why = catalog.copy_refusal(op.table, op.column)
    if why is not None:
        raise Keep(f"{why}: its plan would copy it onto a new column")


def _rename_table(op: ops.RenameTable, catalog: Catalog) -> Plan:
    from migralint.plan import rename_table

    return rename_table.plan(rename_table.Change(op.table, op.new_name))


def _set_not_null(op: ops.SetNotNull, catalog: Catalog) -> Plan:
    from migralint.plan import set_not_null

    known = catalog.column(op.table, op.column)
    if known is not None and not known.nullable:
        raise Unchanged(f"{op.table}.{op.column} is NOT NULL already")
    return set_not_null.plan(set_not_null.Change(op.table, op.column))


def _change_type(op: ops.AlterColumnType, catalog: Catalog) -> Plan:
    from migralint.plan import change_column_type

    known = catalog.column(op.table, op.column)
    if known is None or known.type is None:
        raise PlanError(
            f"the type of {op.table}.{op.column} is not known from the migrations before the "
            "file; plan it with `migralint plan change-column-type … --from-type TYPE`"
        )
    _refuse_copy(op, catalog)
    return change_column_type.plan(
        change_column_type.Change(
            op.table,
            op.column,
            str(op.type),
            using=op.using,
            from_type=str(known.type),
            from_collation=known.collation,
            indexes=catalog.index_statements(op.table),
            key=backfill_key(catalog, op.table),
        )
    )


def _add_column(op: ops.AddColumn, catalog: Catalog) -> Plan:
    from migralint.plan import add_column

    column = op.column
    if column.type is None:
        raise Keep("the column has no type to plan with")
    if column.identity or column.generated_stored or column.constraints:
        raise Keep("identity, generated and constrained columns are not planned by add-column")
    if not column.nullable and column.default is None:
        raise PlanError(
            f"existing rows of {op.table} need a value for NOT NULL {column.name}: give it a "
            "DEFAULT in the migration, or plan it with `migralint plan add-column … --not-null "
            "--backfill SQL`"
        )
    default = default_source(op.loc.statement, column.default.sql) if column.default else None
    volatile = default is not None and not add_column.constant_default(default)
    batched = {"key": backfill_key(catalog, op.table)} if volatile else {}  # filled in batches
    return add_column.plan(
        add_column.Change(
            op.table,
            column.name,
            str(column.type),
            default=default,
            not_null=not column.nullable,
            **batched,
        )
    )


_ON_DELETE = re.compile(
    r"\bON\s+DELETE\s+(CASCADE|RESTRICT|NO\s+ACTION|SET\s+NULL|SET\s+DEFAULT)\b", re.I
)


def _add_constraint(op: ops.AddConstraint, catalog: Catalog) -> Plan:
    from migralint.plan import add_check, add_foreign_key, add_primary_key, add_unique

    c = op.constraint
    columns = ",".join(c.columns)
    clause = uncarried(op.loc.statement, catalog.table(op.table) is not None)
    if clause is not None and c.kind in ("check", "unique", "primary_key", "foreign_key"):
        raise Keep(f"add-{c.kind.replace('_', '-')}'s plan does not carry {clause}")
    if c.kind == "check" and c.expression:
        check = check_source(op.loc.statement) or c.expression
        return add_check.plan(add_check.Change(op.table, check, name=c.name))
    if c.kind == "unique" and c.columns:
        return add_unique.plan(add_unique.Change(op.table, columns, name=c.name))
    if c.kind == "primary_key" and c.columns:
        _refuse_nullable_key(op, catalog)
        return add_primary_key.plan(add_primary_key.Change(op.table, columns, name=c.name))
    if c.kind == "foreign_key" and c.references and c.references.columns:
        on_delete = _ON_DELETE.search(op.loc.statement)
        ref = c.references
        return add_foreign_key.plan(
            add_foreign_key.Change(
                op.table,
                columns,
                ref_table=ref.table.name,
                ref_column=",".join(ref.columns),
                ref_schema=ref.table.schema,
                name=c.name,
                on_delete=" ".join(on_delete[1].split()).lower() if on_delete else None,
                no_index=True,  # the migration builds no index for it: neither does its plan
            )
        )
    raise Keep(f"no plan for this {c.kind.replace('_', ' ')} constraint")


def _refuse_nullable_key(op: ops.AddConstraint, catalog: Catalog) -> None:
    """Keep a primary key on a column the migrations before it leave nullable (or do not
    show): its plan's migrate phase refuses such a column, after its expand shipped."""
    for column in op.constraint.columns:
        known = catalog.column(op.table, column)
        if known is None or known.nullable:
            state = "leave it nullable" if known else "do not create it"
            raise Keep(
                f"add-primary-key's plan needs {op.table}.{column} NOT NULL already, and the "
                f"migrations before it {state}: make it NOT NULL in a migration of its own "
                "first (migralint plan set-not-null)"
            )


def check_source(statement: str) -> str | None:
    """The condition of the statement's one `CHECK (…)` as written (the parse re-renders
    it: `x NOT IN (1, 2)` would be stored as `NOT x = ANY (…)`), or None."""
    import sqlglot
    from sqlglot.tokens import TokenType

    try:
        tokens = sqlglot.tokenize(statement, read="postgres")
    except sqlglot.errors.SqlglotError:
        return None
    found, depth, start = [], 0, 0
    for i, token in enumerate(tokens):
        if token.token_type == TokenType.L_PAREN:
            depth += 1
            if depth == 1 and i and tokens[i - 1].text.upper() == "CHECK":
                start = token.end + 1
        elif token.token_type == TokenType.R_PAREN:
            depth -= 1
            if depth == 0 and start:
                found.append(statement[start : token.start].strip())
                start = 0
    return found[0] if len(found) == 1 else None


# What ends a column's DEFAULT expression at the statement's top level.
_AFTER_DEFAULT = frozenset(
    {"NOT", "NULL", "CONSTRAINT", "CHECK", "REFERENCES", "PRIMARY", "UNIQUE", "COLLATE"}
)


def default_source(statement: str, rendered: str) -> str:
    """The statement's `DEFAULT …` expression as written, where it is the one the parse
    rendered as `rendered` (which writes `now()` as CURRENT_TIMESTAMP, so PostgreSQL would
    store another definition); else `rendered`."""
    import sqlglot
    from sqlglot.tokens import TokenType

    try:
        tokens = sqlglot.tokenize(statement, read="postgres")
    except sqlglot.errors.SqlglotError:
        return rendered
    depth, start, found = 0, -1, []
    for i, token in enumerate([*tokens, None]):
        kind = token.token_type if token else TokenType.SEMICOLON
        ends = depth == 0 and (
            kind in (TokenType.COMMA, TokenType.SEMICOLON)
            or (token is not None and token.text.upper() in _AFTER_DEFAULT)
        )
        if start >= 0 and i > start and ends:
            found.append(statement[tokens[start].start : tokens[i - 1].end + 1])
            start = -1
        if token is None:
            break
        depth += (kind == TokenType.L_PAREN) - (kind == TokenType.R_PAREN)
        if depth == 0 and kind == TokenType.DEFAULT:
            start = i + 1
    for written in found:
        try:
            if sqlglot.parse_one(written, read="postgres").sql(dialect="postgres") == rendered:
                return written
        except sqlglot.errors.SqlglotError:
            continue
    return rendered


def _create_index(op: ops.CreateIndex, catalog: Catalog) -> Plan:
    from migralint.plan import create_index

    if index_already_exists(op, catalog):
        raise Unchanged(f"index {op.name} exists already")
    index = index_definition(op.loc.statement)
    return create_index.plan(
        create_index.Change(
            op.table,
            expression=index.elements,
            name=op.name,
            unique=op.unique,
            where=index.where,
            method=index.method,
        )
    )


@dataclass(frozen=True)
class IndexSource:
    """An index definition as written: its elements (expressions, operator classes,
    order), method and WHERE predicate. The parse re-renders expressions
    (`substring(x, 0, 11)` as `SUBSTRING(x FROM 0 FOR 11)`, which PostgreSQL keeps
    apart), so the text comes from the statement itself."""

    elements: str
    method: str | None
    where: str | None


def index_definition(statement: str) -> IndexSource:
    """The CREATE INDEX statement's definition as written; Keep for what no plan carries."""
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(statement, read="postgres")
        tokens = sqlglot.tokenize(statement, read="postgres")
    except sqlglot.errors.SqlglotError as error:
        raise Keep(f"cannot read the index definition: {error}") from error
    params = tree.this.args.get("params") if isinstance(tree, exp.Create) else None
    if not isinstance(params, exp.IndexParameters) or not params.args.get("columns"):
        raise Keep("cannot read the index definition")
    extras = [k for k in ("include", "with_storage", "tablespace") if params.args.get(k)]
    if extras:
        raise Keep(f"create-index does not plan {', '.join(e.upper() for e in extras)}")
    elements, where = _index_source(statement, tokens)
    if elements is None or (where is None) != (params.args.get("where") is None):
        raise Keep("cannot read the index definition")
    using = params.args.get("using")
    return IndexSource(elements, using.sql("postgres") if using is not None else None, where)


def _index_source(statement: str, tokens: list[Any]) -> tuple[str | None, str | None]:
    """The text of the element list (the first parentheses after ON) and of the WHERE
    predicate (after the list, outside parentheses) of a CREATE INDEX."""
    from sqlglot.tokens import TokenType

    depth, on, start = 0, False, -1
    elements: str | None = None
    for token in tokens:
        kind = token.token_type
        if kind == TokenType.L_PAREN:
            depth += 1
            if depth == 1 and on and elements is None:
                start = token.end + 1
        elif kind == TokenType.R_PAREN:
            depth -= 1
            if depth == 0 and start >= 0 and elements is None:
                elements = statement[start : token.start].strip()
        elif depth == 0 and kind == TokenType.ON:
            on = True
        elif depth == 0 and kind == TokenType.WHERE and elements is not None:
            return elements, statement[token.end + 1 :].strip().rstrip(";").strip() or None
    return elements, None


def _refuse_cascade(op: ops.DropIndex | ops.DropColumn | ops.DropTable, what: str) -> None:
    """Keep a DROP … CASCADE: the plan's DROP has no CASCADE, so it would fail on what
    depends on the object (foreign keys, views, constraints) instead of dropping it."""
    if op.cascade:
        raise Keep(
            f"{what} plans DROP without CASCADE: the objects that depend on it would stop "
            "the contract instead of being dropped with it"
        )


def _drop_index(op: ops.DropIndex, catalog: Catalog) -> Plan:
    from migralint.plan import drop_index

    _refuse_cascade(op, "drop-index")
    created = catalog.index_definitions.get(op.name.key)
    if created is None and op.if_exists:
        raise Keep(
            f"index {op.name} is not created by the migrations before the file, so the "
            "DROP INDEX IF EXISTS is kept"
        )
    if created is None:
        raise PlanError(
            f"index {op.name} is not created by the migrations before the file, so its down "
            "cannot re-create it; plan it with `migralint plan drop-index --table … --index … "
            "--column …`"
        )
    index = index_definition(created.loc.statement)
    return drop_index.plan(
        drop_index.Change(
            created.table,
            created.name or op.name.name,
            expression=index.elements,
            unique=created.unique,
            where=index.where,
            method=index.method,
        )
    )


def _drop_column(op: ops.DropColumn, catalog: Catalog) -> Plan:
    from migralint.plan import drop_column

    _refuse_cascade(op, "drop-column")
    known = catalog.column(op.table, op.column)
    if known is None or known.type is None:
        raise Keep(
            f"the migrations before the file do not give {op.table}.{op.column} a type, so "
            "the down of its plan could not add it back"
        )
    return drop_column.plan(drop_column.Change(op.table, op.column, type=str(known.type)))


def _drop_table(op: ops.DropTable, catalog: Catalog) -> Plan:
    from migralint.plan import drop_table

    _refuse_cascade(op, "drop-table")
    return drop_table.plan(drop_table.Change(op.table))


PLANNERS: dict[type[ops.Op], Callable[[Any, Catalog], Plan]] = {
    ops.RenameColumn: _rename_column,
    ops.RenameTable: _rename_table,
    ops.SetNotNull: _set_not_null,
    ops.AlterColumnType: _change_type,
    ops.AddColumn: _add_column,
    ops.AddConstraint: _add_constraint,
    ops.CreateIndex: _create_index,
    ops.DropIndex: _drop_index,
    ops.DropColumn: _drop_column,
    ops.DropTable: _drop_table,
}
