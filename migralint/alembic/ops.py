"""Ops only the Alembic front end produces: what a revision does that SQL cannot say."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from migralint.directives import Suppression
from migralint.problems import InputProblem
from migralint.sql import ops


@dataclass(frozen=True, slots=True, kw_only=True)
class UnresolvedCall(ops.Op):
    """An `op.` call (or its arguments) the static reader cannot translate."""

    call: str  # "op.sync_enum_values"
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FailingCall(ops.Op):
    """An `op.` call that fails when it runs, as its literal arguments show."""

    call: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CommitInRevision(ops.Op):
    """A `.commit()` inside a revision: what ran before it stays if the rest fails;
    `raw`: a COMMIT sent as SQL (`op.execute("COMMIT")`), behind SQLAlchemy's back;
    `own_session`: the commit of a session with a connection of its own (`db.session`),
    not of the migration's: it commits only what was written through that session."""

    call: str  # "db.session.commit"
    raw: bool = False
    own_session: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class UnreadWrite(ops.Op):
    """Rows written through code the static reader cannot follow: an ORM object saved or
    added (`row.save()`, `session.add(…)`, `query.update(…)`), or SQL built at run time
    passed to `execute`. Which table it writes is not known."""

    call: str  # "session.add"


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchRecreate(ops.TableOp):
    """`batch_alter_table(…, recreate="always")` outside SQLite: Alembic copies the
    table's rows into a new table, drops the original and renames the copy to its name,
    instead of altering it (its "move and copy")."""


@dataclass(frozen=True, slots=True, kw_only=True)
class UnjudgedTypeChange(ops.TableOp):
    """`alter_column(type_=…)` to a type migralint cannot read (an application's own
    type): `written` is its source."""

    column: str
    written: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RevisionGraphProblem(InputProblem):
    """The revision graph does not close (missing parent, cycle, duplicate id, heads)."""

    reason: ClassVar[str] = "revision graph"


@dataclass(frozen=True, slots=True, kw_only=True)
class UnreadableRevision(InputProblem):
    """A revision whose identifiers are not literal: the graph cannot place it."""

    reason: ClassVar[str] = "revision identifiers not literal"


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderFailed(ops.Op):
    """`--alembic-render`: loading the revision or running a function of it in Alembic's
    offline mode raised; the function is read statically instead."""

    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RevisionRun:
    """One revision's upgrade Ops, as env.py runs it, and the suppressions that hold
    at each (`suppressions[i]` at `ops[i]`: its own and the file's)."""

    path: str
    ops: tuple[ops.Op, ...]
    suppressions: tuple[tuple[Suppression, ...], ...]

    def steps(self) -> Iterator[tuple[ops.Op, tuple[Suppression, ...]]]:
        """Each Op with the suppressions that hold at it."""
        return zip(self.ops, self.suppressions, strict=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class EnvironmentRun(ops.Op):
    """The project's env.py, which runs every revision and sets no lock_timeout (at its
    `context.configure` line), in each part of every revision. On the last revision in
    upgrade order it carries every revision's upgrade Ops (`revisions`, in that order):
    the project's judgement is made once, there."""

    revisions: tuple[RevisionRun, ...] = ()
