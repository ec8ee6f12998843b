"""Questions the locking rules share: how long a statement runs under its lock, which
locks the open transaction still holds, and whether an UPDATE is one batch."""

from __future__ import annotations

import re
from collections.abc import Container, Iterator

from migralint.checks.file_index import anywhere, before, created_object, last_before, table_key
from migralint.checks.idempotency import index_already_exists
from migralint.checks.types import rebuilds_indexes, type_change_rewrites
from migralint.context import Context
from migralint.pgfacts import is_system_catalog, routine_volatile, volatile_call
from migralint.postgres import NOT_NULL_FROM_VALID_CHECK, REWRITING_ACTIONS
from migralint.sql import ops


def constraints_of(op: ops.AddConstraint | ops.AddColumn) -> tuple[ops.Constraint, ...]:
    """The constraints an ADD CONSTRAINT or an ADD COLUMN (inline) adds."""
    return op.column.constraints if isinstance(op, ops.AddColumn) else (op.constraint,)


class HeldLocks:
    """Existing tables the open transaction holds ACCESS EXCLUSIVE on, with the Op that
    took each lock. Tables this migration created are nobody else's yet, and a dropped
    table is out of use anyway. Looked up per table, never listed in full."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def _holds(self, table: ops.Name, op: ops.Op) -> bool:
        """True when the lock `op` took on `table` keeps others out of a table in use
        (not one the migration drops: out of use, drop-table's finding)."""
        dropped = isinstance(op, ops.DropTable) and op.table.key == table.key
        if dropped or self._ctx.is_new_table(table):
            return False
        return next(anywhere(self._ctx, ops.DropTable, table_key, table.key), None) is None

    def on(self, key: str) -> tuple[ops.Name, ops.Op] | None:
        """(table, the Op that took the lock) for the table with this key, if held."""
        held = self._ctx.session.access_exclusive.get(key)
        return held if held is not None and self._holds(*held) else None

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.on(key) is not None

    def first(
        self, besides: str | None = None, before: ops.Op | None = None
    ) -> tuple[ops.Name, ops.Op] | None:
        """The oldest lock held (on a table other than the one keyed `besides`, taken by
        a statement before the one of `before`): (table, the Op that took it)."""
        for key, (table, taken) in self._ctx.session.access_exclusive.items():
            if key == besides or (before is not None and same_statement(taken, before)):
                continue
            if self._holds(table, taken):
                return table, taken
        return None


def same_statement(a: ops.Op, b: ops.Op) -> bool:
    """True when both Ops come from one statement (an ALTER TABLE's actions)."""
    return (a.loc.path, a.loc.line, a.loc.column) == (b.loc.path, b.loc.line, b.loc.column)


def held_by_earlier(op: ops.Op, ctx: Context) -> tuple[ops.Name, ops.Op] | None:
    """(its table, the Op that took the lock) when an earlier statement of the open
    transaction holds ACCESS EXCLUSIVE on the existing table `op` works on: until
    commit, nobody else reads or writes it, whatever `op` itself takes."""
    table = ctx.target_table(op)
    if table is None or not ctx.session.in_transaction:
        return None
    return HeldLocks(ctx).on(table.key)


def lock_wait_unbounded(ctx: Context) -> bool:
    """True when a lock wait here is known to have no lock_timeout: none is set in the
    session, and the set does not leave it to the role or the connection (a set whose
    files never set it, told so once by require-lock-timeout: see LockTimeoutConvention)."""
    if ctx.session.has_timeout("lock_timeout"):
        return False
    convention = ctx.catalog.lock_timeout
    return convention.set_in is not None or not convention.told


def held_lock(table: ops.Name, taken: ops.Op) -> str:
    """`` `<statement>` (line N) holds ACCESS EXCLUSIVE on <table> ``, for messages."""
    return f"`{statement_text(taken)}` (line {taken.loc.line}) holds ACCESS EXCLUSIVE on {table}"


def statement_text(op: ops.Op, width: int = 70) -> str:
    """The statement that produced `op` on one line, shortened, for messages: its
    words joined by single spaces, trailing semicolons dropped, cut with … past
    `width`. Reads only as many words as it shows, however long the statement."""
    text = ""
    for word in op.loc.facts.shown.split(" "):
        text = f"{text} {word}" if text else word
        if len(text) > width and text[width:].strip(";"):
            return text[: width - 1] + "…"  # longer than `width` even without the `;`s
    text = text.rstrip(";")
    return text if len(text) <= width else text[: width - 1] + "…"


def work_under_lock(op: ops.Op, ctx: Context) -> str | None:
    """What a statement does that takes long: a rewrite, a scan, an index build or a
    backfill, described in a few words; None for statements that finish at once."""
    if isinstance(op, ops.AddColumn):
        col = op.column
        if col.serial or col.identity or col.generated_stored or volatile_default(col, ctx):
            return f"rewrites {op.table}"
        if any(c.kind in ("primary_key", "unique") for c in col.constraints):
            return f"builds an index on {op.table}"
        return None
    if isinstance(op, ops.AlterColumnType):
        rewrite = type_change_rewrites(op, ctx)
        if rewrite is False:
            return f"rebuilds the indexes on {op.column}" if rebuilds_indexes(op, ctx) else None
        return f"rewrites {op.table}" if rewrite else f"may rewrite {op.table}"
    if isinstance(op, ops.SetNotNull):
        return None if not_null_needs_no_scan(op, ctx) else f"scans {op.table}"
    if isinstance(op, ops.AddConstraint):
        c = op.constraint
        if c.kind in ("primary_key", "unique", "exclude") and c.using_index is None:
            return f"builds an index on {op.table}"
        if c.kind in ("check", "foreign_key") and not c.not_valid:
            return f"scans {op.table}"
        return None
    if isinstance(op, ops.ValidateConstraint):
        return f"scans {op.table}"
    if isinstance(op, ops.CreateIndex):
        return None if index_already_exists(op, ctx.catalog) else f"builds an index on {op.table}"
    if isinstance(op, ops.Reindex):
        return f"rebuilds {op.target.lower()} {op.name}"
    if isinstance(op, ops.Update | ops.Delete):
        return f"changes rows of {op.table}"
    if isinstance(op, ops.Insert) and op.from_query:
        return f"copies rows into {op.table}"
    if (isinstance(op, ops.Vacuum) and op.full) or isinstance(op, ops.Cluster):
        return f"rewrites {op.name or 'every table'}"
    if isinstance(op, ops.RefreshMaterializedView):
        return f"recomputes {op.name}"
    if isinstance(op, ops.AlterTableAction):
        return _action_work(op)
    return None


def _action_work(op: ops.AlterTableAction) -> str | None:
    """What an ALTER TABLE action does that takes long: a rewrite, or the scan of the
    partition it attaches (to prove its rows fit the bound)."""
    if op.action in REWRITING_ACTIONS:
        return f"rewrites {op.table}"
    if op.action == "ATTACH PARTITION" and op.other is not None:
        return f"scans {op.other}"
    return None


def volatile_default(col: ops.Column, ctx: Context) -> str | None:
    """The function a new column's default calls that PostgreSQL computes per row (so
    ADD COLUMN rewrites the table): a volatile built-in, or a function the migrations
    defined before without IMMUTABLE or STABLE (pgfacts.routine_volatile). None when
    there is none, or it cannot be told (a function defined outside the migrations, or
    a `LANGUAGE sql` one inlined into an expression that calls no volatile function)."""
    if col.default is None:
        return None
    return volatile_call(col.default.sql, defined_functions(ctx))


def defined_functions(ctx: Context) -> dict[str, bool | None]:
    """Name → `routine_volatile` of the functions the set's migrations created before
    the current statement: the catalog's, and this file's own (a down file is not
    replayed into the catalog); the last definition of a name wins, as CREATE OR
    REPLACE."""
    found = dict(ctx.catalog.functions)
    for op in ctx.file_ops[: ctx.position]:
        if isinstance(op, ops.CreateObject) and op.kind == "FUNCTION":
            found[op.name.name.lower()] = routine_volatile(
                op.volatility, op.language, op.inlined, found
            )
    return found


def not_null_needs_no_scan(op: ops.SetNotNull, ctx: Context) -> bool:
    """True when SET NOT NULL reads no row: the catalog has the column NOT NULL already
    (PostgreSQL then does nothing), or on PostgreSQL 12+ a validated CHECK proves it."""
    column = ctx.catalog.column(op.table, op.column)
    if column is not None and not column.nullable:
        return True
    return ctx.pg_version >= NOT_NULL_FROM_VALID_CHECK and ctx.catalog.has_valid_not_null_check(
        op.table, op.column
    )


def other_tables_locked(op: ops.Op, ctx: Context, held: Container[str]) -> Iterator[ops.Name]:
    """Existing tables, not already held, that `op` must lock: its own table and the
    others it locks (a foreign key's referenced table, a partition)."""
    for t, _ in ctx.tables_locked(op):
        if t.key not in held and not ctx.is_new_table(t):
            yield t


def backfill_under_lock(op: ops.Update, ctx: Context) -> str | None:
    """Why an UPDATE runs while the transaction holds a lock that blocks others, or None."""
    if not ctx.session.in_transaction or ctx.is_new_table(op.table) or is_system_catalog(op.table):
        return None
    held = HeldLocks(ctx)
    if op.table.key not in held and op.table.key in ctx.session.ddl_tables:
        return f"DDL earlier in this transaction holds a lock on {op.table}"
    found = held.on(op.table.key) or held.first()
    if found is None:
        return None
    table, taken = found
    return f"{statement_text(taken)} holds ACCESS EXCLUSIVE on {table}"


# A WHERE clause bounds a batch when it limits the rows by a range, a LIMIT, an IN list
# or an equality on a key; `IS NULL`, `<>`, LIKE and join conditions do not.
_STRING = re.compile(r"'(?:[^']|'')*'")
_RANGE = re.compile(r"\bbetween\b|\blimit\b|(?<![<>=!-])(?:<=|>=|<(?![>=])|>(?!=))", re.I)
_IN_LIST = re.compile(r"\bin\s*\(\s*(?!select\b)|=\s*any\s*\(", re.I)
_EQUALS_LITERAL = re.compile(
    r"([\w.\"]+)\s*=\s*(?:\?|\$\d+|:\w+|%s|%\(\w+\)s|-?\d[\w.]*|true\b|false\b)"
    r"|(?:\?|\$\d+|%s|%\(\w+\)s|-?\d[\w.]*)\s*=\s*([\w.\"]+)",
    re.I,
)
_KEY_NAME = re.compile(r"^(?:id|uid|uuid|key|code|name|email|.*_(?:id|uid|uuid|key|code))$")


def in_a_loop(op: ops.Op, ctx: Context) -> bool:
    """True when the statement sits in a LOOP of the DO block it was read from: each pass
    runs it once, typically for one row, and is no whole-table statement."""
    position = last_before(ctx, ops.DoBlock)
    block = ctx.file_ops[position] if position is not None else None
    if not isinstance(block, ops.DoBlock):
        return False
    at = (op.loc.line, op.loc.column)
    return any(start <= at <= end for start, end in block.loops)


def bounds_a_batch(op: ops.Update, ctx: Context) -> bool:
    """True when the UPDATE's WHERE limits it to a batch or a few rows (a range, rows
    picked by a query with a LIMIT, an IN list, a key equal to a literal or a bind
    parameter: `?`, `$1`, `:name`, `%s`, `%(name)s`), or it runs once per pass of a
    PL/pgSQL loop, or it changes a system catalog (a few rows)."""
    if in_a_loop(op, ctx) or is_system_catalog(op.table) or op.limited_rows:
        return True
    if not op.where:
        return False
    where = _STRING.sub("0", op.where)
    if _RANGE.search(where) or _IN_LIST.search(where):
        return True
    for m in _EQUALS_LITERAL.finditer(where):
        column = (m.group(1) or m.group(2)).replace('"', "").rsplit(".", 1)[-1].lower()
        if _KEY_NAME.match(column) or ctx.catalog.has_index_starting_with(op.table, (column,)):
            return True
    return False


def created_earlier_in_file(ctx: Context, kind: str, name: ops.Name) -> bool:
    """True when a `CREATE <kind>` of `name` comes before the current Op in this file."""
    return any(before(ctx, ops.CreateObject, created_object, (kind, name.key)))
