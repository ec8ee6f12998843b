"""Plain DDL inside `DO $$ … $$` blocks, read as if written at the top level.

Migrations wrap DDL in anonymous blocks to guard it (`IF NOT EXISTS (…) THEN ALTER
TABLE …`) or to loop over tables. The block's body is split like a file; every inner
statement that starts with a DDL or data keyword is parsed with its real position in
the file, and marked `guarded` when a condition or an exception handler makes a
re-run safe. Dynamic SQL (`EXECUTE '…'`) cannot be read: the block lists where each
EXECUTE stands, so what was not checked is reported. One pass over the body: time is
linear in its size.
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_right

from migralint.sql import ops
from migralint.sql.split import DOLLAR_TAG, IDENT_CHAR, IDENT_START, split_statements
from migralint.sql.statements import Statement

# The opening tag of the block's body, as PostgreSQL reads dollar-quote tags.
_OPENING_TAG = re.compile(DOLLAR_TAG)
# A DDL statement starts at the body's start or after a PL/pgSQL keyword that opens a
# statement list.
_INNER = re.compile(
    r"(?:\A|\b(?:BEGIN|THEN|ELSE|LOOP)\b)\s*(?P<ddl>(?:ALTER|CREATE|DROP|UPDATE|DELETE|TRUNCATE|"
    r"INSERT|COMMENT|GRANT|REINDEX|LOCK|WITH)\b)",
    re.IGNORECASE,
)
# EXECUTE at the start of a PL/pgSQL statement, and the first keyword of its literal SQL.
_EXECUTE = re.compile(
    r"(?:\A|\b(?:BEGIN|THEN|ELSE|LOOP)\b)\s*(?P<execute>EXECUTE\b)", re.IGNORECASE
)
_LITERAL_KEYWORD = re.compile(r"[^;']*?'\s*(?P<keyword>[A-Za-z]+)")
# What opens and closes IF blocks; an IF's condition runs to its THEN (or is no IF at `;`).
_IF_TOKEN = re.compile(r"\bEND\s+IF\b|\bIF\b|\bTHEN\b|;", re.IGNORECASE)
_EXISTS = re.compile(r"\bEXISTS\b", re.IGNORECASE)
_HANDLER = re.compile(r"\bEXCEPTION\s+WHEN\b", re.IGNORECASE)
_LINE_BREAK = re.compile(r"\r\n?|\n")


def _body(text: str) -> tuple[int, str] | None:
    """(offset, text) of a DO block's dollar-quoted body in the statement's text."""
    opening = _OPENING_TAG.search(text)
    if opening is None:
        return None
    body_start = opening.end()
    close = text.find(opening.group(), body_start)
    return body_start, text[body_start : close if close >= 0 else len(text)]


def executes(block: ops.DoBlock) -> tuple[ops.Execute, ...]:
    """Each EXECUTE of the block, at its position in the file."""
    text = block.loc.statement
    found = _body(text)
    if found is None:
        return ()
    body_start, body = found
    place = _Placer(block.loc, text)
    dynamic: list[ops.Execute] = []
    for inner in split_statements(body).statements:
        m = _EXECUTE.search(inner.text)
        if m is None:
            continue
        at = m.start("execute")
        stmt = place(body_start + inner.offset + at, inner.text[at:])
        literal = _LITERAL_KEYWORD.match(stmt.text, len("EXECUTE"))
        keyword = literal["keyword"].upper() if literal else None
        dynamic.append(ops.Execute(stmt.line, stmt.column, keyword))
    return tuple(dynamic)


_WORD = re.compile(f"{IDENT_START}{IDENT_CHAR}*")


def words(block: ops.DoBlock) -> frozenset[str]:
    """The lower-cased words of the block's body, in string literals too (`'by_k'`)."""
    found = _body(block.loc.statement)
    return frozenset(w.lower() for w in _WORD.findall(found[1])) if found else frozenset()


_LOOP_TOKEN = re.compile(r"\bEND\s+LOOP\b|\bLOOP\b", re.IGNORECASE)


def loops(block: ops.DoBlock) -> tuple[tuple[tuple[int, int], tuple[int, int]], ...]:
    """(start, end) line and column in the file of each outermost `LOOP … END LOOP` of
    the block (FOR, WHILE and FOREACH loops end their header with LOOP too)."""
    text = block.loc.statement
    found = _body(text)
    if found is None:
        return ()
    body_start, body = found
    place = _Placer(block.loc, text)
    spans: list[tuple[tuple[int, int], tuple[int, int]]] = []
    depth, start = 0, 0
    for token in _LOOP_TOKEN.finditer(body):
        if token.group().upper() == "LOOP":
            depth += 1
            start = token.start() if depth == 1 else start
        elif depth:
            depth -= 1
            if not depth:
                stmt = place(body_start + start, body[start : token.end()])
                spans.append(((stmt.line, stmt.column), (stmt.end_line, stmt.end_column)))
    return tuple(spans)


def inner_statements(block: ops.DoBlock) -> list[tuple[Statement, bool]]:
    """(statement, guarded) for each plain statement of a DO block, positioned in the file."""
    text = block.loc.statement
    found_body = _body(text)
    if found_body is None:
        return []
    body_start, body = found_body
    handled = bool(_HANDLER.search(body))
    guards = _Guards(body)
    place = _Placer(block.loc, text)
    found: list[tuple[Statement, bool]] = []
    for inner in split_statements(body).statements:
        start = _INNER.search(inner.text)
        if start is None:
            continue
        at = inner.offset + start.start("ddl")
        guarded = handled or guards.open_at(at)
        statement = place(body_start + at, inner.text[start.start("ddl") :])
        found.append((statement, guarded))
    return found


class _Guards:
    """Whether an `IF … EXISTS … THEN` is open at a position of the body, counting
    nested IF … END IF pairs; positions must be asked in increasing order."""

    def __init__(self, body: str) -> None:
        self.body = body
        self.tokens = _IF_TOKEN.finditer(body)
        self.stack: list[bool] = []
        self.condition: int | None = None  # where the pending IF's condition starts
        self.upcoming: re.Match[str] | None = next(self.tokens, None)

    def open_at(self, position: int) -> bool:
        while self.upcoming is not None and self.upcoming.end() <= position:
            self._read(self.upcoming)
            self.upcoming = next(self.tokens, None)
        return any(self.stack)

    def _read(self, token: re.Match[str]) -> None:
        word = token.group().upper()
        if word.startswith("END"):
            if self.stack:
                self.stack.pop()
        elif word == "IF":
            if self.condition is None:
                self.condition = token.end()
        elif self.condition is not None:  # THEN closes the condition, `;` drops it
            if word == "THEN":
                self.stack.append(bool(_EXISTS.search(self.body, self.condition, token.start())))
            self.condition = None


class _Placer:
    """Statements at offsets of a statement's text, with their lines and columns in the
    file (`\\n`, `\\r\\n` and a lone `\\r` each end a line, as the splitter counts)."""

    def __init__(self, loc: ops.Location, text: str) -> None:
        self.loc = loc
        self.line_starts = [0, *(m.end() for m in _LINE_BREAK.finditer(text))]

    def __call__(self, offset: int, inner: str) -> Statement:
        line, column = self._position(offset)
        end_line, end_column = self._position(offset + len(inner) - 1)
        return Statement(inner, offset, offset + len(inner), line, column, end_line, end_column)

    def _position(self, offset: int) -> tuple[int, int]:
        index = bisect_right(self.line_starts, offset) - 1
        column = offset - self.line_starts[index] + (1 if index else self.loc.column)
        return self.loc.line + index, column


def guard(op_list: list[ops.Op], guarded: bool) -> list[ops.Op]:
    return [dataclasses.replace(op, guarded=True) for op in op_list] if guarded else op_list
