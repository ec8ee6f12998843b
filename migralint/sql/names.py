"""Identifiers as the database folds them, from SQL text or from sqlglot nodes."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from migralint.sql.ops import Name

if TYPE_CHECKING:
    from sqlglot import exp

# One identifier: "quoted ""x""", `backticked`, a bare word, or a psql variable (`:name`,
# which psql, and runners that copy it, replace with a name before the server reads it).
IDENT = r'(?:"(?:[^"]|"")+"|`[^`]+`|\[[^\]]+\]|(?<!:):(?!:)[^\W\d][\w$]*|[^\W\d][\w$]*)'
# Up to three dotted parts: database.schema.name.
QNAME = rf"{IDENT}(?:\s*\.\s*{IDENT}){{0,2}}"

_PART = re.compile(IDENT)
_LEADING_NAME = re.compile(rf"\s*{QNAME}")


def fold(ident: str, dialect: str = "postgres") -> str:
    """The stored form of one identifier token: quotes removed, bare words folded."""
    if ident[:1] == '"' and ident[-1:] == '"':
        return ident[1:-1].replace('""', '"')
    if ident[:1] in "`[" and len(ident) > 1:
        return ident[1:-1]
    return ident.removeprefix(":").lower()  # a psql variable: named as sqlglot names it


def parse_name(text: str, dialect: str = "postgres") -> Name:
    """`public."Users"` → Name("Users", "public"); the last two dotted parts count."""
    parts = [fold(p, dialect) for p in _PART.findall(text)]
    if not parts:
        return Name(text.strip())
    if len(parts) == 1:
        return Name(parts[0])
    return Name(parts[-1], parts[-2])


def leading_name(text: str, dialect: str = "postgres") -> Name | None:
    """The name `text` starts with (`f` of `f(int, text)`); None if it starts with none."""
    m = _LEADING_NAME.match(text)
    return parse_name(m.group(), dialect) if m else None


def identifier(node: exp.Expression | str | None, dialect: str = "postgres") -> str:
    """The folded name of a sqlglot Identifier (or of a node whose `this` is one).

    sqlglot keeps some names as plain text (SQLite's type names): they fold as bare words.
    """
    from sqlglot import exp

    while isinstance(node, exp.Expression) and not isinstance(node, exp.Identifier):
        if isinstance(node, (exp.Literal, exp.Var)):
            return str(node.this)
        node = node.args.get("this")
    if isinstance(node, str):
        return node.lower()
    if not isinstance(node, exp.Identifier):
        return ""
    return node.this if node.quoted else node.this.lower()


def table_name(node: exp.Expression, dialect: str = "postgres") -> Name:
    """The Name of a sqlglot Table (or Schema wrapping one)."""
    from sqlglot import exp

    table = node if isinstance(node, exp.Table) else node.find(exp.Table)
    if table is None:
        return Name(identifier(node, dialect))
    schema = table.args.get("db")
    return Name(
        identifier(table.this, dialect),
        identifier(schema, dialect) if schema is not None else None,
    )


# PostgreSQL's reserved key words (SQL Key Words appendix): these must be quoted.
RESERVED = frozenset(
    [
        "all",
        "analyse",
        "analyze",
        "and",
        "any",
        "array",
        "as",
        "asc",
        "asymmetric",
        "authorization",
        "binary",
        "both",
        "case",
        "cast",
        "check",
        "collate",
        "collation",
        "column",
        "concurrently",
        "constraint",
        "create",
        "cross",
        "current_catalog",
        "current_date",
        "current_role",
        "current_schema",
        "current_time",
        "current_timestamp",
        "current_user",
        "default",
        "deferrable",
        "desc",
        "distinct",
        "do",
        "else",
        "end",
        "except",
        "false",
        "fetch",
        "for",
        "foreign",
        "freeze",
        "from",
        "full",
        "grant",
        "group",
        "having",
        "ilike",
        "in",
        "initially",
        "inner",
        "intersect",
        "into",
        "is",
        "isnull",
        "join",
        "lateral",
        "leading",
        "left",
        "like",
        "limit",
        "localtime",
        "localtimestamp",
        "natural",
        "not",
        "notnull",
        "null",
        "offset",
        "on",
        "only",
        "or",
        "order",
        "outer",
        "overlaps",
        "placing",
        "primary",
        "references",
        "returning",
        "right",
        "select",
        "session_user",
        "similar",
        "some",
        "symmetric",
        "system_user",
        "table",
        "tablesample",
        "then",
        "to",
        "trailing",
        "true",
        "union",
        "unique",
        "user",
        "using",
        "variadic",
        "verbose",
        "when",
        "where",
        "window",
        "with",
    ]
)
_PLAIN = re.compile(r"[a-z_][a-z0-9_$]*")


def quote(ident: str) -> str:
    """An identifier as PostgreSQL must read it back: quoted unless plain and unreserved."""
    if _PLAIN.fullmatch(ident) and ident not in RESERVED:
        return ident
    return '"' + ident.replace('"', '""') + '"'


def quote_name(name: Name) -> str:
    return f"{quote(name.schema)}.{quote(name.name)}" if name.schema else quote(name.name)
