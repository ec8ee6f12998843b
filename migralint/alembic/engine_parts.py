"""The engine's side of the Alembic front end: a revision file as the jobs the engine
runs, one per part (upgrade, downgrade, each autocommit block), with how it runs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from migralint.alembic.front_end import Part, revision_parts
from migralint.alembic.project import VersionSets
from migralint.context import FileInfo
from migralint.schema import Catalog
from migralint.sources.layout import MigrationFile
from migralint.sql import ops

if TYPE_CHECKING:
    from migralint.engine import Job, Linter

_SETS: WeakKeyDictionary[Linter, VersionSets] = WeakKeyDictionary()


def revision_jobs(
    linter: Linter,
    migration: MigrationFile,
    text: str,
    info: FileInfo,
    catalog: Catalog,
    decoding: Sequence[ops.Op] = (),
) -> list[Job]:
    """The jobs that judge one revision file; each folder is read once per Linter."""
    sets = _SETS.setdefault(linter, VersionSets())
    version_set = sets.of(migration.path.parent)
    pg_version = linter.settings.pg_version[0]
    parts = revision_parts(migration.path, text, info.dialect, version_set, pg_version)
    jobs: list[Job] = []
    for i, part in enumerate(parts):
        part_info = _part_info(info, part)
        pieces = [(op, ()) for op in decoding] if i == 0 else []
        pieces += [(p.op, p.suppressions) for p in part.pieces]
        wrapped = part_info.transaction == "per-file"
        run = partial(linter.judge_ops, pieces, part_info, catalog, wrapped, part.file_suppressions)
        jobs.append((part_info, run))
    return jobs


def _part_info(info: FileInfo, part: Part) -> FileInfo:
    """How the part runs: the configuration's `transaction` wins outside autocommit."""
    statements = sum(not isinstance(p.op, ops.EndOfFile) for p in part.pieces)
    configured = info.transaction_reason.startswith("config:") and part.transaction != "none"
    return replace(
        info,
        direction=part.direction,
        transaction=info.transaction if configured else part.transaction,
        transaction_reason=info.transaction_reason if configured else part.transaction_reason,
        statements=statements,
    )
