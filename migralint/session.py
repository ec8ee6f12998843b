"""The database session a migration file runs in: transaction state and settings.

Whether a statement runs inside a transaction depends on how the migration tool runs
the file (Flyway wraps it, golang-migrate sends it as one implicit transaction, popx
`.autocommit.` files run bare) and on explicit BEGIN/COMMIT in the file itself.
"""

from __future__ import annotations

from migralint.sql import ops

TIMEOUT_SETTINGS = ("lock_timeout", "statement_timeout")


class Session:
    """Replays transaction control and SET statements of one migration file."""

    def __init__(self, wrapped: bool) -> None:
        """`wrapped`: the tool runs the whole file inside one transaction."""
        self.wrapped = wrapped
        self.explicit = False  # an explicit BEGIN is open
        self.settings: dict[str, str] = {}
        self._local: dict[str, str | None] = {}  # SET LOCAL values and what they shadow

    @property
    def in_transaction(self) -> bool:
        return self.wrapped or self.explicit

    def has_timeout(self, name: str) -> bool:
        """True if `name` (e.g. lock_timeout) is set to a non-zero value now."""
        value = self.settings.get(name, "").strip().lower()
        return value not in ("", "0", "0ms", "0s", "default")

    def apply(self, op: ops.Op) -> None:
        if isinstance(op, ops.Begin):
            self.explicit = True
        elif isinstance(op, ops.Commit):
            self.explicit = False
            for name, previous in self._local.items():
                if previous is None:
                    self.settings.pop(name, None)
                else:
                    self.settings[name] = previous
            self._local.clear()
        elif isinstance(op, ops.SetSetting):
            if op.local:
                if not self.in_transaction:
                    return  # SET LOCAL outside a transaction has no effect
                self._local.setdefault(op.name, self.settings.get(op.name))
            self.settings[op.name] = op.value
