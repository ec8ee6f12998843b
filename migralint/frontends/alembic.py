"""The Alembic front end: a revision file's bytes → one `Migration`, read statically.

The file is parsed with `ast`, never imported (see `migralint.alembic`). Its parts are
the upgrade and the downgrade, each split where an `autocommit_block` runs outside the
transaction; every Op is one `ReadStatement` at the Python line of its `op.` call. The
version set (graph, env.py) of each folder is read once per run, and again when the
file being linted changed since.
"""

from __future__ import annotations

from dataclasses import replace

from migralint import directives
from migralint.alembic import front_end
from migralint.alembic.project import VersionSet, VersionSets
from migralint.context import FileInfo
from migralint.frontends import Reading
from migralint.frontends.sql import decode
from migralint.migration import Migration, Part, ReadStatement
from migralint.run_context import file_context
from migralint.sources.layout import MigrationFile
from migralint.sql import ops


class AlembicFrontEnd:
    """Reads Alembic revision files (`tool == "alembic"`, found by discovery)."""

    name = "alembic"

    def __init__(self) -> None:
        self._run: tuple[object, VersionSets] = (None, VersionSets())

    def read(self, file: MigrationFile, data: bytes, reading: Reading) -> Migration:
        info = file_context(file, reading.dialect, reading.settings)
        text, leading = decode(data, info.path)
        version_set = self._sets(reading).of(file.path.parent, file.path)
        pg_version = reading.settings.pg_version[0]
        render = reading.settings.alembic_render
        found = front_end.revision_parts(
            file.path, text, info.dialect, version_set, pg_version, render
        )
        info = replace(info, graph=_graph(version_set))
        parts = tuple(
            _part(part, info, text, leading if i == 0 else ()) for i, part in enumerate(found)
        )
        return Migration(file, info, self.name, text, parts)

    def _sets(self, reading: Reading) -> VersionSets:
        """The version sets of this run (the run object is held, so its id is not reused
        while it is the key): each set is read, or checked unchanged, once per run."""
        if self._run[0] is not reading.run:
            self._run = (reading.run, VersionSets())
        return self._run[1]


def _graph(version_set: VersionSet) -> str:
    """`88 revisions, 1 head`; several heads are named."""
    heads = version_set.graph.heads
    named = f": {', '.join(heads)}" if len(heads) > 1 else ""
    plural = "" if len(heads) == 1 else "s"
    return f"{len(version_set.revisions)} revisions, {len(heads)} head{plural}{named}"


def _part(part: front_end.Part, info: FileInfo, text: str, leading: tuple[ops.Op, ...]) -> Part:
    """The engine's Part of one upgrade / downgrade / autocommit run."""
    statements = [ReadStatement(op.loc.line, (op,)) for op in leading]
    end = None
    for piece in part.pieces:
        if isinstance(piece.op, ops.EndOfFile):
            end = piece.op
        else:
            statements.append(ReadStatement(piece.op.loc.line, (piece.op,), piece.suppressions))
    return Part(
        context=_context(info, part, len(statements)),
        text=text,
        statements=tuple(statements),
        comments=part.comments,
        file_suppressions=part.file_suppressions,
        end=end,
    )


def _context(info: FileInfo, part: front_end.Part, statements: int) -> FileInfo:
    """How the part runs: the configuration's `transaction` wins outside autocommit."""
    configured = info.transaction_reason.startswith("config:") and part.transaction != "none"
    run = replace(
        info,
        direction=part.direction,
        transaction=info.transaction if configured else part.transaction,
        transaction_reason=info.transaction_reason if configured else part.transaction_reason,
        statements=statements,
    )
    return directives.declared(run, part.comments)
