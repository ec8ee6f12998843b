"""Turn one statement into Ops: keyword recognisers first, sqlglot for the rest.

sqlglot reads the statement after `normalise` has rewritten the valid spellings it does
not know; where it still fails, ALTER TABLE and CREATE fall back to keyword readers.

Each statement is parsed on its own, so one statement that does not parse costs only
itself: it becomes an `Unparsed` Op and every other statement is still read.
"""

from __future__ import annotations

import functools
import logging
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from migralint.sql import commands, fast_ddl, ops
from migralint.sql.alter_actions import mysql_options, special_actions, split_actions
from migralint.sql.facts import statement_facts, with_text_facts
from migralint.sql.names import QNAME, RESERVED, parse_name
from migralint.sql.normalise import SKIPPED, blank_comments, normalise
from migralint.sql.statements import Statement

if TYPE_CHECKING:
    from sqlglot import exp
    from sqlglot.dialects.dialect import Dialect

# Statements no rule needs to see inside; they are recorded as Raw without a parse.
_RAW_KEYWORDS = frozenset(
    [
        "GRANT",
        "REVOKE",
        "COMMENT",
        "COPY",
        "ANALYZE",
        "ANALYSE",
        "CALL",
        "NOTIFY",
        "SECURITY",
        "SHOW",
        "USE",
        "RESET",
        "DISCARD",
        "SAVEPOINT",
        "RELEASE",
        "PREPARE",
        "EXECUTE",
        "DEALLOCATE",
        "LISTEN",
        "UNLISTEN",
        "LOAD",
        "CHECKPOINT",
        "EXPLAIN",
        "DECLARE",
        "FETCH",
        "CLOSE",
        "MOVE",
        "IMPORT",
        "REASSIGN",
        "VALUES",
        "TABLE",
        "PERFORM",
        "PRAGMA",
        "FLUSH",
        "OPTIMIZE",
        "CHECKSUM",
        "REPAIR",
        "KILL",
        "HANDLER",
        "SOURCE",
        "SIGNAL",
        "RESIGNAL",
    ]
)

_RECOGNISERS: dict[str, tuple[commands.Recogniser, ...]] = {
    "DROP": (commands.drop,),
    "REINDEX": (commands.reindex,),
    "LOCK": (commands.lock,),
    "TRUNCATE": (commands.truncate,),
    "SET": (commands.set_setting,),
    "SELECT": (commands.set_setting,),
    "BEGIN": (commands.transaction,),
    "START": (commands.transaction,),
    "COMMIT": (commands.transaction,),
    "END": (commands.transaction,),
    "ROLLBACK": (commands.transaction,),
    "ABORT": (commands.transaction,),
    "DO": (commands.do_block,),
    "VACUUM": (commands.maintenance,),
    "CLUSTER": (commands.maintenance,),
    "REFRESH": (commands.maintenance,),
    "INSERT": (commands.insert,),
    "REPLACE": (commands.insert,),
}

# PostgreSQL's `SELECT … INTO t FROM …` creates t (MySQL's INTO names variables or files).
_SELECT_INTO_DIALECTS = ("postgres", "cockroach")
_INTO = re.compile(r"\bINTO\b", re.IGNORECASE)
_LEADING_WORDS = re.compile(r"[A-Za-z]+(?:\s+[A-Za-z]+){0,4}")
# CREATE forms that sqlglot models well; other CREATEs go to the keyword recogniser.
_SQLGLOT_CREATE = re.compile(
    r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?(?:TEMP(?:ORARY)?\s+|UNLOGGED\s+)?"
    r"(?:(?:UNIQUE|FULLTEXT|SPATIAL|INVERTED)\s+)?"
    r"(?:TABLE|INDEX|VIEW|MATERIALIZED\s+VIEW|RECURSIVE\s+VIEW)\b",
    re.IGNORECASE,
)
# A view's Op holds its kind and name only, which the keyword reader gives exactly as
# sqlglot does (and is what a view gets when sqlglot cannot read it): its query, the
# costly part to parse, is read by no rule and no catalog.
_CREATE_VIEW = re.compile(
    r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?(?:TEMP(?:ORARY)?\s+)?"
    r"(?:MATERIALIZED\s+|RECURSIVE\s+)?VIEW\b",
    re.IGNORECASE,
)
_SQLGLOT_DIALECTS = {
    "postgres": "postgres",
    "cockroach": "postgres",
    "mysql": "mysql",
    "sqlite": "sqlite",
}
_RENAME_TABLES = re.compile(r"RENAME\s+TABLE\s+(?P<pairs>.+)$", re.IGNORECASE | re.DOTALL)
_RENAME_PAIR = re.compile(rf"(?P<old>{QNAME})\s+TO\s+(?P<new>{QNAME})", re.IGNORECASE)

logging.getLogger("sqlglot").setLevel(logging.CRITICAL)


def location(stmt: Statement, path: str) -> ops.Location:
    return ops.Location(
        path,
        stmt.line,
        stmt.column,
        stmt.end_line,
        stmt.end_column,
        stmt.text,
        statement_facts(stmt.text),
    )


def parse_statement(
    stmt: Statement, path: str, dialect: str = "postgres", *, fast: bool = True
) -> list[ops.Op]:
    """The Ops one statement performs. SQL that does not parse is an `Unparsed` Op; a
    bug in a reader raises, and the engine reports it as `internal-error`. `fast=False`
    sends the DDL shapes `fast_ddl` reads to sqlglot instead (to compare the two)."""
    loc = location(stmt, path)
    depth, too_deep = _nesting(stmt.text)
    if too_deep is not None:
        error = f"brackets nested more than {MAX_NESTING} deep"
        return [ops.Unparsed.at(loc, error, too_deep)]
    try:
        with _stack_room(depth):
            return with_text_facts(_parse(stmt.text, loc, dialect, fast), stmt.text)
    except RecursionError:  # deeper than the raised limit allows: the SQL, not a bug
        return [ops.Unparsed.at(loc, "statement nested too deeply to read")]


# sqlglot reads and writes nested brackets recursively, about 22 frames a level.
MAX_NESTING = 100
_FRAMES_PER_LEVEL = 30
_BRACKETS = re.compile(f"{SKIPPED}|(?P<open>[([])|(?P<close>[)\\]])", re.IGNORECASE | re.DOTALL)


def _nesting(text: str) -> tuple[int, int | None]:
    """How deep brackets nest outside strings and comments (at most), and the offset of
    the first bracket deeper than MAX_NESTING (None if there is none)."""
    opening = text.count("(") + text.count("[")
    if opening <= MAX_NESTING:  # cannot nest deeper than it opens: no need to scan
        return opening, None
    depth = deepest = 0
    for m in _BRACKETS.finditer(text):
        if m["open"]:
            depth += 1
            if depth > MAX_NESTING:
                return depth, m.start()
            deepest = max(deepest, depth)
        elif m["close"]:
            depth -= 1
    return deepest, None


@contextmanager
def _stack_room(depth: int) -> Iterator[None]:
    """The recursion limit raised by what `depth` nested brackets need, then restored.

    The limit is the interpreter's, not the thread's: statements are parsed in one
    thread per process.
    """
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(limit + depth * _FRAMES_PER_LEVEL)
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def _parse(text: str, loc: ops.Location, dialect: str, fast: bool) -> list[ops.Op]:
    if text.startswith("\\"):  # a psql meta-command: the splitter makes each its own statement
        return [ops.Raw(loc=loc, kind="psql meta-command", command=text[1:])]
    text = blank_comments(text, dialect)
    words = _LEADING_WORDS.match(text)
    if words is None:
        return _sqlglot_ops(text, loc, dialect, "")
    keywords = words.group(0).upper().split()
    first = keywords[0]
    if first in _RAW_KEYWORDS:
        return [ops.Raw(loc=loc, kind=first)]
    for recognise in _RECOGNISERS.get(first, ()):
        found = recognise(text, loc, dialect)
        if found is not None:
            return found
    if first == "SELECT" and dialect in _SELECT_INTO_DIALECTS and _INTO.search(text):
        found = _sqlglot_ops(text, loc, dialect, first)  # `SELECT … INTO t`: a CREATE TABLE
        if not isinstance(found[0], ops.Unparsed):
            return found
    if first in ("SELECT", "REINDEX"):  # not set_config(); SQLite's bare `REINDEX name`
        return [ops.Raw(loc=loc, kind=first)]
    view = first == "CREATE" and _CREATE_VIEW.match(text)
    if view and (found := commands.create_object(text, loc, dialect)):
        return found
    if first == "CREATE" and not _SQLGLOT_CREATE.match(text):
        return commands.create_object(text, loc, dialect) or [ops.Raw(loc=loc, kind="CREATE")]
    if first == "ALTER" and keywords[1:2] != ["TABLE"]:
        found = (
            commands.alter_type_add_value(text, loc, dialect)
            or commands.alter_domain_add_constraint(text, loc, dialect)
            or commands.rename_object(text, loc, dialect)
            or commands.set_schema(text, loc, dialect)
        )
        return found or [ops.Raw(loc=loc, kind=" ".join(keywords[:2]))]
    if first == "RENAME" and dialect == "mysql":
        return _mysql_rename_tables(text, loc)
    if fast and first in ("CREATE", "ALTER") and dialect in fast_ddl.DIALECTS:
        found = fast_ddl.read_ddl(text, loc)
        if found is not None:
            return found
    if first == "ALTER":
        special = special_actions(text, loc, dialect)
        if special is not None:
            return _special_alter_table(special, text, loc, dialect)
        return _sqlglot_ops(text, loc, dialect, first) + mysql_options(text, loc, dialect)
    return _sqlglot_ops(text, loc, dialect, first)


def _special_alter_table(
    special: list[ops.Op | None], text: str, loc: ops.Location, dialect: str
) -> list[ops.Op]:
    """The Ops of an ALTER TABLE with actions sqlglot cannot model (`special_actions`):
    theirs, where every action is one; else each action read on its own, as sqlglot
    would drop or misread them among the others."""
    from migralint.sql.alter_table import alter_table_fallback

    if None not in special:
        return [op for op in special if op is not None]
    return alter_table_fallback(text, loc, dialect) or [ops.Raw(loc=loc, kind="ALTER TABLE")]


def _sqlglot_ops(text: str, loc: ops.Location, dialect: str, first: str) -> list[ops.Op]:
    """Ops from sqlglot's tree of the normalised text, with keyword fallbacks where it fails."""
    from sqlglot import exp

    from migralint.sql.alter_table import alter_table_ops
    from migralint.sql.sqlglot_ops import tree_ops

    try:
        tree = _parse_one(normalise(text, dialect), dialect)
    except Exception as error:  # ParseError, and the tokenizer's and recursion limits' errors
        found = _fallback(first, text, loc, dialect)
        if not found or isinstance(found[0], ops.Unparsed):
            return [_sqlglot_error(error, loc)]
        return found
    if isinstance(tree, exp.Command):
        found = _fallback(first, text, loc, dialect)
        if found is not None:
            return found
        if tree.name.upper() in ("ALTER", "CREATE"):
            return [ops.Unparsed.at(loc, f"unsupported {tree.name.upper()} syntax")]
        return [ops.Raw(loc=loc, kind=tree.name.upper())]
    if isinstance(tree, exp.Alter):
        return alter_table_ops(tree, text, loc, dialect)
    if isinstance(tree, (exp.Condition, exp.Alias)):
        return [ops.Unparsed.at(loc, "not a SQL statement")]
    return tree_ops(tree, loc, dialect)


_WORD = re.compile(r"[A-Za-z_][\w$]*")
_POSTGRES = frozenset({"postgres", "cockroach"})
_KEYWORD_RETRIES = 3


def _parse_one(text: str, dialect: str) -> exp.Expression:
    """sqlglot's tree of `text`. Where sqlglot stops at a word PostgreSQL does not reserve
    (`GROUP BY lock`), PostgreSQL reads it as a name: read again with it quoted, as the
    name it folds to (a few times per statement)."""
    import sqlglot

    for _ in range(_KEYWORD_RETRIES):
        try:
            return sqlglot.parse_one(text, read=_sqlglot_dialect(dialect))
        except sqlglot.errors.ParseError as error:
            quoted = _unreserved_word_quoted(text, error) if dialect in _POSTGRES else None
            if quoted is None:
                raise
            text = quoted
    return sqlglot.parse_one(text, read=_sqlglot_dialect(dialect))


def _unreserved_word_quoted(text: str, error: Exception) -> str | None:
    """`text` with the bare word sqlglot's error points at quoted, if PostgreSQL does not
    reserve it."""
    first = (getattr(error, "errors", None) or [{}])[0]
    line, column, word = first.get("line"), first.get("col"), first.get("highlight") or ""
    if not (line and column) or not _WORD.fullmatch(word) or word.lower() in RESERVED:
        return None
    lines = text.split("\n")
    if line > len(lines):
        return None
    start = sum(len(x) + 1 for x in lines[: line - 1]) + column - len(word)
    if text[start : start + len(word)] != word or text[start - 1 : start] in ('"', "."):
        return None
    return f'{text[:start]}"{word.lower()}"{text[start + len(word) :]}'


def preload(dialects: Iterable[str]) -> None:
    """Import sqlglot, its readers for `dialects` and the modules that read its trees now
    (before worker processes fork, so that each inherits them instead of importing them)."""
    from migralint.sql import alter_table, assignments, references, sqlglot_ops  # noqa: F401

    for dialect in dialects:
        _sqlglot_dialect(dialect)


@functools.cache
def _sqlglot_dialect(dialect: str) -> Dialect:
    """sqlglot's reader for our dialect, made once: a name would make a new one per call."""
    from sqlglot.dialects.dialect import Dialect

    return Dialect.get_or_raise(_SQLGLOT_DIALECTS.get(dialect, "postgres"))


def _fallback(first: str, text: str, loc: ops.Location, dialect: str) -> list[ops.Op] | None:
    """Keyword readings for ALTER TABLE and CREATE forms that sqlglot cannot model."""
    if first == "ALTER":
        from migralint.sql.alter_table import alter_table_fallback

        return alter_table_fallback(text, loc, dialect)
    if first == "CREATE":
        return commands.create_object(text, loc, dialect)
    return None


_TOKEN = re.compile(r"<Token token_type: [\w.]+, text: (?P<text>.*?), line: \d+, col: \d+.*?>")


def _token_text(m: re.Match[str]) -> str:
    return "the end of the statement" if m["text"] == "SENTINEL" else repr(m["text"])


def _sqlglot_error(error: Exception, loc: ops.Location) -> ops.Unparsed:
    """Point at the error inside the statement when sqlglot says where it is."""
    errors = getattr(error, "errors", None) or [{}]
    first = errors[0]
    line, column = first.get("line"), first.get("col")
    message = first.get("description") or str(error).splitlines()[0]
    message = _TOKEN.sub(_token_text, message)
    if not (line and column):
        return ops.Unparsed.at(loc, message)
    highlight = first.get("highlight") or ""
    if highlight and "\n" not in highlight:  # sqlglot points at the token's last character
        column -= len(highlight) - 1
    at_line = loc.line + line - 1
    at_column = loc.column + column - 1 if line == 1 else column
    return ops.Unparsed(loc=loc, error=message, line=at_line, column=max(at_column, 1))


def _mysql_rename_tables(text: str, loc: ops.Location) -> list[ops.Op]:
    m = _RENAME_TABLES.match(text)
    if not m:
        return [ops.Raw(loc=loc, kind="RENAME")]
    found: list[ops.Op] = []
    for _, pair in split_actions(m["pairs"]):
        if p := _RENAME_PAIR.fullmatch(pair):
            old, new = parse_name(p["old"], "mysql"), parse_name(p["new"], "mysql")
            found.append(ops.RenameTable(loc=loc, table=old, new_name=new.name))
    return found or [ops.Raw(loc=loc, kind="RENAME")]
