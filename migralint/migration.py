"""A migration, read: the one value every front end produces and the engine judges.

A `FrontEnd` (migralint/frontends/) turns a file's bytes into a `Migration`: its file
facts, its decoded text, its statements with their Ops (DO blocks expanded) and
suppressions, its comments and phase, and its run context. The engine replays and
judges Migrations without reading a file or parsing SQL; the formats, the planner and
(next) a cache take the same value. It is frozen and picklable: a cache entry, and what
a process pool would send back.
"""

from __future__ import annotations

from dataclasses import dataclass

from migralint.context import FileInfo
from migralint.directives import Suppression
from migralint.problems import InputProblem
from migralint.sources.layout import MigrationFile
from migralint.sql import ops
from migralint.sql.statements import Comment, Statement


@dataclass(frozen=True, slots=True)
class ReadStatement:
    """One statement: its first line, the Ops it performs and the suppressions written
    on it. `failure` is a bug of a reader on it ("TypeError: …"), reported as an
    internal error; its Ops are then empty. `source` is the statement as the SQL
    splitter read it (text, offsets, span: what `plan --from` cuts), None for Ops that
    stand for no statement (a decoding problem)."""

    line: int
    ops: tuple[ops.Op, ...]
    suppressions: tuple[Suppression, ...] = ()
    failure: str | None = None
    source: Statement | None = None


@dataclass(frozen=True, slots=True)
class Part:
    """What the tool runs as one unit: the whole file, or one section of a file that
    holds both directions (dbmate, goose; an Alembic upgrade()/downgrade() next)."""

    context: FileInfo  # the run context of this part
    text: str
    statements: tuple[ReadStatement, ...]
    comments: tuple[Comment, ...] = ()
    file_suppressions: tuple[Suppression, ...] = ()  # `-- migralint:ignore-file`
    end: ops.EndOfFile | None = None  # None when reading stopped before the end
    stopped_at: int | None = None  # the line reading stopped at (the time budget)


@dataclass(frozen=True, slots=True)
class Migration:
    """One migration file, read. `problem` says why it was not read (then `text` is
    None and it has no parts) or not to its end (`unfinished`); the engine judges the
    parts, then the problem."""

    file: MigrationFile
    context: FileInfo  # the run context of the file as a whole
    front_end: str
    text: str | None = None
    parts: tuple[Part, ...] = ()
    problem: InputProblem | None = None
    unfinished: str | None = None  # why it was not linted to its end (None: it was)
    failure: str | None = None  # a bug of the front end on this file (see `failure()`)

    @property
    def path(self) -> str:
        return self.context.path

    @property
    def comments(self) -> tuple[Comment, ...]:
        """Every comment of the file, all parts."""
        return tuple(c for part in self.parts for c in part.comments)

    @property
    def contexts(self) -> tuple[FileInfo, ...]:
        """How each part runs (the file's own context when nothing was read)."""
        return tuple(p.context for p in self.parts) or (self.context,)


def failure(error: Exception) -> str:
    """How a bug of ours is described in its internal-error finding: type and message."""
    detail = str(error)
    detail = detail if len(detail) <= 200 else detail[:199] + "…"
    return f"{type(error).__name__}: {detail}"
