"""The facts rules need from a statement's text, read once while the statement is parsed.

Rules judge Ops and never read statement text: whatever a rule needs to know that the
Op model does not say (the statement on one line for a message, its string literals,
the tables it reads, where a column is defined) is read here and put on the Op or its
`Location.facts`. One place, so that another front end (Alembic) can fill the same
facts from its own source.
"""

from __future__ import annotations

import re
from dataclasses import replace

from migralint.sql import ops

_WORD = re.compile(r"\S+")
_LITERAL = re.compile(r"'(?:[^']|'')*'")
_READS = re.compile(
    r'\b(?:FROM|JOIN)\s+(?:"?\w+"?\.)?(?:"(?P<quoted>[^"]+)"|(?P<bare>\w+))(?![\w.])',
    re.IGNORECASE,
)
_SEQUENCE_START = re.compile(r"\bSTART\s+(?:WITH\s+)?\d|\bRESTART\b|\bsetval\s*\(", re.IGNORECASE)
_ANTI_JOIN = re.compile(r"\bNOT\s+(?:EXISTS|IN)\b|\bEXCEPT\b|\bIS\s+NULL\b", re.IGNORECASE)


def statement_facts(text: str) -> ops.StatementFacts:
    """The facts of one statement's text (see `ops.StatementFacts`)."""
    return ops.StatementFacts(
        shown=_one_line(text, ops.SHOWN_WIDTH),
        literals=frozenset(_LITERAL.findall(text)) if "'" in text else frozenset(),
        reads=frozenset((m["quoted"] or m["bare"]).lower() for m in _READS.finditer(text)),
        sets_sequence_start=sets_sequence_start(text),
    )


def sets_sequence_start(text: str) -> bool:
    """True when the text says where a sequence starts (START WITH n, RESTART, setval)."""
    return bool(_SEQUENCE_START.search(text))


def with_text_facts(found: list[ops.Op], text: str) -> list[ops.Op]:
    """The Ops of a statement, completed with what only its text says: where each column
    of a CREATE TABLE is defined, whether an INSERT … SELECT skips existing rows."""
    return [_completed(op, text) for op in found]


def _completed(op: ops.Op, text: str) -> ops.Op:
    if isinstance(op, ops.CreateTable) and op.columns:
        columns = tuple(replace(c, position=_position(op.loc, text, c.name)) for c in op.columns)
        return replace(op, columns=columns)
    if isinstance(op, ops.Insert) and op.from_query and _ANTI_JOIN.search(text):
        return replace(op, skips_existing=True)
    return op


def _one_line(text: str, width: int) -> str:
    """The statement's words joined by single spaces, read only until past `width`."""
    shown = ""
    for word in _WORD.finditer(text):
        shown = f"{shown} {word[0]}" if shown else word[0]
        if len(shown) > width:
            break
    return shown


def _position(loc: ops.Location, text: str, name: str) -> tuple[int, int] | None:
    """Where the definition of column `name` starts inside a CREATE TABLE's text."""
    start = max(text.find("("), 0)
    if text.isascii() and _PLAIN_NAME.fullmatch(name):
        at = ascii_definition_offset(text.lower(), name.lower(), start)
    else:  # case-insensitive matching beyond ASCII: the regular expression's own
        at = definition_offset(text, name, start)
    if at is None:
        return None
    before = text[:at]
    newline = before.rfind("\n")
    line = loc.line + before.count("\n")
    column = at - newline if newline >= 0 else loc.column + at
    return line, column


_PLAIN_NAME = re.compile(r"[A-Za-z0-9_$]+")
_NOT_BEFORE = frozenset('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$"`')
_QUOTES = frozenset('"`')


def definition_offset(text: str, name: str, start: int) -> int | None:
    """Where, from `start` on, `name` first stands as a word (maybe quoted) followed by
    more text: the start of its column definition."""
    pattern = r'(?<![\w$"`])["`]?' + re.escape(name) + r'["`]?\s+\S'
    m = re.compile(pattern, re.IGNORECASE).search(text, start)
    return None if m is None else m.start()


def ascii_definition_offset(text: str, name: str, start: int) -> int | None:
    """`definition_offset` for lower-case ASCII `text` and a plain `name`, without
    compiling an expression for each name: the same first match, found by `str.find`."""
    end = len(text)
    i = text.find(name, start)
    while i >= 0:
        at = i - 1 if i > 0 and text[i - 1] in _QUOTES else i
        if at >= start and (at == 0 or text[at - 1] not in _NOT_BEFORE):
            k = i + len(name)
            if k < end and text[k] in _QUOTES:
                k += 1
            if k < end and text[k].isspace():
                while k < end and text[k].isspace():
                    k += 1
                if k < end:
                    return at
        i = text.find(name, i + 1)
    return None
