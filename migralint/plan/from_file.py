"""`migralint plan --from FILE`: a migration's flagged statements become their plans.

The file is linted in its context (the migrations before it, its settings); each
statement that a rule flags and an operation can plan (a column rename, a SET NOT NULL,
a blocking CREATE INDEX …) is replaced by that operation's expand / migrate / contract
phases. Every other statement is kept, as written, in a migration of its own that runs
first. The original file is never changed.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from migralint.config import Settings
from migralint.findings import Severity
from migralint.plan.model import PHASES, Phase, Plan, PlanError
from migralint.schema import Catalog
from migralint.sql import ops
from migralint.sql.parse import parse_statement
from migralint.sql.split import split_statements


@dataclass(frozen=True)
class Replacement:
    """What `--from` did with one statement."""

    line: int
    statement: str
    plan: Plan | None  # None: kept as written
    note: str = ""  # why a flagged statement was kept
    touches: tuple[tuple[str, str], ...] = ()  # (table key, column or "") the plan changes
    flagged: tuple[str, ...] = ()  # the rules that flag it at error severity


class Keep(Exception):
    """The statement is flagged, but its plan would lose something it says: keep it."""


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


def _known_type(catalog: Catalog, table: ops.Name, column: str, flag: str) -> str:
    known = catalog.column(table, column)
    if known is None or known.type is None:
        raise PlanError(
            f"the type of {table}.{column} is not known from the migrations beside the file; "
            f"plan it with `migralint plan … {flag} TYPE`"
        )
    return str(known.type)


def _rename_column(op: ops.RenameColumn, catalog: Catalog) -> Plan:
    from migralint.plan import rename_column

    column_type = _known_type(catalog, op.table, op.column, "--type")
    return rename_column.plan(
        rename_column.Change(op.table, op.column, op.new_name, type=column_type)
    )


def _rename_table(op: ops.RenameTable, catalog: Catalog) -> Plan:
    from migralint.plan import rename_table

    return rename_table.plan(rename_table.Change(op.table, op.new_name))


def _set_not_null(op: ops.SetNotNull, catalog: Catalog) -> Plan:
    from migralint.plan import set_not_null

    return set_not_null.plan(set_not_null.Change(op.table, op.column))


def _change_type(op: ops.AlterColumnType, catalog: Catalog) -> Plan:
    from migralint.plan import change_column_type

    from_type = _known_type(catalog, op.table, op.column, "--from-type")
    return change_column_type.plan(
        change_column_type.Change(
            op.table, op.column, str(op.type), using=op.using, from_type=from_type
        )
    )


def _add_column(op: ops.AddColumn, catalog: Catalog) -> Plan:
    from migralint.plan import add_column

    column = op.column
    if column.type is None:
        raise Keep("the column has no type to plan with")
    if column.identity or column.generated_stored or column.constraints:
        raise Keep("identity, generated and constrained columns are not planned by add-column")
    return add_column.plan(
        add_column.Change(
            op.table,
            column.name,
            str(column.type),
            default=column.default.sql if column.default else None,
            not_null=not column.nullable,
        )
    )


_FK_EXTRAS = re.compile(r"\b(ON\s+UPDATE|DEFERRABLE|MATCH\s+FULL|MATCH\s+PARTIAL)\b", re.I)
_ON_DELETE = re.compile(
    r"\bON\s+DELETE\s+(CASCADE|RESTRICT|NO\s+ACTION|SET\s+NULL|SET\s+DEFAULT)\b", re.I
)


def _add_constraint(op: ops.AddConstraint, catalog: Catalog) -> Plan:
    from migralint.plan import add_check, add_foreign_key, add_primary_key, add_unique

    c = op.constraint
    columns = ",".join(c.columns)
    if c.kind == "check" and c.expression:
        return add_check.plan(add_check.Change(op.table, c.expression, name=c.name))
    if c.kind == "unique" and c.columns:
        return add_unique.plan(add_unique.Change(op.table, columns, name=c.name))
    if c.kind == "primary_key" and c.columns:
        return add_primary_key.plan(add_primary_key.Change(op.table, columns, name=c.name))
    if c.kind == "foreign_key" and c.references and c.references.columns:
        extra = _FK_EXTRAS.search(op.loc.statement)
        if extra:
            raise Keep(f"add-foreign-key does not plan {extra[1].upper()}")
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
                no_index=catalog.has_index_starting_with(op.table, c.columns),
            )
        )
    raise Keep(f"no plan for this {c.kind.replace('_', ' ')} constraint")


def _create_index(op: ops.CreateIndex, catalog: Catalog) -> Plan:
    from migralint.plan import create_index

    elements, method = _index_definition(op.loc.statement)
    return create_index.plan(
        create_index.Change(
            op.table,
            expression=elements,
            name=op.name,
            unique=op.unique,
            where=op.where,
            method=method,
        )
    )


def _index_definition(statement: str) -> tuple[str, str | None]:
    """The index elements as written (operator classes, order) and the method."""
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(statement, read="postgres")
    except sqlglot.errors.SqlglotError as error:
        raise Keep(f"cannot read the index definition: {error}") from error
    params = tree.this.args.get("params") if isinstance(tree, exp.Create) else None
    if not isinstance(params, exp.IndexParameters) or not params.args.get("columns"):
        raise Keep("cannot read the index definition")
    extras = [k for k in ("include", "with_storage", "tablespace") if params.args.get(k)]
    if extras:
        raise Keep(f"create-index does not plan {', '.join(e.upper() for e in extras)}")
    elements = ", ".join(c.sql("postgres") for c in params.args["columns"])
    using = params.args.get("using")
    return elements, using.sql("postgres") if using is not None else None


def _drop_index(op: ops.DropIndex, catalog: Catalog) -> Plan:
    from migralint.plan import drop_index

    created = catalog.index_definitions.get(op.name.key)
    if created is None:
        raise PlanError(
            f"index {op.name} is not created by the migrations beside the file, so its down "
            "cannot re-create it; plan it with `migralint plan drop-index --table … --index … "
            "--column …`"
        )
    elements, method = _index_definition(created.loc.statement)
    return drop_index.plan(
        drop_index.Change(
            created.table,
            created.name or op.name.name,
            expression=elements,
            unique=created.unique,
            where=created.where,
            method=method,
        )
    )


def _drop_column(op: ops.DropColumn, catalog: Catalog) -> Plan:
    from migralint.plan import drop_column

    known = catalog.column(op.table, op.column)
    column_type = str(known.type) if known is not None and known.type is not None else None
    return drop_column.plan(drop_column.Change(op.table, op.column, type=column_type))


def _drop_table(op: ops.DropTable, catalog: Catalog) -> Plan:
    from migralint.plan import drop_table

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


def replacements(path: Path, settings: Settings) -> list[Replacement]:
    """Each statement of the file, with the plan that replaces it where there is one."""
    from migralint.engine import Linter, build_catalog
    from migralint.rulepack import load_rules
    from migralint.sources.discover import discover

    [migration] = discover([path]).files
    dialect = settings.dialect or migration.dialect or "postgres"
    if dialect != "postgres":
        raise PlanError(f"{path} is a {dialect} migration; `plan --from` reads PostgreSQL ones")
    catalog = build_catalog([path.parent], settings, before=path)
    linter = Linter(load_rules(settings.rule_paths).selected(settings), settings)
    findings = linter.lint_file(migration, dialect, copy.deepcopy(catalog))
    text = path.read_text(encoding="utf-8")
    found: list[Replacement] = []
    catalog.start_migration()
    for stmt in split_statements(text, dialect).statements:
        here = [f for f in findings if stmt.line <= f.line <= stmt.end_line]
        rules = {f.rule for f in here}
        error_rules = tuple(sorted({f.rule for f in here if f.severity >= Severity.ERROR}))
        planned, note, touches = None, "", ()
        for op in parse_statement(stmt, str(path), dialect):
            if planned is None and note == "" and rules & PLANNED_FINDINGS.get(type(op), set()):
                try:
                    planned = PLANNERS[type(op)](op, catalog)
                    touches = _touched(op, catalog)
                except Keep as why:
                    note = str(why)
                except PlanError as error:
                    raise PlanError(f"line {stmt.line}: {error}") from error
            catalog.apply(op)
        found.append(Replacement(stmt.line, stmt.text, planned, note, touches, error_rules))
    return found


def _touched(op: ops.Op, catalog: Catalog) -> tuple[tuple[str, str], ...]:
    """The tables (column "") and columns a statement changes or relies on."""
    if isinstance(op, ops.RenameTable):
        return ((op.table.key, ""), (ops.Name(op.new_name, op.table.schema).key, ""))
    if isinstance(op, ops.DropIndex):
        created = catalog.index_definitions.get(op.name.key)
        op = created if created is not None else op
    if not isinstance(op, ops.TableOp):
        return ()
    state = catalog.table(op.table)
    text = op.loc.statement.lower()
    columns = {
        c
        for c in (state.columns if state else ())
        if re.search(rf"\b{re.escape(c.lower())}\b", text)
    }
    return ((op.table.key, ""), *((op.table.key, c) for c in sorted(columns)))


def combined(path: Path, found: list[Replacement]) -> Plan:
    """One plan for the whole file: the kept statements first, then the expand phases of
    every plan in statement order, then their migrate phases, then their contract phases,
    so each release ships one phase of every change (a contract never precedes another
    change's expand)."""
    _refuse_entangled_plans(found)
    kept = [r for r in found if r.plan is None]
    phases = list(kept_statements(path, kept).phases) if kept else []
    planned = [p for r in found if r.plan is not None for p in r.plan.phases]
    phases += sorted(planned, key=lambda phase: PHASES.index(phase.name))
    summaries = [f"line {r.line}: {r.plan.summary}" for r in found if r.plan is not None]
    return Plan("from", tuple(phases), "\n".join(summaries))


_REMOVES = {
    "rename-column": "the column is renamed",
    "rename-table": "the table is renamed",
    "drop-table": "the table is gone",
    "change-column-type": "the column is replaced",
    "drop-column": "the column is gone",
}


def _refuse_entangled_plans(found: list[Replacement]) -> None:
    """Phases run interleaved: a table or column that one plan renames, replaces or drops
    would change under the later phases of another plan that uses it."""
    planned = [r for r in found if r.plan is not None]
    for r in planned:
        if r.plan is None or r.plan.operation not in _REMOVES:
            continue
        mine = {t for t in r.touches if (t[1] != "") == ("column" in r.plan.operation)}
        others = [o.line for o in planned if o is not r and mine & set(o.touches)]
        if others:
            lines = ", ".join(str(n) for n in others)
            raise PlanError(
                f"line {r.line} plans {r.plan.operation}, and line(s) {lines} also change what "
                f"it changes: their later phases would run after {_REMOVES[r.plan.operation]}. "
                "Move that statement into a migration of its own and plan each file"
            )


def _slug(path: Path) -> str:
    """`V2__add_users.sql` / `2_add_users.up.sql` → `add_users`."""
    name = re.sub(r"^[VUBR]?[\d._]*_+", "", path.name).split(".")[0]
    return re.sub(r"\W+", "_", name).strip("_").lower() or "migration"


def kept_statements(path: Path, kept: list[Replacement]) -> Plan:
    """A one-phase plan holding the statements that need no plan, in their order."""
    body = "\n\n".join(f"{r.statement};" for r in kept)
    phase = Phase(
        "",
        f"{_slug(path)}_kept",
        f"The statements of {path.name} that need no expand/contract plan, as written.\n"
        "Write their down by hand.",
        body,
        "-- Write the inverse of the kept statements here.\nSELECT 1;",
    )
    return Plan("kept", (phase,), f"kept {len(kept)} statement(s) of {path.name} as written")
