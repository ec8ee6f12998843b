"""The Op model: what a migration statement does, independent of how it was written.

SQL (and later Alembic) sources produce Ops; rules, the catalog and the planner read
them. Nothing here knows about sqlglot. Every Op carries the `Location` of the
statement it came from. Identifiers are normalised the way the database folds them
(unquoted PostgreSQL names are lower-cased), so `Users` and `users` are one table.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class StatementFacts:
    """What rules need to know of a statement's text, read once by the front end, so
    that no rule reads (or re-parses) the text itself."""

    shown: str = ""  # its words joined by single spaces, cut after SHOWN_WIDTH characters
    literals: frozenset[str] = frozenset()  # its string literals as written: "'a''b'"
    reads: frozenset[str] = frozenset()  # lower-cased table names after FROM or JOIN
    sets_sequence_start: bool = False  # START WITH n, RESTART or setval(): moves a sequence


SHOWN_WIDTH = 200
NO_FACTS = StatementFacts()


@dataclass(frozen=True, slots=True)
class Location:
    """Where a statement stands: 1-based, end inclusive, plus the statement's text (for
    reports and the planner; rules read `facts` instead)."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    statement: str = field(default="", repr=False, compare=False)
    facts: StatementFacts = field(default=NO_FACTS, repr=False, compare=False)
    # Which run of the statement, when a front end repeats one on other objects (an
    # Alembic call in a loop or in a helper called again): each run is a statement.
    execution: int = field(default=0, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Name:
    """A possibly schema-qualified object name."""

    name: str
    schema: str | None = None

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    @property
    def key(self) -> str:
        """Catalog key: `public` is the default schema, so `public.t` and `t` match."""
        return self.name if self.schema in (None, "public") else f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True)
class DataType:
    """A column type: `name` is canonical and lower-case (`varchar`, `bigint`, `timestamptz`)."""

    name: str
    params: tuple[int, ...] = ()
    array: bool = False
    sql: str = ""

    def __str__(self) -> str:
        """As a message shows it: lower-case like PostgreSQL's catalog, unless quoted."""
        text = self.sql or self.name
        return text if "'" in text or '"' in text else text.lower()


@dataclass(frozen=True, slots=True)
class Default:
    """A column default. `volatile` is True for functions such as random() or nextval()."""

    sql: str
    volatile: bool = False


@dataclass(frozen=True, slots=True)
class ForeignKeyRef:
    table: Name
    columns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Constraint:
    """A table constraint; `kind` is one of CONSTRAINT_KINDS."""

    kind: str
    name: str | None = None
    columns: tuple[str, ...] = ()
    references: ForeignKeyRef | None = None
    expression: str | None = None
    not_valid: bool = False
    using_index: str | None = None


CONSTRAINT_KINDS = ("primary_key", "unique", "foreign_key", "check", "exclude", "not_null")


@dataclass(frozen=True, slots=True)
class Column:
    """A column definition as written in CREATE TABLE or ADD COLUMN."""

    name: str
    type: DataType | None = None
    nullable: bool = True
    default: Default | None = None
    identity: bool = False
    generated_stored: bool = False
    constraints: tuple[Constraint, ...] = ()
    # a default only the application fills in on INSERT (SQLAlchemy's `default=`): no
    # DEFAULT in the database, so existing rows and other writers get none
    client_default: bool = field(default=False, compare=False)
    # (line, column) where its definition starts in a CREATE TABLE; None elsewhere
    position: tuple[int, int] | None = field(default=None, compare=False)

    @property
    def serial(self) -> bool:
        return self.type is not None and self.type.name in ("serial", "bigserial", "smallserial")

    @property
    def fills_itself(self) -> bool:
        """True if adding the column gives existing rows a value: a DEFAULT, an identity,
        a serial's sequence or a stored generation."""
        return self.default is not None or self.identity or self.serial or self.generated_stored


@dataclass(frozen=True, slots=True)
class Absent:
    """What a statement's guard requires to be missing (an Alembic `if "ix" not in
    [i["name"] for i in inspector.get_indexes("t")]:`): a table, or a column or index
    `name` of `table`."""

    kind: str  # table | column | index
    table: Name
    name: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Op:
    """Base of every operation.

    `guarded`: the statement runs inside a DO block under an `IF [NOT] EXISTS` check or
    an exception handler, so running it again is safe. `runs_if_absent`: it runs only
    while that object is missing; where the catalog holds it, it does not run at all.
    """

    loc: Location
    guarded: bool = False
    runs_if_absent: Absent | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class UnknownChange(Op):
    """A statement that changed tables the reader could not read (an Alembic call whose
    table name or arguments are not static): what the catalog knew of every table whose
    name matches `tables` (a glob: `*_events`, `*` for any) is unknown from here on."""

    tables: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TableOp(Op):
    """An operation on one table; rules and the catalog can ask about `table`."""

    table: Name


# Tables


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateTable(TableOp):
    columns: tuple[Column, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    if_not_exists: bool = False
    temporary: bool = False
    as_query: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class DropTable(TableOp):
    if_exists: bool = False
    cascade: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class RenameTable(TableOp):
    new_name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Truncate(TableOp):
    cascade: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class LockTable(TableOp):
    mode: str = "ACCESS EXCLUSIVE"


# Columns


@dataclass(frozen=True, slots=True, kw_only=True)
class AddColumn(TableOp):
    column: Column
    if_not_exists: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class DropColumn(TableOp):
    column: str
    if_exists: bool = False
    cascade: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class RenameColumn(TableOp):
    column: str
    new_name: str
    relation: str = "table"  # or "view", "materialized view", "foreign table"


@dataclass(frozen=True, slots=True, kw_only=True)
class AlterColumnType(TableOp):
    column: str
    type: DataType
    using: str | None = None
    old_type: DataType | None = None  # the type the migration states it had (existing_type)
    # The casts a USING applies to the column alone, innermost first (`USING c` is (),
    # `USING c::text` is (text,)); None when it computes anything else or was not read.
    using_casts: tuple[DataType, ...] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SetNotNull(TableOp):
    column: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DropNotNull(TableOp):
    column: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SetDefault(TableOp):
    column: str
    default: Default


@dataclass(frozen=True, slots=True, kw_only=True)
class DropDefault(TableOp):
    column: str


# Constraints


@dataclass(frozen=True, slots=True, kw_only=True)
class AddConstraint(TableOp):
    constraint: Constraint


@dataclass(frozen=True, slots=True, kw_only=True)
class DropConstraint(TableOp):
    name: str  # a computed one (Alembic's run-time introspection): `<its expression>`
    if_exists: bool = False
    cascade: bool = False
    kind: str = ""  # what the statement says it is (Alembic's type_); "": the catalog knows


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidateConstraint(TableOp):
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RenameConstraint(TableOp):
    name: str
    new_name: str


# Indexes


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateIndex(TableOp):
    name: str | None
    columns: tuple[str, ...] = ()
    unique: bool = False
    concurrently: bool = False
    if_not_exists: bool = False
    where: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DropIndex(Op):
    name: Name
    concurrently: bool = False
    if_exists: bool = False
    cascade: bool = False
    table: Name | None = None  # when the statement says (Alembic's `table_name=`)


@dataclass(frozen=True, slots=True, kw_only=True)
class Reindex(Op):
    target: str  # INDEX, TABLE, SCHEMA, DATABASE, SYSTEM
    name: Name
    concurrently: bool = False


# Other schema objects (schemas, views, types, sequences, functions, extensions, ...)


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateObject(Op):
    """CREATE of an object without a dedicated Op; `kind` is upper-case (`VIEW`, `TYPE`)."""

    kind: str
    name: Name
    if_not_exists: bool = False
    or_replace: bool = False
    table: Name | None = None  # the table a trigger or policy is attached to
    enum_values: tuple[str, ...] = ()  # CREATE TYPE … AS ENUM (…)
    has_check: bool = False  # CREATE DOMAIN … CHECK (…)
    # CREATE FUNCTION: its IMMUTABLE / STABLE / VOLATILE clause and its LANGUAGE,
    # lower-case ("" when the statement has none)
    volatility: str = ""
    language: str = ""
    # LANGUAGE sql: the expression its calls are inlined as (routines.inlined), "" when
    # PostgreSQL calls it as declared, None when its body is not read
    inlined: str | None = None
    returns_trigger: bool = False  # CREATE FUNCTION … RETURNS trigger / event_trigger


@dataclass(frozen=True, slots=True, kw_only=True)
class DropObject(Op):
    kind: str
    name: Name
    if_exists: bool = False
    cascade: bool = False
    table: Name | None = None  # DROP TRIGGER t ON table


@dataclass(frozen=True, slots=True, kw_only=True)
class RenameObject(Op):
    kind: str
    name: Name
    new_name: str
    old_name: str | None = None  # the label of RENAME VALUE 'old' TO 'new'


@dataclass(frozen=True, slots=True, kw_only=True)
class AlterTypeAddValue(Op):
    name: Name
    value: str
    if_not_exists: bool = False
    position: str | None = None  # "BEFORE 'x'" / "AFTER 'x'"


@dataclass(frozen=True, slots=True)
class Execute:
    """`EXECUTE …` in a DO block: SQL built at run time, which no rule can read.
    `keyword` is the first SQL keyword of its literal text (DROP, ALTER …), if any."""

    line: int
    column: int
    keyword: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DoBlock(Op):
    """An anonymous code block; its DDL is linted where it is plain (later), and
    `executes` lists its dynamic SQL, which is not."""

    body: str
    executes: tuple[Execute, ...] = ()
    # (line, column) of each outermost LOOP … END LOOP of the body: its first and last
    # character in the file
    loops: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = ()
    # the lower-cased words of the body, string literals included: what a rule may ask
    # of dynamic SQL it cannot read (could it name this index?)
    words: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class AlterDomainAddConstraint(Op):
    """ALTER DOMAIN … ADD [CONSTRAINT name] CHECK (…) | NOT NULL [NOT VALID]."""

    name: Name
    constraint: str | None = None
    not_valid: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class SetSchema(Op):
    """ALTER TABLE / VIEW / TYPE … SET SCHEMA: the object moves to another schema."""

    kind: str
    name: Name
    new_schema: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DetachPartition(TableOp):
    """`concurrently` is also True for FINALIZE, which completes an interrupted
    concurrent detach under SHARE UPDATE EXCLUSIVE, never ACCESS EXCLUSIVE."""

    partition: Name
    concurrently: bool = False
    finalize: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class AlterIdentity(TableOp):
    """ALTER COLUMN … ADD GENERATED … AS IDENTITY / DROP IDENTITY / SET GENERATED."""

    column: str
    action: str  # ADD, DROP or SET
    by_default: bool = False  # GENERATED BY DEFAULT (else ALWAYS)
    sets_start: bool = False  # the action says where the sequence starts (START WITH, RESTART)


@dataclass(frozen=True, slots=True, kw_only=True)
class AlterTableAction(TableOp):
    """An ALTER TABLE action that changes nothing the catalog or a rule reads, only how
    PostgreSQL guards, stores or replicates the table (ENABLE TRIGGER, OWNER TO, SET (…),
    REPLICA IDENTITY, ATTACH PARTITION, …): what it costs is the lock it takes.

    `action` names it the way `postgres.ACTION_LOCKS` does ("DISABLE TRIGGER", "ALTER
    COLUMN SET STORAGE"); `other` is the second table it names (the partition attached,
    the parent inherited); `options` the storage parameters a SET (…) or RESET (…) names,
    lower-case."""

    action: str
    other: Name | None = None
    options: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class AlterTableOption(TableOp):
    """A MySQL online-DDL clause: ALGORITHM=COPY, LOCK=SHARED, ..."""

    name: str  # ALGORITHM or LOCK
    value: str  # upper-case


# Maintenance


@dataclass(frozen=True, slots=True, kw_only=True)
class Vacuum(Op):
    full: bool = False
    name: Name | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Cluster(Op):
    name: Name | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RefreshMaterializedView(Op):
    name: Name
    concurrently: bool = False


# Sessions and transactions


@dataclass(frozen=True, slots=True, kw_only=True)
class SetSetting(Op):
    """SET [LOCAL] name = value, or set_config(name, value, is_local)."""

    name: str
    value: str
    local: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Begin(Op):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class Commit(Op):
    """COMMIT, END or ROLLBACK: the transaction is over either way."""

    rollback: bool = False


# Data


@dataclass(frozen=True, slots=True, kw_only=True)
class Update(TableOp):
    """UPDATE: a backfill when it rewrites existing rows. `assignments` is None when
    the front end could not read its SET list."""

    columns: tuple[str, ...] = ()  # the column of each SET target, in order
    where: str | None = None
    # read from the same SET list and WHERE, so not compared
    partial: tuple[bool, ...] = field(default=(), compare=False)  # per target: a[1], a.x
    assignments: tuple[Assignment, ...] | None = field(default=None, compare=False)
    where_columns: frozenset[str] = field(default=frozenset(), compare=False)
    # its WHERE picks rows from a query with a LIMIT (a keyset batch: `WITH b AS (SELECT
    # id … ORDER BY id LIMIT 1000) UPDATE t … FROM b WHERE t.id = b.id`, `id IN (SELECT
    # … LIMIT n)`)
    limited_rows: bool = field(default=False, compare=False)


@dataclass(frozen=True, slots=True)
class Assignment:
    """One `SET column = value` of an UPDATE, as the front end read it.

    `reads_self`: the value is computed from the column's own old value in a way that
    changes it again when re-applied (`n = n + 1`); `reads_self_json` is the same
    judgement when the column is json/jsonb, where `||` merges and `-` removals settle.
    """

    column: str
    value: str  # the value's SQL
    reads_self: bool
    reads_self_json: bool
    reads_row: bool  # reads any column or subquery
    columns_read: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Delete(TableOp):
    where: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Insert(TableOp):
    on_conflict: bool = False
    from_query: bool = False
    skips_existing: bool = False  # its query has an anti-join: NOT EXISTS, NOT IN, EXCEPT, IS NULL
    # its column list, when it has one: each target's column, and whether only part of it
    columns: tuple[str, ...] = field(default=(), compare=False)
    partial: tuple[bool, ...] = field(default=(), compare=False)  # a[1], a.x


@dataclass(frozen=True, slots=True, kw_only=True)
class EndOfFile(Op):
    """Added after a file's last statement, for rules that judge the file as a whole."""


# What we do not model


@dataclass(frozen=True, slots=True, kw_only=True)
class Raw(Op):
    """A statement understood well enough to know no rule needs more (GRANT, COMMENT ...);
    `command` holds a psql meta-command's text (without its backslash)."""

    kind: str
    command: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Unparsed(Op):
    """A statement that could not be parsed; `line`/`column` point at the error."""

    error: str
    line: int
    column: int

    @classmethod
    def at(cls, loc: Location, error: str, offset: int = 0) -> Unparsed:
        """The error `offset` characters into the statement's text."""
        before = loc.statement[:offset]
        newline = before.rfind("\n")
        line = loc.line + before.count("\n")
        column = offset - newline if newline >= 0 else loc.column + offset
        return cls(loc=loc, error=error, line=line, column=column)
