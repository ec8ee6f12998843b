"""Making text from a pull request safe to print: every format escapes through here.

Identifiers, statements and file names come from whoever wrote the migration. Printed
raw, a newline in a quoted name starts a line that a CI runner reads as a command
(`::error …` on GitHub Actions), and an escape sequence rewrites the terminal or its
title. So control characters, line and paragraph separators and bidirectional
overrides are shown as visible escapes (`\\n`, `\\x1b`, `\\u202e`), and the lone
surrogates that stand for a file name's undecodable bytes are shown as the bytes
(`\\xff`), never written raw: the output is always one line per line, valid UTF-8.
"""

from __future__ import annotations

import os
import re
from urllib.parse import quote

# C0 and C1 controls, DEL, NEL, line/paragraph separators, bidi embeddings, overrides
# and isolates, and lone surrogates (os.fsdecode's stand-ins for undecodable bytes).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _visible(char: str) -> str:
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the original byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every unsafe character replaced by a visible escape."""
    return _UNSAFE.sub(lambda m: _visible(m[0]), text)


def visible_width(text: str) -> int:
    """How many characters `visible(text)` has."""
    return len(text) + sum(len(_visible(m[0])) - 1 for m in _UNSAFE.finditer(text))


_LINE_END = re.compile(r"\r\n|\r|\n")


def source_lines(text: str) -> list[str]:
    """A source's lines as the splitter numbers them: LF, CRLF and a lone CR each end one."""
    return _LINE_END.split(text)


def visible_lines(text: str) -> str:
    """`text` with its line breaks kept as `\\n` and every other unsafe character shown."""
    return "\n".join(visible(line) for line in source_lines(text))


_NONCHARACTERS = re.compile("[\ufffe\uffff]")  # valid in JSON, not in XML 1.0


def visible_xml(text: str) -> str:
    """`visible(text)` that is also a legal XML 1.0 character sequence."""
    return _NONCHARACTERS.sub(lambda m: f"\\u{ord(m[0]):04x}", visible(text))


def uri_path(path: str) -> str:
    """A file path as a URI path: its bytes percent-encoded (spaces, `%`, `#`, controls and
    undecodable bytes alike), `/` as the separator."""
    return quote(os.fsencode(path.replace(os.sep, "/")), safe="/")
