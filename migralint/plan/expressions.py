"""Column expressions for plans: `--up 'amount_cents / 100.0'` read as SQL, checked, and
rewritten to read a trigger's row (`NEW."amount_cents" / 100.0`).

The expression is parsed with sqlglot (PostgreSQL) and only its column references are
replaced, at their exact positions in the text; everything else stays as the user wrote
it. Quoted identifiers keep their case (`"Amount"` is not `amount`); a reference may be
qualified by the table's own name. One expression only: no `;`, no statement, no
subquery (a subquery's column references cannot be told apart from the row's; wrap such
a lookup in a SQL function and call it).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import TokenType

from migralint.plan.model import PlanError
from migralint.sql.names import identifier, quote

_STATEMENTS = (
    exp.Query,
    exp.DML,
    exp.DDL,
    exp.Command,
    exp.Block,
    exp.Set,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
)


@dataclass(frozen=True)
class Expression:
    """An SQL expression over one row's columns, as the user wrote it."""

    text: str
    columns: frozenset[str]  # the folded names it reads
    _spans: tuple[tuple[int, int, str], ...]  # (start, end inclusive, column) per reference

    def on(self, record: str) -> str:
        """The expression reading the columns of `record` (NEW or OLD) in a trigger."""
        out, last = [], 0
        for start, end, column in self._spans:
            out.append(self.text[last:start])
            out.append(f"{record}.{quote(column)}")
            last = end + 1
        out.append(self.text[last:])
        return "".join(out)


def parse(text: str, table: str, option: str) -> Expression:
    """Read `text` as one expression over the columns of `table`; PlanError if it is not."""
    text = text.strip()
    where = f"{option} {text!r}"
    if not text:
        raise PlanError(f"{option} is empty: give an SQL expression")
    try:
        tokens = sqlglot.tokenize(text, read="postgres")
        tree = sqlglot.parse_one(text, read="postgres")
    except (ParseError, TokenError) as error:
        raise PlanError(f"{where} is not an SQL expression: {error}") from None
    if any(t.token_type == TokenType.SEMICOLON for t in tokens) or isinstance(tree, _STATEMENTS):
        raise PlanError(f"{where} must be one expression, not a statement")
    if tree.find(exp.Query) is not None:
        raise PlanError(
            f"{where} has a subquery; wrap the lookup in a SQL function and call it instead"
        )
    if "$sync$" in text or "$backfill$" in text:
        raise PlanError(f"{where} contains a dollar-quote tag the plan uses")
    spans: list[tuple[int, int, str]] = []
    for column in tree.find_all(exp.Column):
        ident = column.this
        if not isinstance(ident, exp.Identifier) or "start" not in ident.meta:
            raise PlanError(f"{where}: cannot read the column reference {column.sql()}")
        qualifier = column.args.get("table")
        start = ident.meta["start"]
        if qualifier is not None:
            if column.args.get("db") is not None or identifier(qualifier) != table:
                raise PlanError(f"{where}: {column.sql()} is not a column of {table}")
            start = qualifier.meta["start"]
        spans.append((start, ident.meta["end"], identifier(ident)))
    spans.sort()
    return Expression(text, frozenset(c for _, _, c in spans), tuple(spans))
