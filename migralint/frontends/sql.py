"""The SQL front end: bytes → text → sections → statements → Ops, as one `Migration`.

Decodes the bytes (UTF-8; anything else is read as Latin-1 and reported), splits the
text the way the database client does, parses each statement on its own (a statement
that does not parse is an `Unparsed` Op, a reader's bug costs that statement only),
expands the plain DDL of DO blocks, and reads the comments: suppressions (its own,
and diesel-guard's `safety-assured` blocks around it), the phase marker, a schema
dump's header. Reading stops at the settings' time budget, with a
`file-too-slow` problem at the line it reached.
"""

from __future__ import annotations

import codecs
import time
from collections.abc import Sequence
from dataclasses import replace

from migralint import directives
from migralint.context import FileInfo
from migralint.frontends import Reading, StatementReader
from migralint.migration import Migration, Part, ReadStatement, failure
from migralint.problems import FileTooSlow, NonUtf8File, UnreadableFile
from migralint.run_context import file_context
from migralint.sources.layout import MigrationFile, looks_like_schema_dump, sections
from migralint.sql import ops
from migralint.sql.blocks import guard, inner_statements
from migralint.sql.parse import parse_statement
from migralint.sql.split import split_statements


class SqlFrontEnd:
    """Reads `.sql` migrations (and any file no other front end claims)."""

    name = "sql"

    def read(self, file: MigrationFile, data: bytes, reading: Reading) -> Migration:
        info = file_context(file, reading.dialect, reading.settings)
        path = info.path
        if b"\x00" in data[:8192]:
            problem = UnreadableFile.at(path, _binary(data))
            return Migration(file, info, self.name, problem=problem, unfinished=problem.reason)
        text, leading = decode(data, path)
        if not info.fresh_install and looks_like_schema_dump(text[:2048]):
            info = replace(info, fresh_install=True, fresh_reason="a schema dump (its header)")
        pieces = [(text, info)]
        if found := sections(info.tool, text):
            fresh = {"fresh_install": info.fresh_install, "fresh_reason": info.fresh_reason}
            pieces = [
                (s.text, replace(file_context(file, reading.dialect, reading.settings, s), **fresh))
                for s in found
            ]
        parts: list[Part] = []
        for piece, piece_info in pieces:
            part = read_sql(piece, piece_info, leading, reading.deadline, reading.parse)
            parts.append(part)
            leading = ()
            if (line := part.stopped_at) is not None:
                problem = FileTooSlow.at(path, _too_slow(line, reading.settings.time_budget), line)
                return Migration(
                    file, info, self.name, text, tuple(parts), problem, FileTooSlow.reason
                )
        return Migration(file, info, self.name, text, tuple(parts))


def read_sql(
    text: str,
    info: FileInfo,
    leading: Sequence[ops.Op] = (),
    deadline: float | None = None,
    parse: StatementReader | None = None,
) -> Part:
    """One part of a migration from its decoded text; `leading` Ops (a decoding problem)
    come first. Past the `deadline`, the part ends where reading stopped (no `end`)."""
    parse = parse or parse_statement
    split = split_statements(text, info.dialect)
    info = directives.declared(replace(info, statements=len(split.statements)), split.comments)
    whole_file = tuple(s for s in directives.suppressions(split.comments) if s.whole_file)
    assured = directives.assured_blocks(split.comments)  # diesel-guard's safety-assured
    read = [ReadStatement(op.loc.line, (op,)) for op in leading]
    for stmt in split.statements:
        if deadline is not None and time.monotonic() > deadline:
            comments = tuple(split.comments)
            return Part(info, text, tuple(read), comments, whole_file, stopped_at=stmt.line)
        suppressed = tuple(
            s for s in directives.suppressions(stmt.comments) if not s.whole_file
        ) + tuple(directives.assured(assured, stmt.line))
        try:
            parsed = parse(stmt, info.path, info.dialect)
            found = with_block_contents(parsed, info.path, info.dialect, parse)
        except Exception as error:  # a reader's bug costs this statement only
            read.append(ReadStatement(stmt.line, (), suppressed, failure(error), stmt))
            continue
        read.append(ReadStatement(stmt.line, tuple(found), suppressed, source=stmt))
    end = _end_of_file(text, info.path)
    return Part(info, text, tuple(read), tuple(split.comments), whole_file, end)


def with_block_contents(
    found: list[ops.Op], path: str, dialect: str, parse: StatementReader = parse_statement
) -> list[ops.Op]:
    """The Ops of a statement, each DO block followed by the plain DDL inside it."""
    if not any(isinstance(op, ops.DoBlock) for op in found):
        return found
    expanded: list[ops.Op] = []
    for op in found:
        expanded.append(op)
        if isinstance(op, ops.DoBlock):
            for stmt, guarded in inner_statements(op):
                expanded.extend(guard(parse(stmt, path, dialect), guarded))
    return expanded


def _end_of_file(text: str, path: str) -> ops.EndOfFile:
    """An Op at the file's last line, for rules about the file as a whole."""
    line = max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
    return ops.EndOfFile(loc=ops.Location(path, line, 1, line, 1))


def _too_slow(line: int, budget: float) -> str:
    return (
        f"linting stopped at line {line}: the file took longer than its time_budget of "
        f"{budget:g} s; the rest of it was not checked"
    )


def _binary(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "saved as UTF-16, which the database client does not read: not linted"
    return "binary file, not SQL: not linted"


def decode(data: bytes, path: str) -> tuple[str, tuple[ops.Op, ...]]:
    """UTF-8 text; other encodings are read leniently and reported once."""
    try:
        return data.decode("utf-8-sig"), ()
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        message = f"not valid UTF-8 (byte 0x{data[error.start]:02x}); read as Latin-1"
        return data.decode("latin-1"), (NonUtf8File.at(path, message, line, column),)
