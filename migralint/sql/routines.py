"""What a `LANGUAGE sql` function's call becomes: PostgreSQL inlines a function whose
body is one `SELECT expr` (or `RETURN expr`) with nothing else into that expression,
and then the expression's own functions, not the declared volatility, decide whether
a default calling it is computed per row.

The conditions are those of PostgreSQL's `inline_function` (optimizer/util/clauses.c)
that a migration can meet: a plain SELECT of one column with no FROM, WHERE, GROUP BY,
HAVING, ORDER BY, LIMIT, DISTINCT, WITH, set operation, sub-query, aggregate or window
function; no SECURITY DEFINER; no SET clause.
"""

from __future__ import annotations

import re

from migralint.sql.normalise import SKIPPED

NOT_INLINED = ""  # an `inlined` value: PostgreSQL calls the function as it is declared

_F = re.IGNORECASE | re.DOTALL
_SKIPPED = re.compile(SKIPPED, _F)
_QUOTED_BODY = re.compile(
    r"\bAS\s+(?:\$(?P<tag>[^\W\d]\w*|)\$(?P<dollar>.*?)\$(?P=tag)\$|'(?P<quoted>(?:[^']|'')*)')",
    _F,
)
_RETURN = re.compile(r"\bRETURN\b(?P<expression>.*?);?\s*$", _F)
_NEVER_INLINED = re.compile(r"\bSECURITY\s+DEFINER\b|\bSET\s+\w+(?:\.\w+)?\s*(?:=|\bTO\b)", _F)
_SELECT_CLAUSES = (  # sqlglot's argument names (`from_` in newer releases)
    *("from", "from_", "joins", "laterals", "where", "group", "having", "qualify", "windows"),
    *("order", "limit", "offset", "distinct", "with", "into"),
)


def inlined(text: str) -> str | None:
    """For a `LANGUAGE sql` CREATE FUNCTION: the expression its calls are inlined as;
    NOT_INLINED when PostgreSQL calls it as declared; None when the body cannot be read."""
    head = _SKIPPED.sub(lambda m: " " * len(m[0]), text)  # same length: same positions
    if _NEVER_INLINED.search(head):
        return NOT_INLINED
    body = _QUOTED_BODY.search(text)
    if body is not None:
        quoted = body["quoted"]
        sql = body["dollar"] if quoted is None else quoted.replace("''", "'")
        return _select_expression(sql.strip().rstrip(";").strip())
    returned = _RETURN.search(head)
    if returned is not None:
        return _expression(text[returned.start("expression") : returned.end("expression")])
    return None


def _select_expression(sql: str) -> str | None:
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(sql, read="postgres")
    except Exception:  # ParseError, and the tokenizer's errors: the body is not read
        return None
    if not isinstance(tree, exp.Select) or len(tree.expressions) != 1:
        return NOT_INLINED
    if any(tree.args.get(clause) for clause in _SELECT_CLAUSES):
        return NOT_INLINED
    return _judged(tree.expressions[0])


def _expression(sql: str) -> str | None:
    import sqlglot

    try:
        tree = sqlglot.parse_one(sql.strip(), read="postgres")
    except Exception:
        return None
    return _judged(tree)


def _judged(expression: object) -> str:
    """The expression's SQL, or NOT_INLINED when it holds what stops inlining."""
    from sqlglot import exp

    assert isinstance(expression, exp.Expression)
    blocked = (exp.Select, exp.Subquery, exp.AggFunc, exp.Window)
    if any(isinstance(node, blocked) for node in expression.walk()):
        return NOT_INLINED
    return expression.sql(dialect="postgres")
