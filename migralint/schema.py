"""The catalog: the schema as the migrations so far have built it.

Ops are replayed in migration order. Rules ask the catalog questions about the state
*before* the statement they judge: does this table exist, was it created in this same
migration, what type and nullability does this column have, is there a validated
`CHECK (col IS NOT NULL)`. The catalog only knows what the migrations it has read
say; an unknown table is simply unknown, never an error.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field, replace

from migralint.conventions import LockTimeoutConvention
from migralint.pgfacts import null_rejected, routine_volatile
from migralint.sql import ops
from migralint.sql.names import quote, quote_name

# migralint.sql.references and .table_clauses parse with sqlglot: imported where used,
# so that the rule pack, which imports this module, loads without sqlglot.


@dataclass
class ColumnState:
    type: ops.DataType | None
    nullable: bool = True
    default: ops.Default | None = None
    generated: bool = False  # GENERATED ALWAYS AS (…) STORED
    collation: str | None = None  # COLLATE …; None: the type's


@dataclass
class ConstraintState:
    kind: str
    columns: tuple[str, ...] = ()
    expression: str | None = None
    valid: bool = True
    references: ops.ForeignKeyRef | None = None


@dataclass
class TableState:
    columns: dict[str, ColumnState] = field(default_factory=dict)
    constraints: dict[str, ConstraintState] = field(default_factory=dict)
    # lower-cased column → names of the valid CHECKs that reject its NULLs (null_rejected)
    not_null_checks: dict[str, set[str]] = field(default_factory=dict)
    partitioned: bool = False  # CREATE TABLE … PARTITION BY
    parent: str | None = None  # the key of the table it is a partition of (PARTITION OF)


_INDEXED_KINDS = ("primary_key", "unique", "exclude")
_SUFFIXES = {"primary_key": "pkey", "unique": "key", "foreign_key": "fkey", "check": "check"}


def _default_name(state: TableState, table: ops.Name, c: ops.Constraint) -> str:
    """The name PostgreSQL gives an unnamed constraint: `<table>_pkey`, `<table>_<columns>_key`
    / `_fkey` / `_check` (a CHECK names the column it reads if it reads only one), then
    1, 2… while taken."""
    if c.kind == "primary_key":
        columns: tuple[str, ...] = ()
    elif c.kind == "check":
        only = _only_column(c.expression)
        columns = (only,) if only else ()
    else:
        columns = c.columns
    base = "_".join((table.name, *columns, _SUFFIXES.get(c.kind, c.kind)))
    name, n = base, 0
    while name in state.constraints:
        n += 1
        name = f"{base}{n}"
    return name


def _only_column(expression: str | None) -> str | None:
    """The column an expression reads when it reads exactly one (a CHECK's name comes
    from it); None when it reads several, none, or does not parse."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    from migralint.sql.names import identifier

    try:
        tree = sqlglot.parse_one(expression or "", read="postgres")
    except SqlglotError:
        return None
    found = {identifier(c.this) for c in tree.find_all(exp.Column)}
    return found.pop() if len(found) == 1 else None


def _column_state(col: ops.Column, statement: str) -> ColumnState:
    """The state of a column the statement defines."""
    from migralint.sql.table_clauses import column_collation

    collation = column_collation(statement, col.name)
    return ColumnState(col.type, col.nullable, col.default, col.generated_stored, collation)


class Catalog:
    """Tables, columns, constraints and indexes, plus what this migration created."""

    def __init__(self) -> None:
        self.tables: dict[str, TableState] = {}
        self.index_definitions: dict[str, ops.CreateIndex] = {}  # index key → its CREATE
        # table key → (n, the set of the first n columns) of every index and PK / UNIQUE
        self.indexed: dict[str, set[tuple[int, frozenset[str]]]] = {}
        self.enums: dict[str, list[str]] = {}  # enum type key → values in order
        self._created: set[str] = set()
        self.lock_timeout = LockTimeoutConvention()  # carried with the set's schema
        self.materialized_views: set[str] = set()  # keys: relations that take indexes too
        # Whether the catalog knows every relation and index of the database: the set has
        # created a table, and `history_gap` (why it may not know them all) is None.
        self.created_a_table = False
        self.history_gap: str | None = None
        self.index_names_given: set[str] = set()  # bare names ALTER INDEX … RENAME gave
        # function name (lower-case, schema left out) → routine_volatile: is a default
        # calling it computed per row (None: cannot be told)
        self.functions: dict[str, bool | None] = {}
        self.trigger_functions: set[str] = set()  # names, as above: RETURNS trigger
        # (table key, name) of constraints the replay dropped and did not add again
        self.dropped_constraints: set[tuple[str, str]] = set()

    # Questions rules ask

    def table(self, name: ops.Name) -> TableState | None:
        return self.tables.get(name.key)

    def column(self, table: ops.Name, column: str) -> ColumnState | None:
        state = self.tables.get(table.key)
        return state.columns.get(column) if state else None

    def dropped_before(self, table: ops.Name, constraint: str) -> bool:
        """Whether the replayed migrations dropped this constraint and never added it back:
        dropping it again removes nothing."""
        return (table.key, constraint) in self.dropped_constraints

    def holds(self, thing: ops.Absent) -> bool:
        """Whether the replayed migrations left this table, column or index in place
        (False also when the catalog does not know)."""
        if thing.kind == "column":
            return self.column(thing.table, thing.name) is not None
        if thing.kind == "index":
            return self.index_table(ops.Name(thing.name, thing.table.schema)) is not None
        return self.table(thing.table) is not None

    def type_before(self, op: ops.AlterColumnType) -> ops.DataType | None:
        """The column's type before the change: as the migrations left it, else as the
        change itself states it (Alembic's existing_type); None when neither says."""
        known = self.column(op.table, op.column)
        return known.type if known is not None and known.type is not None else op.old_type

    def created_in_this_migration(self, table: ops.Name) -> bool:
        """True if the current migration file created the table or materialized view
        (before this statement)."""
        return table.key in self._created

    def index_table(self, index: ops.Name) -> ops.Name | None:
        created = self.index_definitions.get(index.key)
        if created is None:
            return None
        schema, _, name = created.table.key.rpartition(".")
        return ops.Name(name, schema or None)

    def unique_already(self, table: ops.Name, columns: set[str], where: str | None) -> bool:
        """True when a unique index the catalog knows on `table` covers some of `columns`
        under the same predicate: the rows are unique on `columns` already, so a unique
        index on them cannot fail on existing data."""
        return any(
            i.unique
            and i.table.key == table.key
            and set(i.columns) <= columns
            and _predicate(i.where) == _predicate(where)
            for i in self.index_definitions.values()
        )

    def index_statements(self, table: ops.Name) -> str | None:
        """The table's indexes, UNIQUE and validated CHECK constraints as CREATE INDEX and
        ALTER TABLE … ADD CONSTRAINT statements, `;`-separated, as a plan's `--indexes`
        takes them (None when the migrations create none)."""
        found = [
            created.loc.statement.strip().rstrip(";")
            for created in self.index_definitions.values()
            if created.table.key == table.key
            and created.loc.statement.lstrip()[:6].upper() == "CREATE"
        ]
        state = self.tables.get(table.key)
        for name, c in state.constraints.items() if state else ():
            alter = f"ALTER TABLE {quote_name(table)} ADD CONSTRAINT {quote(name)}"
            if c.kind == "unique" and c.columns:
                found.append(f"{alter} UNIQUE ({', '.join(quote(col) for col in c.columns)})")
            elif c.kind == "check" and c.expression and c.valid:
                found.append(f"{alter} CHECK ({c.expression})")
        return ";\n".join(found) or None

    def copy_refusal(self, table: ops.Name, column: str) -> str | None:
        """Why a plan cannot copy the column onto a new one, from what the migrations
        show (a generated column, a primary key, a column other tables' foreign keys
        reference: rename-column and change-column-type refuse them); None if nothing."""
        state = self.tables.get(table.key)
        known = state.columns.get(column) if state else None
        if state is None or known is None:
            return None
        if known.generated:
            return f"{table}.{column} is a generated column"
        if column in self.primary_key(table):
            return f"{table}.{column} is part of the primary key"
        for other, other_state in self.tables.items():
            for name, c in other_state.constraints.items():
                ref = c.references
                if ref and ref.table.key == table.key and column in ref.columns:
                    return f"{table}.{column} is referenced by foreign key {name} of {other}"
        return None

    def primary_key(self, table: ops.Name) -> tuple[str, ...]:
        """The columns of the table's primary key; () when the migrations give it none."""
        state = self.tables.get(table.key)
        constraints = state.constraints.values() if state else ()
        return next((c.columns for c in constraints if c.kind == "primary_key"), ())

    def has_index_starting_with(self, table: ops.Name, columns: tuple[str, ...]) -> bool:
        """True if an index (or PK / UNIQUE constraint) leads with exactly these columns."""
        return (len(columns), frozenset(columns)) in self.indexed.get(table.key, ())

    def is_unique_key(self, table: ops.Name, column: str) -> bool:
        """True if the column alone is a primary key, a UNIQUE constraint or unique index."""
        state = self.tables.get(table.key)
        if state is not None and any(
            c.kind in ("primary_key", "unique") and c.columns == (column,)
            for c in state.constraints.values()
        ):
            return True
        return any(
            i.unique and i.where is None and i.table.key == table.key and i.columns == (column,)
            for i in self.index_definitions.values()
        )

    def knows_every_index(self) -> bool:
        """True when the replay accounts for every relation of the database: the set
        created a table and every statement so far worked on tables it created, in a
        form whose indexes the catalog follows (see `index_absent`)."""
        return self.created_a_table and self.history_gap is None

    def index_absent(self, index: ops.Name) -> bool:
        """True when no index of this name exists (in any schema, whatever the
        search_path): the catalog knows every index, and none of the indexes or
        PRIMARY KEY / UNIQUE / EXCLUDE constraints it knows has the name."""
        if not self.knows_every_index():
            return False
        name = index.name
        if name in self.index_names_given:
            return False
        if any(key.rpartition(".")[2] == name for key in self.index_definitions):
            return False
        return not any(
            c.kind in _INDEXED_KINDS and constraint == name
            for state in self.tables.values()
            for constraint, c in state.constraints.items()
        )

    def has_valid_not_null_check(self, table: ops.Name, column: str) -> bool:
        """True if a valid CHECK proves the column NOT NULL (pgfacts.null_rejected)."""
        state = self.tables.get(table.key)
        return state is not None and bool(state.not_null_checks.get(column.lower()))

    # Replay

    def start_migration(self) -> None:
        """A new migration file begins: nothing is 'created in this migration' yet."""
        self._created.clear()

    def apply(self, op: ops.Op) -> None:
        if self.history_gap is None:
            self.history_gap = self._gap(op)
        handler = _HANDLERS.get(type(op))
        if handler is not None:
            handler(self, op)

    def _gap(self, op: ops.Op) -> str | None:
        """Why, after `op`, the catalog may not know every index of the database: a
        statement it cannot read or follow, or one on a relation the set did not create
        (which predates the set, with indexes the catalog never saw)."""
        if isinstance(op, ops.Unparsed) or (isinstance(op, ops.DoBlock) and op.executes):
            return f"line {op.loc.line}: a statement whose effect is not read"
        if isinstance(op, ops.Raw) and op.kind.split()[0] in ("CREATE", "ALTER", "CALL"):
            return f"line {op.loc.line}: {op.kind} is not followed"
        if isinstance(op, ops.CreateTable):
            return _generated_index_names(op)
        if isinstance(op, ops.CreateIndex) and op.name is None:
            return f"line {op.loc.line}: an index PostgreSQL names itself"
        if isinstance(op, ops.DropTable) and op.if_exists:
            return None
        if isinstance(op, ops.TableOp) and not self._known_relation(op.table):
            return f"{op.table} predates the set"
        if isinstance(op, ops.DropIndex | ops.RenameObject) and self._needed_but_absent(op):
            return f"index {op.name} predates the set"
        return None

    def _needed_but_absent(self, op: ops.DropIndex | ops.RenameObject) -> bool:
        """True when the statement needs an index the catalog says does not exist
        (DROP INDEX without IF EXISTS, ALTER INDEX … RENAME): it exists after all."""
        if isinstance(op, ops.DropIndex) and op.if_exists:
            return False
        if isinstance(op, ops.RenameObject) and op.kind != "INDEX":
            return False
        return self.index_absent(op.name)

    def _known_relation(self, table: ops.Name) -> bool:
        return table.key in self.tables or table.key in self.materialized_views

    def _create_table(self, op: ops.CreateTable) -> None:
        from migralint.sql.table_clauses import partitioning

        if op.if_not_exists and op.table.key in self.tables:
            return
        self._forget_table(op.table.key)  # a DROP the catalog missed: nothing carries over
        split = partitioning(op.loc.statement)
        state = TableState(
            partitioned=split.partitioned, parent=split.parent.key if split.parent else None
        )
        for col in op.columns:
            state.columns[col.name] = _column_state(col, op.loc.statement)
            for c in col.constraints:
                self._add_constraint(state, op.table, c)
        for c in op.constraints:
            self._add_constraint(state, op.table, c)
        self.tables[op.table.key] = state
        self._created.add(op.table.key)
        self.created_a_table = True
        if split.partitioned or split.parent:  # partitions' indexes get generated names
            self.history_gap = self.history_gap or f"{op.table} is partitioned"

    def _drop_table(self, op: ops.DropTable) -> None:
        self._forget_table(op.table.key)

    def _unknown_change(self, op: ops.UnknownChange) -> None:
        """What the catalog knew of the matching tables (their columns, constraints and
        indexes) is no longer known; whether this migration created them still is."""
        for key in [k for k in self.tables if _matches(k, op.tables)]:
            del self.tables[key]
            self.indexed.pop(key, None)
            for index, _ in self._indexes_on(key):
                del self.index_definitions[index]

    def _forget_table(self, key: str) -> None:
        """Drop what the catalog knows of a table: its indexes, the foreign keys that
        reference it (a DROP TABLE that succeeds took them, with CASCADE) and its
        partitions, which PostgreSQL drops with it."""
        self.tables.pop(key, None)
        self._created.discard(key)
        self.indexed.pop(key, None)
        for index, _ in self._indexes_on(key):
            del self.index_definitions[index]
        for state, name, _ in self._references_to(key):
            del state.constraints[name]
        for child in [k for k, state in self.tables.items() if state.parent == key]:
            self._forget_table(child)

    def _rename_table(self, op: ops.RenameTable) -> None:
        """Foreign keys, indexes and partitions point at the table by oid: they follow."""
        from migralint.sql.references import rename_index_table

        old, new = op.table.key, ops.Name(op.new_name, op.table.schema).key
        if old in self.tables:
            self.tables[new] = self.tables.pop(old)
        if old in self.indexed:
            self.indexed[new] = self.indexed.pop(old)
        if old in self._created:
            self._created.discard(old)
            self._created.add(new)
        for index, created in self._indexes_on(old):
            statement = rename_index_table(created.loc.statement, op.table.name, op.new_name)
            self.index_definitions[index] = replace(
                created,
                table=replace(created.table, name=op.new_name),
                loc=replace(created.loc, statement=statement),
            )
        for state, name, ref in self._references_to(old):
            state.constraints[name].references = replace(
                ref, table=replace(ref.table, name=op.new_name)
            )
        for state in self.tables.values():
            if state.parent == old:
                state.parent = new

    def _indexes_on(self, table_key: str) -> list[tuple[str, ops.CreateIndex]]:
        """(index key, its CREATE INDEX) of each index the catalog knows on the table."""
        return [(k, i) for k, i in self.index_definitions.items() if i.table.key == table_key]

    def _references_to(self, table_key: str) -> list[tuple[TableState, str, ops.ForeignKeyRef]]:
        """(the table, the name, the target) of each foreign key referencing the table."""
        return [
            (state, name, c.references)
            for state in self.tables.values()
            for name, c in state.constraints.items()
            if c.references is not None and c.references.table.key == table_key
        ]

    def _add_column(self, op: ops.AddColumn) -> None:
        state = self.tables.setdefault(op.table.key, TableState())
        col = op.column
        if op.if_not_exists and col.name in state.columns:
            return
        state.columns[col.name] = _column_state(col, op.loc.statement)
        for c in col.constraints:
            self._add_constraint(state, op.table, c)

    def _drop_column(self, op: ops.DropColumn) -> None:
        """PostgreSQL drops the indexes and constraints that use the column with it, and
        (with CASCADE) the foreign keys that reference it."""
        from migralint.sql.references import index_reads_column, reads_column

        key, column = op.table.key, op.column
        state = self.tables.get(key)
        key_columns = self.primary_key(op.table)
        for name, c in list(state.constraints.items()) if state is not None else ():
            if column in c.columns or (
                c.expression is not None and reads_column(c.expression, column, c.kind == "exclude")
            ):
                _file_not_null_check(state, name, False)
                del state.constraints[name]
        for other, name, ref in self._references_to(key):
            if column in (ref.columns or key_columns):
                del other.constraints[name]
        for index, created in self._indexes_on(key):
            if column in created.columns or index_reads_column(created.loc.statement, column):
                del self.index_definitions[index]
        if key in self.indexed:
            self.indexed[key] = {(n, cols) for n, cols in self.indexed[key] if column not in cols}
        if state is not None:
            state.columns.pop(column, None)

    def _rename_column(self, op: ops.RenameColumn) -> None:
        """PostgreSQL's constraints and indexes (and other tables' foreign keys) name
        columns by number, so they follow it."""
        from migralint.sql.references import rename_in_expression

        old, new, key = op.column, op.new_name, op.table.key
        state = self.tables.get(key)
        if state is not None and old in state.columns:
            state.columns[new] = state.columns.pop(old)
        for name, c in state.constraints.items() if state is not None else ():
            _file_not_null_check(state, name, False)
            c.columns = _renamed(c.columns, old, new)
            if c.expression is not None:
                exclude = c.kind == "exclude"
                c.expression = rename_in_expression(c.expression, old, new, exclude)
            _file_not_null_check(state, name, True)
        for other, name, ref in self._references_to(key):
            other.constraints[name].references = replace(
                ref, columns=_renamed(ref.columns, old, new)
            )
        for index, created in self._indexes_on(key):
            self.index_definitions[index] = _index_renamed(created, old, new)
        leading = self.indexed.get(key)
        if leading:
            self.indexed[key] = {
                (n, frozenset(_renamed(tuple(cols), old, new))) for n, cols in leading
            }

    def _column_state(self, table: ops.Name, column: str) -> ColumnState:
        state = self.tables.setdefault(table.key, TableState())
        return state.columns.setdefault(column, ColumnState(None))

    def _alter_type(self, op: ops.AlterColumnType) -> None:
        """The column takes the type, and the collation the statement gives it (none:
        the new type's)."""
        from migralint.sql.table_clauses import column_collation

        state = self._column_state(op.table, op.column)
        state.type = op.type
        state.collation = column_collation(op.loc.statement, op.column)

    def _set_not_null(self, op: ops.SetNotNull) -> None:
        self._column_state(op.table, op.column).nullable = False

    def _drop_not_null(self, op: ops.DropNotNull) -> None:
        self._column_state(op.table, op.column).nullable = True

    def _set_default(self, op: ops.SetDefault) -> None:
        self._column_state(op.table, op.column).default = op.default

    def _drop_default(self, op: ops.DropDefault) -> None:
        self._column_state(op.table, op.column).default = None

    def _add_constraint_op(self, op: ops.AddConstraint) -> None:
        state = self.tables.setdefault(op.table.key, TableState())
        self._add_constraint(state, op.table, op.constraint)

    def _add_constraint(self, state: TableState, table: ops.Name, c: ops.Constraint) -> None:
        name = c.name or _default_name(state, table, c)
        self.dropped_constraints.discard((table.key, name))
        _file_not_null_check(state, name, False)
        state.constraints[name] = ConstraintState(
            c.kind, c.columns, c.expression, not c.not_valid, c.references
        )
        _file_not_null_check(state, name, True)
        if c.kind in ("primary_key", "unique") and c.columns:
            self._index_columns(table.key, c.columns)
        if c.kind == "primary_key":
            for col in c.columns:
                if col in state.columns:
                    state.columns[col].nullable = False

    def _drop_constraint(self, op: ops.DropConstraint) -> None:
        self.dropped_constraints.add((op.table.key, op.name))
        state = self.tables.get(op.table.key)
        if state:
            _file_not_null_check(state, op.name, False)
            state.constraints.pop(op.name, None)

    def _validate_constraint(self, op: ops.ValidateConstraint) -> None:
        state = self.tables.get(op.table.key)
        if state and op.name in state.constraints:
            state.constraints[op.name].valid = True
            _file_not_null_check(state, op.name, True)

    def _rename_constraint(self, op: ops.RenameConstraint) -> None:
        state = self.tables.get(op.table.key)
        if state and op.name in state.constraints:
            _file_not_null_check(state, op.name, False)
            _file_not_null_check(state, op.new_name, False)
            state.constraints[op.new_name] = state.constraints.pop(op.name)
            _file_not_null_check(state, op.new_name, True)

    def _create_index(self, op: ops.CreateIndex) -> None:
        if op.name:
            key = ops.Name(op.name, op.table.schema).key
            self.index_definitions[key] = op
        if op.where is None and op.columns:
            self._index_columns(op.table.key, op.columns)

    def _index_columns(self, table_key: str, columns: tuple[str, ...]) -> None:
        leading = self.indexed.setdefault(table_key, set())
        leading.update((n, frozenset(columns[:n])) for n in range(len(columns) + 1))

    def function_volatility(self, op: ops.CreateObject) -> bool | None:
        """routine_volatile of the function a CREATE FUNCTION defines, given the
        functions defined so far (which its inlined body may call)."""
        return routine_volatile(op.volatility, op.language, op.inlined, self.functions)

    def _create_object(self, op: ops.CreateObject) -> None:
        if op.kind == "FUNCTION":
            self.functions[op.name.name.lower()] = self.function_volatility(op)
            if op.returns_trigger:
                self.trigger_functions.add(op.name.name.lower())
            else:
                self.trigger_functions.discard(op.name.name.lower())
        if op.kind == "TYPE" and op.enum_values:
            self.enums[op.name.key] = list(op.enum_values)
        elif op.kind == "MATERIALIZED VIEW":  # a relation no other session sees yet
            self._created.add(op.name.key)
            self.materialized_views.add(op.name.key)

    def _drop_object(self, op: ops.DropObject) -> None:
        if op.kind == "FUNCTION":
            self.functions.pop(op.name.name.lower(), None)
            self.trigger_functions.discard(op.name.name.lower())
        if op.kind == "TYPE":
            self.enums.pop(op.name.key, None)
        elif op.kind == "MATERIALIZED VIEW":
            self._created.discard(op.name.key)
            self.materialized_views.discard(op.name.key)
            for index, _ in self._indexes_on(op.name.key):
                del self.index_definitions[index]

    def _add_enum_value(self, op: ops.AlterTypeAddValue) -> None:
        values = self.enums.get(op.name.key)
        if values is not None and op.value not in values:
            values.append(op.value)

    def _rename_object(self, op: ops.RenameObject) -> None:
        if op.kind == "FUNCTION" and op.name.name.lower() in self.functions:
            self.functions[op.new_name.lower()] = self.functions.pop(op.name.name.lower())
        if op.kind == "FUNCTION" and op.name.name.lower() in self.trigger_functions:
            self.trigger_functions.discard(op.name.name.lower())
            self.trigger_functions.add(op.new_name.lower())
        if op.kind == "TYPE" and op.old_name is None:
            self._rename_column_types(op.name, op.new_name)
        if op.kind == "TYPE" and op.name.key in self.enums:
            self.enums[ops.Name(op.new_name, op.name.schema).key] = self.enums.pop(op.name.key)
        elif op.kind == "INDEX":
            self.index_names_given.add(op.new_name)
            self._rename_constraint_index(op.name, op.new_name)

    def _rename_column_types(self, name: ops.Name, new_name: str) -> None:
        """Columns refer to a type by its oid: after `ALTER TYPE t RENAME TO u` they are u."""
        new = ops.Name(new_name, name.schema).key
        for state in self.tables.values():
            for col in state.columns.values():
                t = col.type
                if t is not None and t.name == name.key:
                    col.type = ops.DataType(new, t.params, t.array, new + "[]" * t.array)

    def _rename_constraint_index(self, index: ops.Name, new_name: str) -> None:
        """`ALTER INDEX … RENAME` of the index behind a primary key, unique or exclusion
        constraint renames the constraint too (it shares the index's name and schema)."""
        schema = index.key.rpartition(".")[0]
        for key, state in self.tables.items():
            c = state.constraints.get(index.name)
            if c is not None and c.kind in _INDEXED_KINDS and key.rpartition(".")[0] == schema:
                state.constraints[new_name] = state.constraints.pop(index.name)
                return

    def _detach_partition(self, op: ops.DetachPartition) -> None:
        state = self.tables.get(op.partition.key)
        if state is not None:
            state.parent = None

    def _drop_index(self, op: ops.DropIndex) -> None:
        self.index_definitions.pop(op.name.key, None)


_LIKE = re.compile(r"\(\s*LIKE\b", re.IGNORECASE)


def _generated_index_names(op: ops.CreateTable) -> str | None:
    """Why a CREATE TABLE gives indexes names the catalog does not follow: `LIKE …
    INCLUDING INDEXES` copies them under generated names."""
    if _LIKE.search(op.loc.statement):
        return f"line {op.loc.line}: {op.table} copies another table's indexes"
    return None


def _renamed(columns: tuple[str, ...], old: str, new: str) -> tuple[str, ...]:
    return tuple(new if c == old else c for c in columns)


def _index_renamed(created: ops.CreateIndex, old: str, new: str) -> ops.CreateIndex:
    """An index definition after its table's column `old` became `new`: its statement,
    key columns (and expressions) and predicate."""
    from migralint.sql import references

    where = created.where
    return replace(
        created,
        columns=references.rename_index_columns(created.loc.statement, created.columns, old, new),
        where=references.rename_in_expression(where, old, new) if where is not None else None,
        loc=replace(
            created.loc,
            statement=references.rename_in_index(created.loc.statement, old, new),
        ),
    )


def _file_not_null_check(state: TableState, name: str, filed: bool) -> None:
    """File (or unfile) the constraint `name` under the columns it proves NOT NULL, when
    it is a valid CHECK: has_valid_not_null_check looks there, not at every constraint."""
    c = state.constraints.get(name)
    if c is None or c.kind != "check" or not c.valid:
        return
    for column in null_rejected(c.expression):
        names = state.not_null_checks.setdefault(column, set())
        if filed:
            names.add(name)
        else:
            names.discard(name)


def _matches(key: str, pattern: str) -> bool:
    """Whether a table key (`s.t`, or `t` in the default schema) matches a name glob."""
    return fnmatch.fnmatchcase(key, pattern) or fnmatch.fnmatchcase(key.rpartition(".")[2], pattern)


_HANDLERS = {
    ops.CreateTable: Catalog._create_table,
    ops.DropTable: Catalog._drop_table,
    ops.UnknownChange: Catalog._unknown_change,
    ops.RenameTable: Catalog._rename_table,
    ops.AddColumn: Catalog._add_column,
    ops.DropColumn: Catalog._drop_column,
    ops.RenameColumn: Catalog._rename_column,
    ops.AlterColumnType: Catalog._alter_type,
    ops.SetNotNull: Catalog._set_not_null,
    ops.DropNotNull: Catalog._drop_not_null,
    ops.SetDefault: Catalog._set_default,
    ops.DropDefault: Catalog._drop_default,
    ops.AddConstraint: Catalog._add_constraint_op,
    ops.DropConstraint: Catalog._drop_constraint,
    ops.ValidateConstraint: Catalog._validate_constraint,
    ops.RenameConstraint: Catalog._rename_constraint,
    ops.CreateIndex: Catalog._create_index,
    ops.DropIndex: Catalog._drop_index,
    ops.DetachPartition: Catalog._detach_partition,
    ops.CreateObject: Catalog._create_object,
    ops.DropObject: Catalog._drop_object,
    ops.AlterTypeAddValue: Catalog._add_enum_value,
    ops.RenameObject: Catalog._rename_object,
}


def _predicate(where: str | None) -> str:
    """A partial index's WHERE, compared without case, spaces or parentheses."""
    return re.sub(r"[\s()]+", "", where or "").lower()
