"""Split a migration file into statements with exact positions and attached comments.

The splitter is a small single-pass lexer: a compiled regex jumps from one interesting
token (delimiter, quote, comment, dollar quote) to the next, so `;` inside strings,
quoted identifiers, comments and dollar-quoted bodies never splits a statement. It
never raises: unterminated constructs simply run to the end of the file.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from functools import lru_cache

from migralint.sql.statements import Comment, Statement

__all__ = ["SplitResult", "mask_templates", "split_statements"]

# Go templates (`{{ .X }}`, `{{- x -}}`, may span lines) and Flyway placeholders (`${x}`).
_TEMPLATE = re.compile(r"\{\{[^{}]+\}\}|\$\{[^{}\s]+\}")
# The inside of `'{{1,2},{3,4}}'`-style PostgreSQL array literals, which are not templates.
_ARRAY_BODY = re.compile(r'[-+]?\d|"|[^\s,]*,')
_FILLER = "_tpl"

_NEWLINE = re.compile(r"\n")
_BLANK = re.compile(r"[\s\ufeff]*")
_DIRECTIVE = re.compile(r"(?i:delimiter)[ \t]+(\S+)[^\n]*")
_COPY_FROM_STDIN = re.compile(r"copy\b.*\bfrom\s+stdin\b", re.IGNORECASE | re.DOTALL)
_COPY_DATA_END = re.compile(r"^\\\.\r?$", re.MULTILINE)
_NESTED_BLOCK = re.compile(r"/\*|\*/")
_CREATE_TRIGGER = re.compile(r"create\s+(?:temp(?:orary)?\s+)?trigger\b", re.IGNORECASE)
_ENDS_WITH_END = re.compile(r"(?<![\w$])end\s*\Z", re.IGNORECASE)
_CREATE_ROUTINE = re.compile(
    r"create\s+(?:or\s+replace\s+)?(?:definer\s*=\s*\S+\s+)?"
    r"(?:trigger|procedure|function|event)\b",
    re.IGNORECASE,
)
_BLOCK_OPENER = re.compile(r"(?<![\w$])(?:begin|case)(?![\w$])", re.IGNORECASE)
_BLOCK_CLOSER = re.compile(
    r"(?<![\w$])end(?![\w$])(?!\s+(?:if|loop|repeat|while)(?![\w$]))", re.IGNORECASE
)

_MYSQL_FAMILY = frozenset({"mysql", "mariadb", "doris", "starrocks", "singlestore", "tidb"})
_E_STRING_DIALECTS = frozenset({"postgres", "postgresql", "redshift", "materialize", "risingwave"})
_NESTED_COMMENT_DIALECTS = _E_STRING_DIALECTS | {"tsql", "fabric"}
_BACKTICK_DIALECTS = _MYSQL_FAMILY | {
    "sqlite",
    "bigquery",
    "spark",
    "spark2",
    "databricks",
    "hive",
    "clickhouse",
    "athena",
}


def mask_templates(text: str) -> str:
    """Replace template placeholders with same-length SQL-safe identifiers so positions stay exact.

    `{{ ... }}` Go template actions and `${name}` Flyway placeholders become `_tpl___...`
    of the same length; newlines inside a placeholder stay where they are. Bodies that look
    like PostgreSQL array literals (`'{{1,2},{3,4}}'`, `'{{a,b}}'`) are left alone.
    """
    if "{" not in text:
        return text
    return _TEMPLATE.sub(_mask_match, text)


def _mask_match(match: re.Match[str]) -> str:
    """The same-length identifier that replaces one placeholder (newlines kept in place)."""
    source = match.group()
    if source.startswith("{{") and _ARRAY_BODY.match(source, 2):
        return source
    filler = (_FILLER + "_" * len(source))[: len(source)]
    if "\n" not in source and "\r" not in source:
        return filler
    return "".join(ch if ch in "\r\n" else fill for ch, fill in zip(source, filler, strict=True))


@dataclass(frozen=True, slots=True)
class SplitResult:
    """The statements of a file plus every comment in it, both in file order."""

    statements: tuple[Statement, ...]
    comments: tuple[Comment, ...]


@dataclass(frozen=True, slots=True)
class _Lexicon:
    """The lexical rules of one dialect family."""

    mysql: bool  # backslash escapes in '...' and "...", `#` comments, `-- ` needs a blank
    e_strings: bool  # E'...' strings with backslash escapes
    backticks: bool  # `identifier`
    nested_comments: bool  # /* /* */ */
    dollar_quotes: bool  # $$...$$, $tag$...$tag$
    trigger_bodies: bool  # SQLite: `;` inside CREATE TRIGGER ... BEGIN ... END does not split


def _lexicon(dialect: str) -> _Lexicon:
    """The lexical rules for a sqlglot dialect name."""
    name = (dialect or "").lower()
    mysql = name in _MYSQL_FAMILY
    return _Lexicon(
        mysql=mysql,
        e_strings=name in _E_STRING_DIALECTS,
        backticks=name in _BACKTICK_DIALECTS,
        nested_comments=name in _NESTED_COMMENT_DIALECTS,
        dollar_quotes=not mysql,
        trigger_bodies=name == "sqlite",
    )


_PLAIN_SQ = r"'[^']*(?:''[^']*)*'?"
_BACKSLASH_SQ = r"'[^'\\]*(?:(?:\\[\s\S]?|'')[^'\\]*)*'?"
_PLAIN_DQ = r'"[^"]*(?:""[^"]*)*"?'
_BACKSLASH_DQ = r'"[^"\\]*(?:(?:\\[\s\S]?|"")[^"\\]*)*"?'


@lru_cache(maxsize=64)
def _token_pattern(lex: _Lexicon, delimiter: str) -> re.Pattern[str]:
    """The regex that finds the next token that matters for splitting.

    Strings and quoted identifiers are matched whole (to the end of the text when
    unterminated); comments and dollar quotes are finished by the caller.
    """
    parts = [f"(?P<delim>{re.escape(delimiter)})"]
    starts = delimiter[0] + "-/'\""
    if lex.mysql:
        parts.append(r"(?P<line>(?:--(?![^\s\x00-\x1f])|\#)[^\n]*)")
        starts += "#"
    else:
        parts.append(r"(?P<line>--[^\n]*)")
    parts.append(r"(?P<block>/\*)")
    if lex.e_strings:
        parts.append(r"(?P<estr>(?<![\w$])[eE]" + _BACKSLASH_SQ + ")")
        starts += "eE"
    parts.append("(?P<str>" + (_BACKSLASH_SQ if lex.mysql else _PLAIN_SQ) + ")")
    parts.append("(?P<ident>" + (_BACKSLASH_DQ if lex.mysql else _PLAIN_DQ) + ")")
    if lex.backticks:
        parts.append(r"(?P<backtick>`[^`]*(?:``[^`]*)*`?)")
        starts += "`"
    if lex.dollar_quotes:
        parts.append(r"(?P<dollar>(?<![\w$])\$(?:[^\W\d]\w*)?\$)")
        starts += "$"
    # The leading character class lets the regex engine skip uninteresting text quickly.
    return re.compile(f"(?=[{re.escape(starts)}])(?:{'|'.join(parts)})")


class _Splitter:
    """One pass over one (masked) text."""

    def __init__(self, text: str, lex: _Lexicon) -> None:
        self.text = text
        self.size = len(text)
        self.lex = lex
        self.line_starts = [0, *(m.end() for m in _NEWLINE.finditer(text))]
        self.bom = text.startswith("\ufeff")
        self.delimiter = ";"
        self.pattern = _token_pattern(lex, self.delimiter)
        self.statements: list[Statement] = []
        self.comments: list[Comment] = []
        self.pending: list[Comment] = []  # comments waiting for the next statement
        self.previous_delimiter_line = -1  # line of the last statement's delimiter

    def run(self) -> SplitResult:
        """Split the whole text."""
        pos = 0
        while pos < self.size:
            pos = self._skip_between(pos)
            if pos < self.size:
                pos = self._statement(pos)
        return SplitResult(tuple(self.statements), tuple(self.comments))

    # -- between statements -------------------------------------------------------

    def _skip_between(self, pos: int) -> int:
        """Skip blanks, comments, empty statements and client directives; return the next start."""
        text = self.text
        while True:
            pos = _BLANK.match(text, pos).end()  # type: ignore[union-attr]
            if pos >= self.size:
                return self.size
            char = text[pos]
            if char == "\\":  # psql meta-command such as \connect or \set
                pos = self._line_end(pos)
                continue
            if char in "dD" and self._at_line_start(pos):
                directive = _DIRECTIVE.match(text, pos)
                if directive:
                    self._set_delimiter(directive.group(1))
                    pos = directive.end()
                    continue
            match = self.pattern.match(text, pos)
            if match is None:
                return pos
            kind = match.lastgroup
            if kind == "delim":
                pos = match.end()
            elif kind in ("line", "block"):
                comment, pos = self._read_comment(match)
                self._attach_between(comment)
            else:
                return pos

    def _attach_between(self, comment: Comment) -> None:
        """Give a comment between statements to the previous or the next statement."""
        if self.statements and comment.line == self.previous_delimiter_line:
            last = self.statements[-1]
            self.statements[-1] = replace(last, comments=(*last.comments, comment))
        else:
            self.pending.append(comment)

    def _set_delimiter(self, delimiter: str) -> None:
        self.delimiter = delimiter
        self.pattern = _token_pattern(self.lex, delimiter)

    def _at_line_start(self, pos: int) -> bool:
        line_start = self.line_starts[bisect_right(self.line_starts, pos) - 1]
        return _BLANK.fullmatch(self.text, line_start, pos) is not None

    def _line_end(self, pos: int) -> int:
        end = self.text.find("\n", pos)
        return self.size if end < 0 else end

    # -- inside a statement -------------------------------------------------------

    def _statement(self, start: int) -> int:
        """Scan the statement starting at `start`; return the position after its delimiter."""
        text, pattern = self.text, self.pattern
        comments, self.pending = self.pending, []
        pos = start
        while True:
            match = pattern.search(text, pos)
            if match is None:
                self._finish(start, self.size, comments, None)
                return self.size
            kind = match.lastgroup
            if kind == "delim":
                if self._in_routine_body(start, match.start()):
                    pos = match.end()
                    continue
                self._finish(start, match.start(), comments, match.start())
                return self._skip_copy_data(start, match.end())
            if kind in ("line", "block"):
                comment, pos = self._read_comment(match)
                comments.append(comment)
            elif kind == "dollar":
                tag = match.group()
                close = text.find(tag, match.end())
                pos = self.size if close < 0 else close + len(tag)
            else:
                pos = match.end()

    def _in_routine_body(self, start: int, delim: int) -> bool:
        """Whether a delimiter is inside a trigger or routine body: SQLite's trigger
        bodies (like `sqlite3_complete`), and MySQL's `BEGIN … END` compound statements
        written without a DELIMITER directive (as multi-statement clients send them)."""
        if self.lex.trigger_bodies and _CREATE_TRIGGER.match(self.text, start):
            return _ENDS_WITH_END.search(self.text, start, delim) is None
        if self.lex.mysql and self.delimiter == ";" and _CREATE_ROUTINE.match(self.text, start):
            body = self.text[start:delim]
            return len(_BLOCK_OPENER.findall(body)) > len(_BLOCK_CLOSER.findall(body))
        return False

    def _finish(self, start: int, stop: int, comments: list[Comment], delim: int | None) -> None:
        """Record the statement text[start:stop] without its trailing blanks."""
        text = self.text
        end = stop
        while end > start and (text[end - 1].isspace() or text[end - 1] == "\ufeff"):
            end -= 1
        line, column = self._position(start)
        end_line, end_column = self._position(end - 1)
        self.statements.append(
            Statement(
                text=text[start:end],
                offset=start,
                end_offset=end,
                line=line,
                column=column,
                end_line=end_line,
                end_column=end_column,
                comments=tuple(comments),
            )
        )
        self.previous_delimiter_line = -1 if delim is None else self._position(delim)[0]

    def _skip_copy_data(self, start: int, pos: int) -> int:
        """After `COPY ... FROM stdin;` skip the inline data up to its `\\.` line."""
        if self.lex.mysql or self.text[start] not in "cC":
            return pos
        if not _COPY_FROM_STDIN.match(self.statements[-1].text):
            return pos
        end = _COPY_DATA_END.search(self.text, pos)
        return self.size if end is None else end.end()

    # -- shared helpers -----------------------------------------------------------

    def _read_comment(self, match: re.Match[str]) -> tuple[Comment, int]:
        """Record the comment that `match` starts; return it and the position after it."""
        start = match.start()
        if match.lastgroup == "block":
            end, closed = self._block_end(match.end())
            body = self.text[start + 2 : end - 2 if closed else end]
        else:
            end = match.end()
            raw = match.group()
            body = raw[1:] if raw.startswith("#") else raw[2:]
        comment = Comment(body.strip(), *self._position(start))
        self.comments.append(comment)
        return comment, end

    def _block_end(self, pos: int) -> tuple[int, bool]:
        """The end of a block comment whose body starts at `pos`, and whether it is closed."""
        if not self.lex.nested_comments:
            close = self.text.find("*/", pos)
            return (self.size, False) if close < 0 else (close + 2, True)
        depth = 1
        for marker in _NESTED_BLOCK.finditer(self.text, pos):
            depth += 1 if marker.group() == "/*" else -1
            if depth == 0:
                return marker.end(), True
        return self.size, False

    def _position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of an offset; a leading BOM does not count as a column."""
        index = bisect_right(self.line_starts, offset) - 1
        column = offset - self.line_starts[index] + 1
        if index == 0 and self.bom and offset > 0:
            column -= 1
        return index + 1, column


def split_statements(text: str, dialect: str = "postgres") -> SplitResult:
    """Split SQL text into statements (after masking templates), with their comments.

    Statement texts are exact slices of `mask_templates(text)`. Never raises.
    """
    return _Splitter(mask_templates(text), _lexicon(dialect)).run()
