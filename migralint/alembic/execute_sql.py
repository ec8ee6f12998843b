"""SQL a revision passes to `op.execute` (or the connection), read by the SQL front end.

Every Op the SQL yields is placed at the Python `op.` call, so a finding points at the
line a reviewer sees; the statement's SQL and its facts stay on the location.
"""

from __future__ import annotations

import dataclasses

from migralint.frontends.sql import with_block_contents
from migralint.sql import ops
from migralint.sql.parse import parse_statement
from migralint.sql.split import split_statements


def sql_ops(sql: str, at: ops.Location, dialect: str) -> list[ops.Op]:
    """The Ops of every statement of `sql`, DO blocks followed by the DDL inside them."""
    found: list[ops.Op] = []
    for stmt in split_statements(sql, dialect).statements:
        parsed = with_block_contents(parse_statement(stmt, at.path, dialect), at.path, dialect)
        found += [_placed(op, at, stmt.text) for op in parsed]
    return found


def _placed(op: ops.Op, at: ops.Location, statement: str) -> ops.Op:
    loc = dataclasses.replace(at, statement=op.loc.statement or statement, facts=op.loc.facts)
    if isinstance(op, ops.Unparsed):
        return dataclasses.replace(op, loc=loc, line=at.line, column=at.column)
    return dataclasses.replace(op, loc=loc)
