"""Conventions a migration set keeps across its files, carried with its catalog.

A set replays in order into one catalog (migralint/schema.py), and the catalog is what
a file linted alone, a `--since` run, a parallel worker and the cache carry from a
set's earlier files to its later ones: a convention that rides on it is seen the same
way in each of those runs as in a folder run. The engine replays each Op into it
after the rules judged the Op, whichever rules run (a replayed file runs none).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from migralint.postgres import lock_taken
from migralint.session import is_timeout
from migralint.sql import ops

if TYPE_CHECKING:
    from migralint.context import Context


@dataclass
class LockTimeoutConvention:
    """Does the set set lock_timeout in its files, or somewhere else?

    Once an up migration of the set sets lock_timeout (SET, SET LOCAL, set_config),
    the set keeps it in its files: a later file without it is a slip of its own. A set
    none of whose files set it so far gets it elsewhere (the migration role, the
    connection, a wrapper script) or has decided not to: it is told once (`told`), at
    its first heavy lock on a table that existed before its file with no timeout set,
    and files appended later do not move that finding. Down migrations, fresh installs
    and files run offline neither set the convention nor are told (no lock rule
    judges them).
    """

    set_in: str | None = None  # path of the set's first up migration that sets lock_timeout
    told: bool = False  # the set has had its one finding (in a file replayed, too)

    def set_before(self, path: str) -> str | None:
        """The path of the migration that set lock_timeout before `path`, if one did."""
        return self.set_in if self.set_in != path else None

    def replay(self, op: ops.Op, ctx: Context) -> None:
        """Note what `op`, judged in `ctx`, says of the set's convention."""
        info = ctx.file
        if info.direction == "down" or info.fresh_install or info.deployment == "offline":
            return
        if isinstance(op, ops.SetSetting) and op.name == "lock_timeout" and is_timeout(op.value):
            self.set_in = self.set_in or info.path
        elif not self.told and unguarded_lock(op, ctx) is not None:
            self.told = True


def unguarded_lock(op: ops.Op, ctx: Context) -> str | None:
    """The heavy lock `op` takes on a table that existed before its migration while no
    lock_timeout is set (its mode), or None."""
    mode = lock_taken(op)
    if mode is None or ctx.session.has_timeout("lock_timeout") or ctx.drops_nothing(op):
        return None
    table = ctx.target_table(op)
    return None if table is not None and ctx.is_new_table(table) else mode
