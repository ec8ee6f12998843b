"""Facts about PostgreSQL that rules and the planner share: which lock each kind of
statement takes, and the versions features and bugs arrived in. Which type changes
rewrite and which defaults are volatile are pgfacts' answers; the two functions here
that ask them keep the front ends' and planner's calls as they were.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from migralint import pgfacts
from migralint.sql import ops
from migralint.sql.ops import DataType

if TYPE_CHECKING:
    from migralint.schema import Catalog


def is_volatile_expression(sql: str) -> bool:
    """True when the expression calls a built-in function known to be volatile."""
    return pgfacts.volatile_call(sql, {}) is not None


def is_binary_coercible(old: DataType | None, new: DataType, *, pg_version: int) -> bool:
    """True when ALTER COLUMN TYPE from `old` to `new` surely needs no rewrite: the
    answer of `pgfacts.rewrites` for a session whose TimeZone is not known."""
    return pgfacts.rewrites(old, new, (pg_version, 0), None) is False


# Lock mode each ALTER TABLE sub-command takes (PostgreSQL docs, "ALTER TABLE" notes).
ACCESS_EXCLUSIVE = "ACCESS EXCLUSIVE"
SHARE_ROW_EXCLUSIVE = "SHARE ROW EXCLUSIVE"
SHARE = "SHARE"
SHARE_UPDATE_EXCLUSIVE = "SHARE UPDATE EXCLUSIVE"


def lock_taken(op: ops.Op) -> str | None:
    """The table lock a statement takes on an existing table, or None when it takes none
    worth a lock_timeout (new objects, data changes, CONCURRENTLY forms)."""
    if isinstance(op, ops.CreateIndex):
        return None if op.concurrently else SHARE
    if isinstance(op, ops.DropIndex):
        return None if op.concurrently else ACCESS_EXCLUSIVE
    if isinstance(op, ops.Reindex):
        return None if op.concurrently else SHARE
    if isinstance(op, ops.AddConstraint):
        if op.constraint.kind == "foreign_key":
            return SHARE_ROW_EXCLUSIVE
        return ACCESS_EXCLUSIVE
    if isinstance(op, ops.LockTable):
        return op.mode
    if isinstance(op, (ops.DetachPartition, ops.RefreshMaterializedView)):
        return None if op.concurrently else ACCESS_EXCLUSIVE
    if isinstance(op, ops.Vacuum):
        return ACCESS_EXCLUSIVE if op.full else None
    if isinstance(op, (ops.CreateObject, ops.DropObject)) and op.kind == "TRIGGER":
        return SHARE_ROW_EXCLUSIVE if isinstance(op, ops.CreateObject) else ACCESS_EXCLUSIVE
    if isinstance(op, (ops.CreateObject, ops.DropObject)) and op.kind == "POLICY":
        return ACCESS_EXCLUSIVE
    if isinstance(op, ops.SetSchema) and op.kind == "TABLE":
        return ACCESS_EXCLUSIVE
    if isinstance(op, ops.AlterTableAction):
        mode = action_lock(op)
        return None if mode == SHARE_UPDATE_EXCLUSIVE else mode
    if isinstance(op, _ACCESS_EXCLUSIVE_OPS):
        return ACCESS_EXCLUSIVE
    return None


_ACCESS_EXCLUSIVE_OPS = (
    ops.AddColumn,
    ops.DropColumn,
    ops.RenameColumn,
    ops.RenameTable,
    ops.AlterColumnType,
    ops.SetNotNull,
    ops.DropNotNull,
    ops.SetDefault,
    ops.DropDefault,
    ops.DropConstraint,
    ops.RenameConstraint,
    ops.DropTable,
    ops.Truncate,
    ops.AlterIdentity,
    ops.Cluster,
)


# The lock each ALTER TABLE action read as an AlterTableAction takes on its table:
# AlterTableGetLockLevel in PostgreSQL's tablecmds.c, each checked against pg_locks in
# tests/test_lock_facts.py. Triggers change what writes do, so their switches block
# writes only; the planner's and vacuum's settings block DDL and VACUUM only; the rest
# change what every query sees.
ACTION_LOCKS = {
    "ENABLE TRIGGER": SHARE_ROW_EXCLUSIVE,
    "DISABLE TRIGGER": SHARE_ROW_EXCLUSIVE,
    "ENABLE RULE": ACCESS_EXCLUSIVE,
    "DISABLE RULE": ACCESS_EXCLUSIVE,
    "ENABLE ROW LEVEL SECURITY": ACCESS_EXCLUSIVE,
    "DISABLE ROW LEVEL SECURITY": ACCESS_EXCLUSIVE,
    "FORCE ROW LEVEL SECURITY": ACCESS_EXCLUSIVE,
    "NO FORCE ROW LEVEL SECURITY": ACCESS_EXCLUSIVE,
    "OWNER TO": ACCESS_EXCLUSIVE,
    "REPLICA IDENTITY": ACCESS_EXCLUSIVE,
    "SET": SHARE_UPDATE_EXCLUSIVE,  # storage parameters, but see ACCESS_EXCLUSIVE_OPTIONS
    "RESET": SHARE_UPDATE_EXCLUSIVE,
    "CLUSTER ON": SHARE_UPDATE_EXCLUSIVE,
    "SET WITHOUT CLUSTER": SHARE_UPDATE_EXCLUSIVE,
    "SET WITHOUT OIDS": ACCESS_EXCLUSIVE,
    "SET LOGGED": ACCESS_EXCLUSIVE,
    "SET UNLOGGED": ACCESS_EXCLUSIVE,
    "SET TABLESPACE": ACCESS_EXCLUSIVE,
    "SET ACCESS METHOD": ACCESS_EXCLUSIVE,
    "INHERIT": ACCESS_EXCLUSIVE,
    "NO INHERIT": ACCESS_EXCLUSIVE,
    "OF": ACCESS_EXCLUSIVE,
    "NOT OF": ACCESS_EXCLUSIVE,
    "ATTACH PARTITION": SHARE_UPDATE_EXCLUSIVE,  # on the parent; the partition: other_locks
    "ALTER CONSTRAINT": ACCESS_EXCLUSIVE,
    "ALTER COLUMN SET STATISTICS": SHARE_UPDATE_EXCLUSIVE,
    "ALTER COLUMN SET": SHARE_UPDATE_EXCLUSIVE,  # n_distinct and the other column options
    "ALTER COLUMN RESET": SHARE_UPDATE_EXCLUSIVE,
    "ALTER COLUMN SET STORAGE": ACCESS_EXCLUSIVE,  # may add a TOAST table
    "ALTER COLUMN SET COMPRESSION": ACCESS_EXCLUSIVE,
    "ALTER COLUMN SET EXPRESSION": ACCESS_EXCLUSIVE,
    "ALTER COLUMN DROP EXPRESSION": ACCESS_EXCLUSIVE,
    "ALTER COLUMN SET SEQUENCE OPTION": ACCESS_EXCLUSIVE,  # an identity's INCREMENT, RESTART, …
}
# Storage parameters a table's SET (…) / RESET (…) takes ACCESS EXCLUSIVE for (the
# lockmode of each in PostgreSQL's reloptions.c); the others need SHARE UPDATE EXCLUSIVE.
ACCESS_EXCLUSIVE_OPTIONS = frozenset(
    {"user_catalog_table", "security_barrier", "security_invoker", "check_option"}
)
# Actions that write the whole table anew under their ACCESS EXCLUSIVE lock.
REWRITING_ACTIONS = frozenset(
    {
        "SET LOGGED",
        "SET UNLOGGED",
        "SET TABLESPACE",
        "SET ACCESS METHOD",
        "ALTER COLUMN SET EXPRESSION",
    }
)


def action_lock(op: ops.AlterTableAction) -> str:
    """The lock an ALTER TABLE action takes on its own table."""
    if op.action in ("SET", "RESET") and ACCESS_EXCLUSIVE_OPTIONS.intersection(op.options):
        return ACCESS_EXCLUSIVE
    return ACTION_LOCKS[op.action]


def other_locks(op: ops.Op, catalog: Catalog) -> list[tuple[ops.Name, str]]:
    """The locks worth a lock_timeout a statement takes on tables besides its own:
    SHARE ROW EXCLUSIVE on the table a foreign key it adds references (the key's
    triggers go on both tables), ACCESS EXCLUSIVE on the table a foreign key it drops
    or rebuilds referenced (`foreign_keys_dropped`) and on the partition it attaches or
    detaches (a concurrent detach too, in its second transaction)."""
    if isinstance(op, ops.AddConstraint | ops.AddColumn):
        found = op.column.constraints if isinstance(op, ops.AddColumn) else (op.constraint,)
        return [(c.references.table, SHARE_ROW_EXCLUSIVE) for c in found if c.references]
    if isinstance(op, ops.AlterTableAction) and op.action == "ATTACH PARTITION" and op.other:
        return [(op.other, ACCESS_EXCLUSIVE)]
    if isinstance(op, ops.DetachPartition):
        return [(op.partition, ACCESS_EXCLUSIVE)]
    referenced = dict.fromkeys(ref.table for ref in foreign_keys_dropped(op, catalog))
    return [(table, ACCESS_EXCLUSIVE) for table in referenced]


def foreign_keys_dropped(op: ops.Op, catalog: Catalog) -> list[ops.ForeignKeyRef]:
    """What the foreign keys of its table that a statement drops or rebuilds reference,
    as the catalog knows them: the one DROP CONSTRAINT names, those on a column dropped
    or retyped (ALTER COLUMN TYPE builds them anew), every one of a table dropped."""
    state = catalog.table(op.table) if isinstance(op, ops.TableOp) else None
    if state is None or not isinstance(
        op, ops.DropConstraint | ops.DropColumn | ops.AlterColumnType | ops.DropTable
    ):
        return []
    keys = [(name, c) for name, c in state.constraints.items() if c.references is not None]
    if isinstance(op, ops.DropConstraint):
        keys = [(name, c) for name, c in keys if name == op.name]
    elif isinstance(op, ops.DropColumn | ops.AlterColumnType):
        keys = [(name, c) for name, c in keys if op.column in c.columns]
    return [c.references for _, c in keys if c.references is not None]


# Lock modes that block other sessions' writes (INSERT/UPDATE/DELETE take ROW EXCLUSIVE,
# which conflicts with each of these); only ACCESS EXCLUSIVE also blocks plain reads.
EXCLUSIVE = "EXCLUSIVE"
WRITE_BLOCKING_MODES = frozenset({SHARE, SHARE_ROW_EXCLUSIVE, EXCLUSIVE, ACCESS_EXCLUSIVE})


def what_it_blocks(mode: str) -> str:
    """What other sessions cannot do on the table while `mode` is held or awaited."""
    if mode == ACCESS_EXCLUSIVE:
        return "blocks reads and writes"
    if mode in WRITE_BLOCKING_MODES:
        return "blocks writes"
    return "blocks other DDL and VACUUM"


# The first version with a feature (major, minor).
IDENTITY_COLUMNS = (10, 0)
FAST_COLUMN_DEFAULTS = (11, 0)  # ADD COLUMN … DEFAULT <non-volatile> stores it in the catalog
NOT_NULL_FROM_VALID_CHECK = (12, 0)  # SET NOT NULL skips its scan when a CHECK proves it
REINDEX_CONCURRENTLY = (12, 0)
DETACH_PARTITION_CONCURRENTLY = (14, 0)
ENUM_ADD_VALUE_IN_TRANSACTION = (12, 0)
VIRTUAL_GENERATED_COLUMNS = (18, 0)
# CREATE INDEX CONCURRENTLY / REINDEX CONCURRENTLY could silently corrupt indexes in
# PostgreSQL 14.0 to 14.3 (fixed in 14.4, June 2022).
CIC_CORRUPTION_VERSIONS = ((14, 0), (14, 3))


def has_cic_corruption_bug(version: tuple[int, int]) -> bool:
    first, last = CIC_CORRUPTION_VERSIONS
    return first <= version <= last
