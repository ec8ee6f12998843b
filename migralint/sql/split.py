"""Split a migration file into statements with exact positions and attached comments.

The splitter is a small single-pass lexer that follows the database's own: a compiled
regex jumps from one interesting token (delimiter, quote, comment, dollar quote, psql
backslash) to the next, so `;` inside strings, quoted identifiers, comments and
dollar-quoted bodies never splits a statement. It never raises, and its time is linear
in the size of the text: unterminated constructs simply run to the end of the file.

What each database reads:

- PostgreSQL (and psql) ends a `--` comment at `\\n` or `\\r`; MySQL and SQLite only at
  `\\n`. Block comments nest in PostgreSQL only.
- PostgreSQL reads backslash escapes in `E'…'` strings, and in every string once a file
  sets `standard_conforming_strings` off; MySQL reads them in `'…'` and `"…"` unless
  a `SET sql_mode` names `NO_BACKSLASH_ESCAPES`. The splitter follows both settings.
- SQLite quotes identifiers in `[…]` as well; it has no dollar quotes (`$a` is a parameter).
- MySQL executes the body of `/*! … */`, `/*!NNNNN … */` and MariaDB's `/*M!NNNNNN … */`
  comments: their markers are read as blanks, so the body is linted as statements.
- psql meta-commands (`\\i file`, `\\gexec`, `\\! cmd` …) are statements of their own whose
  text starts with a backslash; each runs to the end of its line (`\\n` only, as psql
  reads lines) or to the next backslash outside quotes: `\\\\` separates it from SQL,
  any other starts the next meta-command (or `\\;`, a `;`). One inside a statement is
  read as blanks in it, as psql leaves it out of the query it sends; `\\g`, `\\gexec`
  and the like end the statement.

Lines: `\\n`, `\\r\\n` and a lone `\\r` each end a line, as psql counts them in its
error positions (and as editors and Python's universal newlines do). Columns count
characters from the line's start.

PostgreSQL statements end where psql 14+ ends them: not at a `;` inside parentheses
(`CREATE RULE … DO ALSO (…; …)`; an unclosed one holds the rest of the file, which the
server then rejects whole), nor inside the `BEGIN … END` of a `CREATE [OR REPLACE]
FUNCTION/PROCEDURE` (SQL-standard `BEGIN ATOMIC` bodies, a `CASE … END` in them counted
too), read from the words outside strings, quoted identifiers and comments as psql does.

Not followed: the data after `COPY … FROM stdin` is skipped, though psql without
ON_ERROR_STOP runs it as SQL when the COPY itself fails.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from functools import lru_cache

from migralint.sql.statements import Comment, Statement

__all__ = ["SplitResult", "mask_templates", "split_statements"]

# Go templates (`{{ .X }}`, `{{- x -}}`, may span lines) and Flyway placeholders (`${x}`).
_TEMPLATE = re.compile(r"\{\{[^{}]+\}\}|\$\{[^{}\s]+\}")
# The inside of `'{{1,2},{3,4}}'`-style PostgreSQL array literals, which are not templates.
_ARRAY_BODY = re.compile(r'[-+]?\d|"|[^\s,]*,')
_FILLER = "_tpl"
# What, inside a placeholder, changes how a database reads the text after it.
_LEXICAL = re.compile(r"['`;\\#\[]|--|/\*|\*/|\$(?:[^\W\d]\w*)?\$")

_LINE_BREAK = re.compile(r"\r\n?|\n")
_BLANK = re.compile(r"[\s\ufeff]*")
_DIRECTIVE = re.compile(r"(?i:delimiter)[ \t]+(\S+)[^\n]*")
_COPY_FROM_STDIN = re.compile(r"\\?copy\b.*\bfrom\s+p?stdin\b", re.IGNORECASE | re.DOTALL)
_COPY_DATA_END = re.compile(r"^\\\.\r?$", re.MULTILINE)
_NESTED_BLOCK = re.compile(r"/\*|\*/")
_CREATE_TRIGGER = re.compile(r"create\s+(?:temp(?:orary)?\s+)?trigger\b", re.IGNORECASE)
_CREATE_ROUTINE = re.compile(
    r"create\s+(?:or\s+replace\s+)?(?:definer\s*=\s*\S+\s+)?"
    r"(?:trigger|procedure|function|event)\b",
    re.IGNORECASE,
)
_BLOCK_OPENER = re.compile(r"(?<![\w$])(?:begin|case)(?![\w$])", re.IGNORECASE)
_BLOCK_CLOSER = re.compile(
    r"(?<![\w$])end(?![\w$])(?!\s+(?:if|loop|repeat|while)(?![\w$]))", re.IGNORECASE
)
# Classes of PostgreSQL identifier characters (every non-ASCII character is a letter to
# it), written as the ASCII they leave out: `[\w$\x80-\U0010ffff]` is the same set, but
# compiling a class that spans the code points costs milliseconds per pattern at start.
IDENT_START = r"[^\x00-\x40\x5b-\x5e\x60\x7b-\x7f]"  # [A-Za-z_] or non-ASCII
IDENT_CHAR = r"[^\x00-\x23\x25-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]"  # [\w$] or non-ASCII
TAG_CHAR = r"[^\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]"  # \w or non-ASCII: no `$`
DOLLAR_TAG = rf"\$(?:{IDENT_START}{TAG_CHAR}*)?\$"
# What psql reads to hold a `;` back (psqlscan.l): parentheses, and the words of a
# statement (the first four name a routine: CREATE [OR REPLACE] FUNCTION/PROCEDURE; then
# BEGIN, CASE and END nest its body). A word is psql's identifier: it starts with a letter
# or `_` and goes on with letters, digits, `_` and `$` (every non-ASCII byte a letter).
_PSQL_WORD = rf"(?<!{IDENT_CHAR}){IDENT_START}{IDENT_CHAR}*"
_PSQL_HEAD = re.compile(rf"[()]|{_PSQL_WORD}")
_PSQL_BODY = re.compile(rf"[()]|(?<!{IDENT_CHAR})(?:begin|case|end)(?!{IDENT_CHAR})", re.IGNORECASE)
_PSQL_PARENS = re.compile(r"[()]")
_PSQL_HEAD_WORDS = {"create": "c", "or": "o", "replace": "r", "function": "f", "procedure": "p"}
_IDENT_CHAR = re.compile(IDENT_CHAR)
_IDENT_RUN = re.compile(f"{IDENT_CHAR}*")
_NUMBER = re.compile(r"0[xXoObB][0-9A-Fa-f_]*|\d[\d_]*(?:\.\d*)?(?:[eE]\d+)?")
_META_NAME = re.compile(r"[^\s\\]*")
# Inside a meta-command's arguments: quoted arguments, a backslash (`\\` separates, any
# other starts the next meta-command), the line's end (psql reads its input in lines that
# end at `\n` only: a lone `\r` does not end one).
_META_ARGUMENT = re.compile(r"'(?:[^'\\\n]|\\[^\n])*'?|\"[^\"\n]*\"?|`[^`\n]*`?|\\|\n")
# Meta-commands that take the rest of the line whole (an unknown or empty name makes psql
# drop the rest of the line too), those whose `|command` argument does, and those that
# send the query buffer.
_WHOLE_LINE_META = frozenset({"", "!", "copy", "ef", "ev", "sf", "sv", "h", "help"})
_PIPE_META = frozenset({"g", "gx", "o", "out", "w", "write"})
_PIPE = re.compile(r"[ \t]*\|")
_SENDING_META = frozenset({"g", "gx", "gexec", "gset", "gdesc", "crosstabview", "watch"})
_SET_SCS = re.compile(
    r"set\s+(?:session\s+|local\s+)?standard_conforming_strings\s*(?:=|to\b)\s*['\"]?(\w*)"
    r"|reset\s+(?:standard_conforming_strings|all)\b()",
    re.IGNORECASE,
)
_SET_CONFIG_SCS = re.compile(
    r"set_config\s*\(\s*'standard_conforming_strings'\s*,\s*'(\w*)'", re.IGNORECASE
)
_BOOLEAN_FALSE = frozenset({"of", "off", "f", "fa", "fal", "fals", "false", "n", "no", "0"})
_SET_SQL_MODE = re.compile(
    r"set\s+(?:session\s+|local\s+|@@session\.|@@local\.|@@)?sql_mode\s*:?=", re.IGNORECASE
)
_NO_BACKSLASH_ESCAPES = re.compile(r"no_backslash_escapes", re.IGNORECASE)

_MYSQL_FAMILY = frozenset({"mysql", "mariadb", "doris", "starrocks", "singlestore", "tidb"})
_POSTGRES_FAMILY = frozenset(
    {"postgres", "postgresql", "cockroach", "cockroachdb", "redshift", "materialize", "risingwave"}
)
_NESTED_COMMENT_DIALECTS = _POSTGRES_FAMILY | {"tsql", "fabric"}
_BRACKET_DIALECTS = frozenset({"sqlite", "tsql", "fabric"})
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
    like PostgreSQL array literals (`'{{1,2},{3,4}}'`, `'{{a,b}}'`) are left alone, and so
    is a placeholder whose masking would change how the database reads the text around it
    (a quote, `;`, comment marker, backslash or dollar tag in it: `'{{'; DROP TABLE t; --}}'`
    is a string, a DROP and a comment to PostgreSQL, and stays that to the splitter).
    """
    if "{" not in text:
        return text
    return _TEMPLATE.sub(_mask_match, text)


def _mask_match(match: re.Match[str]) -> str:
    """The same-length identifier that replaces one placeholder (newlines kept in place)."""
    source = match.group()
    if source.startswith("{{") and _ARRAY_BODY.match(source, 2):
        return source
    if _LEXICAL.search(source) or source.count('"') % 2:
        return source
    filler = (_FILLER + "_" * len(source))[: len(source)]
    if "\n" not in source and "\r" not in source:
        return filler
    return "".join(ch if ch in "\r\n" else fill for ch, fill in zip(source, filler, strict=True))


@dataclass(frozen=True, slots=True)
class SplitResult:
    """The statements of a file plus every comment in it, both in file order.

    `text` is what statement offsets index: the file with its templates masked and the
    markers of MySQL executable comments and psql meta-commands inside statements blanked.
    """

    statements: tuple[Statement, ...]
    comments: tuple[Comment, ...]
    text: str = ""


@dataclass(frozen=True, slots=True)
class _Lexicon:
    """The lexical rules of one dialect family, as the session's settings leave them."""

    mysql: bool  # `#` comments, `-- ` needs a blank, /*! executable comments */
    postgres: bool  # `--` ends at \r too, E'...' strings, $$ quotes, psql meta-commands
    backslash_strings: bool  # backslash escapes in '...' (and "..." in MySQL)
    backticks: bool  # `identifier`
    brackets: bool  # [identifier] (SQLite, SQL Server)
    nested_comments: bool  # /* /* */ */
    trigger_bodies: bool  # SQLite: `;` inside CREATE TRIGGER ... BEGIN ... END does not split


def _lexicon(dialect: str) -> _Lexicon:
    """The lexical rules for a sqlglot dialect name, with the servers' default settings."""
    name = (dialect or "").lower()
    mysql = name in _MYSQL_FAMILY
    return _Lexicon(
        mysql=mysql,
        postgres=name in _POSTGRES_FAMILY,
        backslash_strings=mysql,
        backticks=name in _BACKTICK_DIALECTS,
        brackets=name in _BRACKET_DIALECTS,
        nested_comments=name in _NESTED_COMMENT_DIALECTS,
        trigger_bodies=name == "sqlite",
    )


_PLAIN_SQ = r"'[^']*(?:''[^']*)*'?"
_BACKSLASH_SQ = r"'[^'\\]*(?:(?:\\[\s\S]?|'')[^'\\]*)*'?"
_PLAIN_DQ = r'"[^"]*(?:""[^"]*)*"?'
_BACKSLASH_DQ = r'"[^"\\]*(?:(?:\\[\s\S]?|"")[^"\\]*)*"?'


@lru_cache(maxsize=64)
def _token_pattern(lex: _Lexicon, delimiter: str, in_executable: bool) -> re.Pattern[str]:
    """The regex that finds the next token that matters for splitting.

    Strings and quoted identifiers are matched whole (to the end of the text when
    unterminated); comments, dollar quotes and meta-commands are finished by the caller.
    """
    parts = [f"(?P<delim>{re.escape(delimiter)})"]
    starts = delimiter[0] + "-/'\""
    if lex.mysql:
        parts.append(r"(?P<line>(?:--(?![^\s\x00-\x1f])|\#)[^\n]*)")
        parts.append(r"(?P<executable>/\*M?!\d{0,6})")
        starts += "#"
    elif lex.postgres:
        parts.append(r"(?P<line>--[^\n\r]*)")
    else:
        parts.append(r"(?P<line>--[^\n]*)")
    if in_executable:
        parts.append(r"(?P<close>\*/)")
        starts += "*"
    parts.append(r"(?P<block>/\*)")
    if lex.postgres:
        parts.append(rf"(?P<estr>(?<!{IDENT_CHAR})[eE]" + _BACKSLASH_SQ + ")")
        parts.append(r"(?P<meta>\\)")
        starts += "eE\\"
    parts.append("(?P<str>" + (_BACKSLASH_SQ if lex.backslash_strings else _PLAIN_SQ) + ")")
    parts.append(
        "(?P<ident>" + (_BACKSLASH_DQ if lex.mysql and lex.backslash_strings else _PLAIN_DQ) + ")"
    )
    if lex.backticks:
        parts.append(r"(?P<backtick>`[^`]*(?:``[^`]*)*`?)")
        starts += "`"
    if lex.brackets:
        parts.append(r"(?P<bracket>\[[^\]]*\]?)")
        starts += "["
    if lex.postgres:
        parts.append(f"(?P<dollar>{DOLLAR_TAG})")
        starts += "$"
    # The leading character class lets the regex engine skip uninteresting text quickly.
    return re.compile(f"(?=[{re.escape(starts)}])(?:{'|'.join(parts)})")


class _Splitter:
    """One pass over one (template-masked) text."""

    def __init__(self, text: str, lex: _Lexicon) -> None:
        self.text = text
        self.size = len(text)
        self.lex = lex
        self.line_starts = [0, *(m.end() for m in _LINE_BREAK.finditer(text))]
        self.bom = text.startswith("\ufeff")
        self.delimiter = ";"
        self.in_executable = False  # inside a MySQL /*! ... */ comment
        self.pattern = _token_pattern(lex, self.delimiter, False)
        self.blanks: list[tuple[int, int]] = []  # spans read as blanks, in file order
        self.statements: list[Statement] = []
        self.trailing: list[Comment] = []  # comments after the last statement, on its line
        self.comments: list[Comment] = []
        self.pending: list[Comment] = []  # comments waiting for the next statement
        self.inner_meta: list[Statement] = []  # meta-commands inside the current statement
        self.previous_delimiter_line = -1  # line of the last statement's delimiter

    def run(self) -> SplitResult:
        """Split the whole text."""
        pos = 0
        while pos < self.size:
            pos = self._skip_between(pos)
            if pos < self.size:
                pos = self._statement(pos)
        self._flush_trailing()
        return SplitResult(tuple(self.statements), tuple(self.comments), self._masked(0, self.size))

    # -- between statements -------------------------------------------------------

    def _skip_between(self, pos: int) -> int:
        """Skip blanks, comments, empty statements and client directives; return the next start."""
        text = self.text
        while True:
            pos = _BLANK.match(text, pos).end()  # type: ignore[union-attr]
            if pos >= self.size:
                return self.size
            if text[pos] in "dD" and self._at_line_start(pos):
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
            elif kind in ("executable", "close"):
                pos = self._blank_marker(match)
            elif kind == "meta" and text.startswith(("\\;", "\\:"), pos):
                self.blanks.append((pos, pos + 1))  # psql's escaped `;` or `:`
                pos += 1
            elif kind == "meta":
                meta, pos = self._meta_command(pos)
                self._flush_trailing()
                self.statements.append(meta)
                self.previous_delimiter_line = meta.end_line
                pos = self._skip_copy_data(meta, pos)
            else:
                return pos

    def _attach_between(self, comment: Comment) -> None:
        """Give a comment between statements to the previous or the next statement."""
        if self.statements and comment.line == self.previous_delimiter_line:
            self.trailing.append(comment)
        else:
            self.pending.append(comment)

    def _flush_trailing(self) -> None:
        """Attach the comments that trail the last statement on its delimiter's line."""
        if self.trailing:
            last = self.statements[-1]
            self.statements[-1] = replace(last, comments=(*last.comments, *self.trailing))
            self.trailing = []

    def _set_delimiter(self, delimiter: str) -> None:
        self.delimiter = delimiter
        self._refresh_pattern()

    def _refresh_pattern(self) -> None:
        self.pattern = _token_pattern(self.lex, self.delimiter, self.in_executable)

    def _at_line_start(self, pos: int) -> bool:
        line_start = self.line_starts[bisect_right(self.line_starts, pos) - 1]
        return _BLANK.fullmatch(self.text, line_start, pos) is not None

    # -- inside a statement -------------------------------------------------------

    def _statement(self, start: int) -> int:
        """Scan the statement starting at `start`; return the position after its delimiter."""
        text = self.text
        comments, self.pending = self.pending, []
        body = _RoutineBody(self, start)
        psql = self.lex.postgres and self.delimiter == ";"  # a DELIMITER directive is no psql
        nesting = _PsqlNesting(text) if psql else None
        pos = start
        while True:
            match = self.pattern.search(text, pos)
            if match is None:
                self._finish(start, self.size, comments, None)
                return self.size
            if nesting is not None:
                nesting.read(pos, match.start())
            kind = match.lastgroup
            if kind == "delim":
                if body.inside(match.start()) or (nesting is not None and nesting.holds()):
                    pos = match.end()
                    continue
                found = self._finish(start, match.start(), comments, match.start())
                return self._skip_copy_data(found, match.end())
            if kind in ("line", "block"):
                comment, pos = self._read_comment(match)
                comments.append(comment)
                body.comment(match.start(), pos)
            elif kind in ("executable", "close"):
                pos = self._blank_marker(match)
            elif kind == "dollar":
                pos = self._dollar_quote(match)
            elif kind == "meta":
                pos = self._inner_meta_command(start, match.start(), comments)
                if pos < 0:
                    return -pos
            else:
                pos = match.end()

    def _dollar_quote(self, match: re.Match[str]) -> int:
        """The position after a dollar-quoted string, or after the word a `$` belongs to."""
        start = match.start()
        if start and _IDENT_CHAR.match(self.text, start - 1):
            run = start - 1
            while run and _IDENT_CHAR.match(self.text, run - 1):
                run -= 1
            number = _NUMBER.match(self.text, run)
            if number is None or number.end() != start:  # `a$b$`: part of an identifier
                return _IDENT_RUN.match(self.text, start).end()  # type: ignore[union-attr]
        tag = match.group()
        close = self.text.find(tag, match.end())
        return self.size if close < 0 else close + len(tag)

    def _inner_meta_command(self, start: int, pos: int, comments: list[Comment]) -> int:
        """Read a psql backslash inside a statement; return where to go on, or minus the
        position after the statement when the meta-command sends it."""
        if self.text.startswith(("\\;", "\\:"), pos):
            self.blanks.append((pos, pos + 1))
            return pos + 1
        meta, end = self._meta_command(pos)
        name = meta.text[1:].split(maxsplit=1)[0] if len(meta.text) > 1 else ""
        if name in _SENDING_META:
            self._finish(start, pos, comments, pos)
            self.statements.append(meta)
            self.previous_delimiter_line = meta.end_line
            return -end
        self.blanks.append((pos, end))
        self.inner_meta.append(meta)
        return end

    def _meta_command(self, pos: int) -> tuple[Statement, int]:
        """The psql meta-command at `pos` as a statement, and the position after it."""
        text = self.text
        name = _META_NAME.match(text, pos + 1).group()  # type: ignore[union-attr]
        end = pos + 1 + len(name)
        whole_line = name in _WHOLE_LINE_META or (
            name in _PIPE_META and _PIPE.match(text, end) is not None
        )
        while True:
            token = _META_ARGUMENT.search(text, end)
            if token is None:
                end = self.size
                break
            if token.group() == "\n" or (token.group() == "\\" and not whole_line):
                end = token.start()
                break
            end = token.end()
        stop = end
        while stop > pos and text[stop - 1].isspace():
            stop -= 1
        if text.startswith("\\\\", end) and not whole_line:
            end += 2
        return self._make_statement(pos, stop, ()), end

    def _blank_marker(self, match: re.Match[str]) -> int:
        """Read a MySQL executable comment's opening or closing marker as blanks."""
        self.blanks.append(match.span())
        self.in_executable = match.lastgroup == "executable"
        self._refresh_pattern()
        return match.end()

    def _finish(
        self, start: int, stop: int, comments: list[Comment], delim: int | None
    ) -> Statement | None:
        """Record the statement text[start:stop] without its trailing blanks, if any is left."""
        masked = self._masked(start, stop)
        end = len(masked)
        while end and (masked[end - 1].isspace() or masked[end - 1] == "\ufeff"):
            end -= 1
        end += start
        self._flush_trailing()
        self.statements.extend(self.inner_meta)
        self.inner_meta = []
        self.previous_delimiter_line = -1 if delim is None else self._position(delim)[0]
        if end == start:
            self.pending = comments
            return None
        statement = self._make_statement(start, end, tuple(comments))
        self.statements.append(statement)
        self._follow_settings(statement.text)
        return statement

    def _make_statement(self, start: int, end: int, comments: tuple[Comment, ...]) -> Statement:
        line, column = self._position(start)
        end_line, end_column = self._position(end - 1)
        return Statement(
            text=self._masked(start, end),
            offset=start,
            end_offset=end,
            line=line,
            column=column,
            end_line=end_line,
            end_column=end_column,
            comments=comments,
        )

    def _masked(self, start: int, stop: int) -> str:
        """text[start:stop] with the blanked spans inside it replaced by spaces."""
        first = bisect_left(self.blanks, (start, -1))
        if first > 0 and self.blanks[first - 1][1] > start:
            first -= 1
        pieces, pos = [], start
        for index in range(first, len(self.blanks)):
            a, b = self.blanks[index]
            if a >= stop:
                break
            a, b = max(a, pos), min(b, stop)
            pieces.append(self.text[pos:a])
            pieces.append(" " * (b - a))
            pos = b
        pieces.append(self.text[pos:stop])
        return "".join(pieces)

    def _follow_settings(self, statement: str) -> None:
        """Follow a statement that changes how the server reads backslashes in strings."""
        if self.lex.postgres:
            found = _SET_SCS.match(statement) or _SET_CONFIG_SCS.search(statement)
            if found:
                value = next((g for g in found.groups() if g is not None), "")
                self._set_backslash_strings(value.lower() in _BOOLEAN_FALSE)
        elif self.lex.mysql and _SET_SQL_MODE.match(statement):
            self._set_backslash_strings(_NO_BACKSLASH_ESCAPES.search(statement) is None)

    def _set_backslash_strings(self, on: bool) -> None:
        self.lex = replace(self.lex, backslash_strings=on)
        self._refresh_pattern()

    def _skip_copy_data(self, statement: Statement | None, pos: int) -> int:
        """After `COPY ... FROM stdin;` (or psql's `\\copy`) skip the inline data up to `\\.`."""
        if statement is None or self.lex.mysql or statement.text[:1] not in "cC\\":
            return pos
        if not _COPY_FROM_STDIN.match(statement.text):
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


class _RoutineBody:
    """Whether a delimiter lies inside a trigger or routine body, read incrementally.

    SQLite's trigger bodies end at a delimiter right after `END` (as `sqlite3_complete`
    reads them); MySQL's `BEGIN … END` compound statements written without a DELIMITER
    directive (as multi-statement clients send them) end when every BEGIN or CASE is
    closed. Each delimiter costs only the text since the previous one.
    """

    def __init__(self, splitter: _Splitter, start: int) -> None:
        self.splitter = splitter
        self.start = start
        self.kind: str | None = None  # "trigger", "routine" or "" once the head is read
        self.scanned = start
        self.depth = 0
        self.comment_spans: list[tuple[int, int]] = []

    def comment(self, start: int, end: int) -> None:
        if self.splitter.lex.trigger_bodies:
            self.comment_spans.append((start, end))

    def inside(self, delim: int) -> bool:
        splitter = self.splitter
        if self.kind is None:
            self.kind = self._kind(delim)
        if self.kind == "trigger":
            return not self._ends_with_end(delim)
        if self.kind == "routine" and splitter.delimiter == ";" and splitter.lex.mysql:
            body = splitter._masked(self.scanned, delim)
            self.scanned = delim
            self.depth += len(_BLOCK_OPENER.findall(body)) - len(_BLOCK_CLOSER.findall(body))
            return self.depth > 0
        return False

    def _kind(self, delim: int) -> str:
        lex = self.splitter.lex
        if lex.trigger_bodies and _CREATE_TRIGGER.match(self.splitter.text, self.start):
            return "trigger"
        if lex.mysql and _CREATE_ROUTINE.match(self.splitter._masked(self.start, delim)):
            return "routine"
        return ""

    def _ends_with_end(self, delim: int) -> bool:
        """Whether the last word before the delimiter, comments aside, is END."""
        text, pos = self.splitter.text, delim
        while True:
            while pos > self.start and text[pos - 1].isspace():
                pos -= 1
            if self.comment_spans and self.comment_spans[-1][1] == pos:
                pos = self.comment_spans.pop()[0]
                continue
            break
        word = pos - 3
        return (
            word >= self.start
            and text[word:pos].lower() == "end"
            and (word == self.start or not _IDENT_CHAR.match(text, word - 1))
        )


class _PsqlNesting:
    """Whether psql holds a `;` back, read from a statement's code (the text between its
    strings, quoted identifiers, comments and dollar quotes) piece by piece, each once.

    As psqlscan.l: a `;` ends the statement only outside parentheses and outside the
    BEGIN … END of a statement whose first words are CREATE [OR REPLACE] FUNCTION or
    PROCEDURE; there BEGIN opens, CASE opens once inside a BEGIN, END closes, all only
    outside parentheses.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.parens = 0
        self.begins = 0
        self.head = ""  # per word of the first four: its letter if a head word, else " "
        self.words = 0
        self.routine = False

    def holds(self) -> bool:
        return self.parens > 0 or self.begins > 0

    def read(self, start: int, stop: int) -> None:
        """Follow the code text[start:stop]."""
        if start >= stop:
            return
        pattern = _PSQL_HEAD if self.words < 4 else _PSQL_BODY if self.routine else _PSQL_PARENS
        for token in pattern.finditer(self.text, start, stop):
            word = token.group()
            if word == "(":
                self.parens += 1
            elif word == ")":
                self.parens -= self.parens > 0
            elif self.words < 4:
                if token.end() == stop:  # a word may go on past a `$` read as a tag's start
                    word = self.text[token.start() : _IDENT_RUN.match(self.text, stop).end()]  # type: ignore[union-attr]
                self._head_word(word.lower())
                if self.words == 4 and token.end() < stop:
                    self.read(token.end(), stop)
                    return
            elif self.parens == 0 and not _IDENT_CHAR.match(self.text, token.end()):
                self._body_word(word.lower())

    def _head_word(self, word: str) -> None:
        self.head += _PSQL_HEAD_WORDS.get(word, " ")
        self.words += 1
        self.routine = self.routine or self.head in ("cf", "cp", "corf", "corp")
        if self.routine and self.parens == 0:
            self._body_word(word)

    def _body_word(self, word: str) -> None:
        if word == "begin":
            self.begins += 1
        elif word == "case":
            self.begins += self.begins > 0
        elif word == "end":
            self.begins -= self.begins > 0


def split_statements(text: str, dialect: str = "postgres") -> SplitResult:
    """Split SQL text into statements (after masking templates), with their comments.

    Statement texts are exact slices of the result's `text`. Never raises.
    """
    return _Splitter(mask_templates(text), _lexicon(dialect)).run()
