"""Facts about PostgreSQL that rules and the planner share: which lock each kind of
statement takes, and the versions features and bugs arrived in. Which type changes
rewrite and which defaults are volatile are pgfacts' answers; the two functions here
that ask them keep the front ends' and planner's calls as they were.
"""

from __future__ import annotations

from migralint import pgfacts
from migralint.sql import ops
from migralint.sql.ops import DataType


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
