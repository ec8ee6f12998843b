"""Length-preserving rewrites of valid SQL that sqlglot rejects or misreads.

sqlglot does not know every spelling a database accepts: PostgreSQL's SQL-standard
`text ARRAY`, `bit varying`, identity options, `CREATE INDEX … ON ONLY`, MySQL's
`ALGORITHM=INPLACE` after an index, SQLite's `WITHOUT ROWID`, CockroachDB's `STORING`.
Each rule rewrites such a spelling into one sqlglot reads the same way (or blanks a
clause no rule looks at), padded with spaces to the same length, so the positions in
sqlglot's errors still point into the statement as written. Strings, quoted
identifiers and comments are never touched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from migralint.sql.names import IDENT, RESERVED

_F = re.IGNORECASE | re.DOTALL
# Text no rule may touch: strings, quoted identifiers, comments, dollar-quoted bodies.
# One left open runs to the end, as the database reads it (and each is scanned once).
SKIPPED = (
    r"'(?:[^']|'')*(?:'|\Z)|\"(?:[^\"]|\"\")*(?:\"|\Z)|`[^`]*(?:`|\Z)|--[^\n]*|"
    r"/\*.*?(?:\*/|\Z)|(?<![\w$])\$(?P<tag>[^\W\d]\w*|)\$.*?(?:\$(?P=tag)\$|\Z)"
)
# The word (or closing bracket, or quoted name) just before a position.
_PREVIOUS = re.compile(r'(?:[\w$]+|"[^"]*"|[)\]])\s*\Z')
# Words after which ARRAY starts a constructor (`DEFAULT ARRAY[1]`), not a type suffix.
_BEFORE_CONSTRUCTOR = RESERVED | {"return", "by"}

Rule = tuple[str, Callable[[re.Match[str], str], str]]


def _blank(m: re.Match[str], text: str) -> str:
    """Spaces in place of the whole match (newlines kept, so lines stay where they are)."""
    return re.sub(r"[^\r\n]", " ", m.group())


def _blank_group(name: str) -> Callable[[re.Match[str], str], str]:
    """Spaces in place of one named group of the match."""

    def blank(m: re.Match[str], text: str) -> str:
        start, end = m.span(name)
        whole = m.group()
        offset = m.start()
        return (
            whole[: start - offset]
            + re.sub(r"[^\r\n]", " ", whole[start - offset : end - offset])
            + whole[end - offset :]
        )

    return blank


_CREATE = re.compile(r"\s*CREATE\b", re.IGNORECASE)


def _blank_in_create(m: re.Match[str], text: str) -> str:
    """Spaces in place of the match in a CREATE statement; elsewhere it stays."""
    return _blank(m, text) if _CREATE.match(text) else m.group()


def _padded(replacement: str) -> Callable[[re.Match[str], str], str]:
    """`replacement` padded with spaces to the length of the match."""
    return lambda m, text: replacement.ljust(len(m.group()))


def _not_null_as_column(m: re.Match[str], text: str) -> str:
    """`, CONSTRAINT n NOT NULL col` → `, col CONSTRAINT n NOT NULL`: a table-level not-null
    constraint (PostgreSQL 18) as a column definition without a type, which the reader
    merges into the column's own definition."""
    if not _CREATE.match(text):
        return m.group()
    lead, head, sep, col = m["nn_lead"], m["nn_head"], m["nn_sep"], m["nn_col"]
    return (lead + col + sep + head).ljust(len(m.group()))


def _array_type(m: re.Match[str], text: str) -> str:
    """`text ARRAY` → `text[]`, `int ARRAY[4]` → `int[4]`; constructors stay as they are."""
    before = _PREVIOUS.search(text, max(0, m.start() - 200), m.start())
    if before is None or before.group().strip().lower() in _BEFORE_CONSTRUCTOR:
        return m.group()
    if m["dims"]:
        return " " * len(m["arr"]) + m["dims"]
    return "[]".ljust(len(m.group()))


_POSTGRES: list[Rule] = [
    (r"(?<!\s)(?P<arr>\s+ARRAY\b)(?P<dims>\s*\[)?(?!\s*\()", _array_type),
    (
        r"(?P<nn_lead>[(,]\s*)(?P<nn_head>(?:CONSTRAINT\s+" + IDENT + r"\s+)?NOT\s+NULL)"
        r"(?P<nn_sep>\s+)(?P<nn_col>" + IDENT + r")(?:\s+NO\s+INHERIT\b)?(?=\s*[,)])",
        _not_null_as_column,
    ),
    (r"\bBIT\s+VARYING\b", _padded("varbit")),
    (r"\bAS\s+IDENTITY\s*(?P<options>\((?:[^()]|\([^()]*\))*\))", _blank_group("options")),
    (r"\bON\s+DELETE\s+SET\s+(?:NULL|DEFAULT)\s*(?P<cols>\([^()]*\))", _blank_group("cols")),
    (r"(?<=\))\s*NO\s+INHERIT\b", _blank),
    (r"(?<=\))\s*NOT\s+VALID\b", _blank_in_create),  # CREATE TABLE makes it valid anyway
    (r"(?<=\))\s*VIRTUAL\b", _blank),
    (r"(?<!SET\s)\b(?:COMPRESSION\s+\w+|STORAGE\s+(?:PLAIN|EXTERNAL|EXTENDED|MAIN))\b", _blank),
    (r"\bON\s+(?P<only>ONLY)\b", _blank_group("only")),
    (r"\bNULLS\s+NOT\s+DISTINCT\b", _blank),
    (r"\bON\s+COMMIT\s+DROP\b", _blank),
    (r"\bWITH(?:OUT)?\s+OIDS\b", _blank),
]
_COCKROACH: list[Rule] = [
    *_POSTGRES,
    (r"\b(?P<inv>INVERTED)\s+INDEX\b", _blank_group("inv")),
    (r"\bSTORING(?=\s*\()", _padded("INCLUDE")),
    (r"(?<=\))\s*USING\s+HASH\b(?:\s+WITH\s*\([^()]*\))?", _blank),
    (r"\bADD\s+CONSTRAINT\s+(?P<ine>IF\s+NOT\s+EXISTS)\b", _blank_group("ine")),
]
_MYSQL: list[Rule] = [
    (  # index options after the column list
        r"(?<=\))(?:\s*\b(?:(?:ALGORITHM|LOCK|KEY_BLOCK_SIZE)\s*(?:=\s*)?\w+|USING\s+(?:BTREE|HASH)\b|"
        r"COMMENT\s*(?:=\s*)?'(?:[^'\\]|\\.|'')*'|(?:IN)?VISIBLE\b))+",
        _blank,
    ),
    (r"\bUSING\s+(?:BTREE|HASH)\b", _blank),
    (r"\bSRID\s+\d+", _blank),
    (r"\bCREATE\s+(?P<ft>FULLTEXT|SPATIAL)\b", _blank_group("ft")),
]
_SQLITE: list[Rule] = [
    (r"(?<=\))\s*WITHOUT\s+ROWID\b", _blank),
    # The several-word type names of SQLite's documentation, as the one word they mean.
    (r"\bUNSIGNED\s+BIG\s+INT\b", _padded("bigint")),
    (r"\bVARYING\s+CHARACTER\b", _padded("varchar")),
    (r"\bNATIVE\s+CHARACTER\b", _padded("nchar")),
    (r"\bUPDATE\s+(?P<upd>OR\s+(?:ROLLBACK|ABORT|REPLACE|FAIL|IGNORE))\b", _blank_group("upd")),
    (  # the index's schema: SQLite's `CREATE INDEX main.idx ON t`
        r"\bINDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?(?P<schema>(?:\w+|\"[^\"]*\"|`[^`]*`)\s*\.\s*)"
        r"(?=[\w\"`])",
        _blank_group("schema"),
    ),
    (r"\bON\s+CONFLICT\s+(?:ROLLBACK|ABORT|FAIL|IGNORE|REPLACE)\b", _blank),
]
_RULES = {"postgres": _POSTGRES, "cockroach": _COCKROACH, "mysql": _MYSQL, "sqlite": _SQLITE}


@lru_cache(maxsize=8)
def _compiled(dialect: str) -> tuple[re.Pattern[str], tuple[Callable[..., str], ...]]:
    """One pattern for a dialect: skipped text first, then each rule as a numbered group."""
    rules = _RULES.get(dialect, _POSTGRES)
    groups = "|".join(f"(?P<r{i}>{pattern})" for i, (pattern, _) in enumerate(rules))
    return re.compile(f"(?P<skip>{SKIPPED})|{groups}", _F), tuple(fix for _, fix in rules)


_SKIPPED = re.compile(SKIPPED, _F)


def blank_comments(text: str, dialect: str) -> str:
    """`text` with its comments as spaces (newlines kept), so keyword readers see only
    SQL; MySQL's executable `/*! … */` comments stay, as MySQL runs them."""

    def blank(m: re.Match[str]) -> str:
        comment = m.group()[:2] in ("--", "/*") and not (
            dialect == "mysql" and m.group().startswith("/*!")
        )
        return _blank(m, text) if comment else m.group()

    return _SKIPPED.sub(blank, text) if "--" in text or "/*" in text else text


def normalise(text: str, dialect: str) -> str:
    """`text` with every spelling sqlglot misreads rewritten; same length, same lines."""
    pattern, fixes = _compiled(dialect)

    def rewrite(m: re.Match[str]) -> str:
        if m.lastgroup == "skip":
            return m.group()
        return fixes[int(m.lastgroup[1:])](m, text)  # type: ignore[index]

    return pattern.sub(rewrite, text)
