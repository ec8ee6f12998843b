"""`plan --from`: no plan on a table the migrations before the file create partitioned.

PostgreSQL builds no index CONCURRENTLY on a partitioned table, drops no partitioned
index CONCURRENTLY and adds no NOT VALID foreign key to one, so the plans stopped midway
on them, after their first phases shipped: `plan --from` keeps every flagged statement
on a partitioned table as written instead. The catalog records `PARTITION BY`
(TableState.partitioned).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from migralint.config import Settings
from migralint.schema import Catalog
from migralint.sql import ops


class PartitionedCatalog(Catalog):
    """The Catalog `plan --from` replays into, with its refusal of partitioned tables."""

    def partition_refusal(self, op: ops.Op) -> str | None:
        """Why no plan may change the table the Op changes, or None."""
        table = self.index_table(op.name) if isinstance(op, ops.DropIndex) else None
        table = table or (op.table if isinstance(op, ops.TableOp) else None)
        state = self.table(table) if table is not None else None
        if state is None or not state.partitioned:
            return None
        return (
            f"{table} is partitioned (PARTITION BY), and no plan is proven on such a table "
            "(PostgreSQL runs no CREATE or DROP INDEX CONCURRENTLY and no NOT VALID foreign "
            "key on one: the plan would stop midway)"
        )


def replayed(paths: Sequence[Path], settings: Settings, before: Path) -> PartitionedCatalog:
    """The schema the migrations under `paths` build before `before`, replayed by
    engine.build_catalog into a PartitionedCatalog."""
    from migralint.engine import build_catalog

    catalog = PartitionedCatalog()
    build_catalog(paths, settings, before, into=catalog)
    return catalog
