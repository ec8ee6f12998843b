"""SQL the user writes on the command line (`--up 'amount_cents / 100.0'`, `--where`,
`--default`, `--using`, `--type`), checked and re-rendered before a plan writes it.

The text is parsed with sqlglot (PostgreSQL) and must be exactly one expression (or one
type): no `;`, no statement, no subquery (a subquery's column references cannot be told
apart from the row's; wrap such a lookup in a SQL function and call it), no comment, no
psql variable. It is then re-rendered token by token: strings and quoted identifiers are
written afresh, everything else as the user wrote it, so what PostgreSQL reads is the one
expression sqlglot saw, and nothing in it can end the statement, a comment or a
dollar-quoted body of the plan. In an `Expression` the column references can be replaced
to read a trigger's row (`NEW."amount_cents" / 100.0`). Quoted identifiers keep their
case (`"Amount"` is not `amount`); a reference may be qualified by the table's own name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import Token, TokenType

from migralint.plan import sql
from migralint.plan.model import PlanError, shown
from migralint.sql.names import identifier

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
_STRINGS = (TokenType.STRING, TokenType.HEREDOC_STRING, TokenType.NATIONAL_STRING)
_REFUSED = {
    TokenType.SEMICOLON: "must be one expression, not statements",
    TokenType.PARAMETER: "has a parameter ($1): write the value itself",
    TokenType.UNICODE_STRING: "has a U&'' string: write the characters themselves",
}


@dataclass(frozen=True)
class Expression:
    """An SQL expression over one row's columns, checked and re-rendered."""

    text: str  # re-rendered, reading the columns unqualified
    columns: frozenset[str]  # the folded names it reads
    _tokens: tuple[Token, ...]
    _spans: tuple[tuple[int, int, str], ...]  # (start, end inclusive, column) per reference

    def on(self, record: str) -> str:
        """The expression reading the columns of `record` (NEW or OLD) in a trigger."""
        return _render(
            self._tokens, {s: (e, f"{record}.{sql.ident(c)}") for s, e, c in self._spans}
        )


def expression(text: str, option: str) -> str:
    """`text` as one SQL expression, re-rendered; PlanError if it is not one."""
    return _render(_read(text, option)[1], {})


def sql_type(text: str, option: str = "--type") -> str:
    """`text` as one PostgreSQL type (`numeric(10,2)`, `"Mood"[]`), re-rendered;
    PlanError if it is not exactly one type."""
    tokens = _tokens(text, option)
    try:
        tree = sqlglot.parse_one(f"CAST(NULL AS {text})", read="postgres")
    except (ParseError, TokenError) as error:
        raise PlanError(f"{option} {shown(text)!r} is not a type: {_first_line(error)}") from None
    if not (isinstance(tree, exp.Cast) and isinstance(tree.this, exp.Null)):
        raise PlanError(f"{option} {shown(text)!r} must be one type")
    return _render(tokens, {})


def parse(text: str, table: str, option: str) -> Expression:
    """Read `text` as one expression over the columns of `table`; PlanError if it is not."""
    tree, tokens = _read(text, option)
    where = f"{option} {shown(text.strip())!r}"
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
    unqualified = _render(tokens, {s: (e, sql.ident(c)) for s, e, c in spans})
    if "$sync$" in unqualified:  # replace_column's sync function body is quoted with it
        raise PlanError(f"{where} contains a dollar-quote tag the plan uses")
    return Expression(unqualified, frozenset(c for _, _, c in spans), tokens, tuple(spans))


def _read(text: str, option: str) -> tuple[exp.Expression, tuple[Token, ...]]:
    """(sqlglot tree, tokens) of one expression."""
    tokens = _tokens(text, option)
    where = f"{option} {shown(text.strip())!r}"
    try:
        tree = sqlglot.parse_one(text, read="postgres")
    except (ParseError, TokenError) as error:
        raise PlanError(f"{where} is not an SQL expression: {_first_line(error)}") from None
    if isinstance(tree, _STATEMENTS):
        raise PlanError(f"{where} must be one expression, not a statement")
    if tree.find(exp.Query) is not None:
        raise PlanError(
            f"{where} has a subquery; wrap the lookup in a SQL function and call it instead"
        )
    return tree, tokens


def _tokens(text: str, option: str) -> tuple[Token, ...]:
    """sqlglot's tokens of `text`, refusing what must not reach a plan."""
    where = f"{option} {shown(text.strip())!r}"
    if not text.strip():
        raise PlanError(f"{option} is empty: give an SQL expression")
    if "\0" in text:
        raise PlanError(f"{where} contains a NUL character")
    try:
        tokens = tuple(sqlglot.tokenize(text, read="postgres"))
    except TokenError as error:
        raise PlanError(f"{where} is not SQL: {_first_line(error)}") from None
    last = 0
    for i, token in enumerate(tokens):
        if token.comments or text[last : token.start].strip():
            raise PlanError(f"{where} has a comment: leave it out")
        if token.token_type in _REFUSED:
            raise PlanError(f"{where} {_REFUSED[token.token_type]}")
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if (
            token.token_type == TokenType.COLON
            and following is not None
            and following.start == token.end + 1
            and following.token_type not in (TokenType.NUMBER, TokenType.COLON)
        ):
            raise PlanError(f"{where} has a psql variable (:name): write the value itself")
        last = token.end + 1
    if text[last:].strip():
        raise PlanError(f"{where} has a comment: leave it out")
    return tokens


def _render(tokens: tuple[Token, ...], replace: dict[int, tuple[int, str]]) -> str:
    """The tokens written back, one space where the user had whitespace; a token
    starting a `replace` span (start → (end, text)) and those up to its end become text."""
    out: list[str] = []
    skip_to, previous_end = -1, None
    for token in tokens:
        if token.start <= skip_to:
            previous_end = token.end
            continue
        if previous_end is not None and token.start > previous_end + 1:
            out.append(" ")
        if token.start in replace:
            skip_to, text = replace[token.start]
            out.append(text)
        else:
            out.append(_token_text(token))
        previous_end = token.end
    return "".join(out)


def _token_text(token: Token) -> str:
    """One token as SQL: strings and quoted identifiers written afresh."""
    kind, text = token.token_type, token.text
    if kind in _STRINGS:
        return sql.literal(text)
    if kind == TokenType.BYTE_STRING:  # E'…': its escapes are left to the user's intent
        if "\\" in text:
            raise PlanError(f"the E'' string {shown(text)!r} has escapes: write a plain string")
        return sql.literal(text)
    if kind == TokenType.BIT_STRING and re.fullmatch(r"[01]*", text):
        return f"B'{text}'"
    if kind == TokenType.HEX_STRING and re.fullmatch(r"[0-9A-Fa-f]*", text):
        return f"X'{text}'"
    if kind == TokenType.IDENTIFIER:
        return sql.ident(text)
    if kind in (TokenType.BIT_STRING, TokenType.HEX_STRING) or "'" in text or '"' in text:
        raise PlanError(f"cannot re-render {shown(text)!r}")
    return text


def _first_line(error: Exception) -> str:
    return shown(str(error).splitlines()[0] if str(error) else type(error).__name__)
