"""What a rule sees besides the Op: the run context, the catalog, the session, the settings.

Rules judge Ops and these, nothing else: no rule reads a file, its statement text or
sqlglot (tests/test_rule_purity.py). A fact a rule needs goes on the Op (see
migralint/sql/facts.py) or here, on `FileInfo`, the migration's run context.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

from migralint.config import Settings
from migralint.fileinfo import FileInfo
from migralint.postgres import lock_taken, other_locks
from migralint.rule import Violation
from migralint.schema import Catalog
from migralint.session import Session
from migralint.sql import ops
from migralint.sql.statements import Comment

T = TypeVar("T", bound=ops.Op)


class Context:
    """Passed to every check; answers the questions rules share."""

    def __init__(
        self,
        file: FileInfo,
        catalog: Catalog,
        session: Session,
        settings: Settings,
        comments: tuple[Comment, ...] = (),
    ) -> None:
        self.file = file
        self.catalog = catalog
        self.session = session
        self.settings = settings
        self.comments = comments  # every comment of the migration's file, in order
        self._seen: set[str] = set()
        self.file_ops: list[ops.Op] = []  # every Op of the file, in order
        self.position = 0  # index of the Op being judged

    def later(self, op_type: type[T]) -> Iterator[T]:
        """Ops of the given type that come after the current one in this file."""
        for op in self.file_ops[self.position + 1 :]:
            if isinstance(op, op_type):
                yield op

    @property
    def pg_version(self) -> tuple[int, int]:
        return self.settings.pg_version

    @property
    def previous_release_runs(self) -> bool:
        """Whether release N-1 runs while the migration does: not when the deployment
        is offline (the application is stopped), so no message may claim it breaks."""
        return self.file.deployment != "offline"

    def is_new_table(self, table: ops.Name) -> bool:
        """True when this migration created the table, so no other code uses it yet."""
        return self.catalog.created_in_this_migration(table)

    def drops_nothing(self, op: ops.Op) -> bool:
        """True for `DROP INDEX [CONCURRENTLY] IF EXISTS x` when the catalog knows x does
        not exist (Catalog.index_absent): PostgreSQL finds nothing, takes no lock and
        does nothing."""
        return isinstance(op, ops.DropIndex) and op.if_exists and self.catalog.index_absent(op.name)

    def target_table(self, op: ops.Op) -> ops.Name | None:
        """The table an Op locks or changes, where there is one."""
        if isinstance(op, ops.TableOp):
            return op.table
        if isinstance(op, ops.DropIndex):
            return op.table or self.catalog.index_table(op.name)
        if isinstance(op, ops.Reindex) and op.target == "INDEX":
            return self.catalog.index_table(op.name)
        if isinstance(op, ops.Reindex) and op.target == "TABLE":
            return op.name
        if isinstance(op, (ops.Vacuum, ops.Cluster)):
            return op.name
        if isinstance(op, ops.SetSchema) and op.kind == "TABLE":
            return op.name
        return getattr(op, "table", None)

    def tables_locked(self, op: ops.Op) -> list[tuple[ops.Name, str]]:
        """(table, mode) of each lock worth a lock_timeout the Op takes: on its own table
        (`postgres.lock_taken`) and on the others it names (`postgres.other_locks`)."""
        table, mode = self.target_table(op), lock_taken(op)
        own = [(table, mode)] if table is not None and mode is not None else []
        key = table.key if table is not None else None
        return own + [(t, m) for t, m in other_locks(op, self.catalog) if t.key != key]

    def first_time(self, key: str) -> bool:
        """True once per file for `key`: for rules that report a file-wide gap once."""
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    def finding(
        self,
        op: ops.Op,
        message: str,
        help: str,
        *,
        line: int | None = None,
        column: int | None = None,
        covers: Sequence[ops.Op] = (),
        about: Sequence[str] = (),
        aside: str = "",
        aside_remedy: str = "",
        cause: str = "",
        caused_by: ops.Op | None = None,
        aside_cites: ops.Op | None = None,
        rewrites: bool = False,
    ) -> Violation:
        return Violation(
            op,
            message,
            help,
            line,
            column,
            tuple(covers),
            about=tuple(about),
            aside=aside,
            aside_remedy=aside_remedy,
            cause=cause,
            caused_by=caused_by,
            aside_cites=aside_cites,
            rewrites=rewrites,
        )
