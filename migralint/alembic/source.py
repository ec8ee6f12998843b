"""A revision file's text: positions of `ast` nodes, source segments, and the `#`
comments that carry `migralint: ignore …` directives."""

from __future__ import annotations

import ast
import io
import tokenize

from migralint.sql import ops
from migralint.sql.facts import statement_facts
from migralint.sql.statements import Comment

_MAX_STATEMENT = 2000  # characters of a call kept on its location, for messages


class PythonSource:
    """Positions in one file's text (1-based lines, 1-based columns, end inclusive)."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self._lines = text.splitlines(keepends=True)
        starts, total = [], 0
        for line in self._lines:
            starts.append(total)
            total += len(line)
        self._starts = starts

    def location(self, node: ast.expr) -> ops.Location:
        end_line = node.end_lineno or node.lineno
        end_column = node.end_col_offset or node.col_offset + 1
        text = self.segment(node)[:_MAX_STATEMENT]
        return ops.Location(
            self.path,
            node.lineno,
            node.col_offset + 1,
            end_line,
            end_column,
            text,
            statement_facts(text),
        )

    def segment(self, node: ast.expr) -> str:
        """The source text of a node (columns are UTF-8 byte offsets in `ast`)."""
        end_line = node.end_lineno or node.lineno
        lines = [s.encode("utf-8") for s in self._lines[node.lineno - 1 : end_line]]
        if not lines:
            return ""
        end = node.end_col_offset if node.end_col_offset is not None else len(lines[-1])
        if len(lines) == 1:
            return lines[0][node.col_offset : end].decode("utf-8", "replace")
        lines[0] = lines[0][node.col_offset :]
        lines[-1] = lines[-1][:end]
        return b"".join(lines).decode("utf-8", "replace")

    def comments(self) -> list[Comment]:
        """Every `#` comment, without its marker; [] when the file does not tokenize."""
        found: list[Comment] = []
        try:
            for token in tokenize.generate_tokens(io.StringIO(self.text).readline):
                if token.type == tokenize.COMMENT:
                    text = token.string.lstrip("#").strip()
                    found.append(Comment(text, token.start[0], token.start[1] + 1))
        except (tokenize.TokenError, SyntaxError):
            return found
        return found
