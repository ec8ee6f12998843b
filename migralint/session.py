"""The database session a migration file runs in: transaction state and settings.

Whether a statement runs inside a transaction depends on how the migration tool runs
the file (Flyway wraps it, golang-migrate sends it as one implicit transaction, popx
`.autocommit.` files run bare), on explicit BEGIN/COMMIT in the file itself, and on DO
blocks: a block runs as one statement, so what it holds lasts until it ends.
"""

from __future__ import annotations

from collections.abc import Sequence

from migralint.postgres import ACCESS_EXCLUSIVE
from migralint.sql import ops

TIMEOUT_SETTINGS = ("lock_timeout", "statement_timeout")


def is_timeout(value: str) -> bool:
    """True if a timeout setting's value bounds the wait (not empty, 0 or DEFAULT)."""
    return value.strip().lower() not in ("", "0", "0ms", "0s", "default")


class Session:
    """Replays transaction control and SET statements of one migration file."""

    def __init__(self, wrapped: bool) -> None:
        """`wrapped`: the tool runs the whole file inside one transaction."""
        self.wrapped = wrapped
        self.explicit = False  # an explicit BEGIN is open
        self.settings: dict[str, str] = {}
        self._local: dict[str, str | None] = {}  # SET LOCAL values and what they shadow
        # What the open transaction holds and did; cleared when it ends.
        # table key → (the table, the Op that took ACCESS EXCLUSIVE on it)
        self.access_exclusive: dict[str, tuple[ops.Name, ops.Op]] = {}
        self.not_valid_added: set[tuple[str, str]] = set()  # (table key, constraint name)
        self.ddl_tables: set[str] = set()  # tables DDL locked
        # table key → the TRUNCATE or DELETE without WHERE that emptied it, no INSERT since
        self.emptied: dict[str, ops.Op] = {}
        self._block_end: tuple[int, int] | None = None  # a DO block's own transaction

    @property
    def in_transaction(self) -> bool:
        return self.wrapped or self.explicit or self._block_end is not None

    def reach(self, op: ops.Op) -> None:
        """The statement `op` is about to run: past the end of a DO block that ran in a
        transaction of its own, that transaction has committed."""
        end = self._block_end
        if end is not None and (op.loc.line, op.loc.column) > end:
            self._block_end = None
            self._end_transaction()

    def has_timeout(self, name: str) -> bool:
        """True if `name` (e.g. lock_timeout) is set to a non-zero value now."""
        return is_timeout(self.settings.get(name, ""))

    def apply(self, op: ops.Op, locks: Sequence[tuple[ops.Name, str]] = ()) -> None:
        """Replay one Op; `locks` are the (table, mode) it takes, when the caller knows
        them (`Context.tables_locked`)."""
        if self.in_transaction:
            self._track(op, locks)
        if isinstance(op, ops.Begin):
            self.explicit = True
        elif isinstance(op, ops.Commit):
            self.explicit = False
            self._end_transaction()
        elif isinstance(op, ops.DoBlock) and not self.in_transaction:
            self._block_end = (op.loc.end_line, op.loc.end_column)
        elif isinstance(op, ops.SetSetting):
            if op.local:
                if not self.in_transaction:
                    return  # SET LOCAL outside a transaction has no effect
                self._local.setdefault(op.name, self.settings.get(op.name))
            self.settings[op.name] = op.value

    def _end_transaction(self) -> None:
        """What the transaction held ends with it; its SET LOCAL values too."""
        self.access_exclusive.clear()
        self.not_valid_added.clear()
        self.ddl_tables.clear()
        self.emptied.clear()
        for name, previous in self._local.items():
            if previous is None:
                self.settings.pop(name, None)
            else:
                self.settings[name] = previous
        self._local.clear()

    def _track(self, op: ops.Op, locks: Sequence[tuple[ops.Name, str]]) -> None:
        for table, mode in locks:
            self.ddl_tables.add(table.key)
            if mode == ACCESS_EXCLUSIVE:
                self.access_exclusive.setdefault(table.key, (table, op))
        if isinstance(op, ops.AddConstraint) and op.constraint.not_valid and op.constraint.name:
            self.not_valid_added.add((op.table.key, op.constraint.name))
        if isinstance(op, ops.RenameTable):  # what the transaction holds keeps its lock
            held = self.access_exclusive.pop(op.table.key, None)
            renamed = ops.Name(op.new_name, op.table.schema)
            if held is not None:
                self.access_exclusive[renamed.key] = (renamed, held[1])
        if isinstance(op, ops.Truncate) or (isinstance(op, ops.Delete) and op.where is None):
            self.emptied[op.table.key] = op
        elif isinstance(op, ops.Insert):
            self.emptied.pop(op.table.key, None)
