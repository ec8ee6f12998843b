"""A statement's text as a flat list of simple tokens, for the fast DDL readers.

Only what those readers accept is told apart: bare ASCII words, quoted identifiers,
plain string literals, unsigned numbers and punctuation, between ASCII white space.
Everything else (E'…' and other prefixed strings, strings holding a backslash, dollar
quotes, operators, non-ASCII words, digits or spaces) is an `OTHER` token, which no
reader accepts: such a statement goes to sqlglot.
Comments must already be blanked (`normalise.blank_comments`).
"""

from __future__ import annotations

import re
from typing import NamedTuple

WORD, QUOTED, STRING, NUMBER, PUNCT, OTHER = "word", "quoted", "string", "number", "punct", "other"

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<word>[A-Za-z_][A-Za-z0-9_$]*)(?P<prefix>['"&])?
    | "(?P<quoted>(?:[^"]|"")+)"
    | (?P<string>'[^'\\]*(?:''[^'\\]*)*')(?!')
    | (?P<number>\d+(?:\.\d+)?)(?![\w.$])
    | (?P<punct>::|[(),.\[\]-])
    | (?P<other>\S)
    )""",
    re.VERBOSE | re.ASCII,  # other white space, digits and letters are OTHER tokens
)
_WHITE = " \t\n\r\f\v"


class Token(NamedTuple):
    """`value` is the word upper-cased, the identifier unquoted, or the text as written."""

    kind: str
    value: str
    text: str  # as written


def tokenize(text: str) -> list[Token]:
    """The tokens of `text`; trailing white space yields none."""
    found: list[Token] = []
    end = len(text.rstrip(_WHITE))
    pos = 0
    while pos < end:
        m = _TOKEN.match(text, pos)
        if m is None:  # only white space is left
            break
        pos = m.end()
        kind = m.lastgroup
        if kind == "prefix":  # E'…', U&'…', B'…': a word glued to a string is no word
            found.append(Token(OTHER, m.group(), m.group()))
        elif kind == "word":
            word = m["word"]
            found.append(Token(WORD, word.upper(), word))
        elif kind == "quoted":
            found.append(Token(QUOTED, m["quoted"].replace('""', '"'), f'"{m["quoted"]}"'))
        else:
            written = m[kind]  # type: ignore[index]
            found.append(Token(kind, written, written))  # type: ignore[arg-type]
    return found
