"""Plain DDL inside `DO $$ … $$` blocks, read as if written at the top level.

Migrations wrap DDL in anonymous blocks to guard it (`IF NOT EXISTS (…) THEN ALTER
TABLE …`) or to loop over tables. The block's body is split like a file; every inner
statement that starts with a DDL or data keyword is parsed with its real position in
the file, and marked `guarded` when a condition or an exception handler makes a
re-run safe. Dynamic SQL (`EXECUTE '…'`) stays unread.
"""

from __future__ import annotations

import dataclasses
import re

from migralint.sql import ops
from migralint.sql.split import split_statements
from migralint.sql.statements import Statement

_BODY = re.compile(r"\$(?P<tag>[A-Za-z_]\w*)?\$(?P<body>.*?)\$(?P=tag)?\$", re.DOTALL)
# A DDL statement starts at the body's start or after a PL/pgSQL keyword that opens a
# statement list.
_INNER = re.compile(
    r"(?:\A|\b(?:BEGIN|THEN|ELSE|LOOP)\b)\s*(?P<ddl>(?:ALTER|CREATE|DROP|UPDATE|DELETE|TRUNCATE|"
    r"INSERT|COMMENT|GRANT|REINDEX|LOCK)\b)",
    re.IGNORECASE,
)
_IF_OR_END = re.compile(r"\bEND\s+IF\b|\bIF\b(?P<cond>[^;]*?)\bTHEN\b", re.IGNORECASE | re.DOTALL)
_HANDLER = re.compile(r"\bEXCEPTION\s+WHEN\b", re.IGNORECASE)


def inner_statements(block: ops.DoBlock) -> list[tuple[Statement, bool]]:
    """(statement, guarded) for each plain statement of a DO block, positioned in the file."""
    text = block.loc.statement
    m = _BODY.search(text)
    if m is None:
        return []
    body, body_start = m["body"], m.start("body")
    handled = bool(_HANDLER.search(body))
    found: list[tuple[Statement, bool]] = []
    for inner in split_statements(body).statements:
        start = _INNER.search(inner.text)
        if start is None:
            continue
        prefix = body[: inner.offset + start.start("ddl")]
        guarded = handled or _open_guard(prefix)
        offset = body_start + inner.offset + start.start("ddl")
        found.append(
            (_statement_at(block.loc, text, offset, inner.text[start.start("ddl") :]), guarded)
        )
    return found


def _open_guard(prefix: str) -> bool:
    """True when the text before a statement leaves an `IF … EXISTS … THEN` open,
    counting nested IF … END IF pairs."""
    stack: list[bool] = []
    for m in _IF_OR_END.finditer(prefix):
        if m["cond"] is None:
            if stack:
                stack.pop()
        else:
            stack.append(bool(re.search(r"\bEXISTS\b", m["cond"], re.IGNORECASE)))
    return any(stack)


def _statement_at(loc: ops.Location, text: str, offset: int, inner: str) -> Statement:
    before = text[:offset]
    line = loc.line + before.count("\n")
    column = offset - before.rfind("\n") if "\n" in before else loc.column + offset
    last = text[: offset + len(inner)]
    end_line = loc.line + last.count("\n")
    end_column = len(last) - last.rfind("\n") - 1 if "\n" in last else loc.column + len(last) - 1
    return Statement(inner, offset, offset + len(inner), line, column, end_line, end_column)


def guard(op_list: list[ops.Op], guarded: bool) -> list[ops.Op]:
    return [dataclasses.replace(op, guarded=True) for op in op_list] if guarded else op_list
