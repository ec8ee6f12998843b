"""`plan --from`: the tables the migrations before the file create partitioned.

PostgreSQL builds no index CONCURRENTLY on a partitioned table, drops no partitioned
index CONCURRENTLY and adds no NOT VALID foreign key to one, so the plans stopped midway
on them, after their first phases shipped: `plan --from` keeps every flagged statement
on a partitioned table as written instead. The shared catalog (migralint/schema.py)
does not record partitioning, so the migrations are replayed into one that does.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from migralint.config import Settings
from migralint.schema import Catalog
from migralint.sql import ops


class PartitionedCatalog(Catalog):
    """A Catalog that also knows which tables are partitioned (`PARTITION BY`)."""

    def __init__(self) -> None:
        super().__init__()
        self.partitioned: set[str] = set()  # table keys

    def apply(self, op: ops.Op) -> None:
        created = isinstance(op, ops.CreateTable) and op.table.key not in self.tables
        super().apply(op)
        if created and _partition_by(op.loc.statement):
            self.partitioned.add(op.table.key)
        elif isinstance(op, ops.RenameTable) and op.table.key in self.partitioned:
            self.partitioned.discard(op.table.key)
            self.partitioned.add(ops.Name(op.new_name, op.table.schema).key)
        elif isinstance(op, ops.DropTable):
            self.partitioned.discard(op.table.key)

    def partition_refusal(self, op: ops.Op) -> str | None:
        """Why no plan may change the table the Op changes, or None."""
        table = self.index_table(op.name) if isinstance(op, ops.DropIndex) else None
        table = table or (op.table if isinstance(op, ops.TableOp) else None)
        if table is None or table.key not in self.partitioned:
            return None
        return (
            f"{table} is partitioned (PARTITION BY), and no plan is proven on such a table "
            "(PostgreSQL runs no CREATE or DROP INDEX CONCURRENTLY and no NOT VALID foreign "
            "key on one: the plan would stop midway)"
        )


def _partition_by(statement: str) -> bool:
    """Does the CREATE TABLE say PARTITION BY outside its parentheses?"""
    import sqlglot

    depth = 0
    try:
        tokens = sqlglot.tokenize(statement, read="postgres")
    except sqlglot.errors.TokenError:
        return "PARTITION BY" in " ".join(statement.upper().split())
    for token in tokens:
        kind = token.token_type.name
        depth += (kind == "L_PAREN") - (kind == "R_PAREN")
        if depth == 0 and kind == "PARTITION_BY":
            return True
    return False


def replayed(paths: Sequence[Path], settings: Settings, before: Path) -> PartitionedCatalog:
    """The schema the migrations under `paths` build before `before`, replayed by
    engine.build_catalog into a PartitionedCatalog."""
    from migralint.engine import build_catalog

    catalog = PartitionedCatalog()
    build_catalog(paths, settings, before, into=catalog)
    return catalog
