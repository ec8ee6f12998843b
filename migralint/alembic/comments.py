"""A revision file's `# migralint:` directives, by the `op.` call they sit at.

`# migralint: ignore rule-id -- reason` on an `op.` call's lines, or on the comment
lines right above it, suppresses findings on it; `# migralint: ignore-file …`
anywhere in the file suppresses them on the whole file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from migralint import directives
from migralint.sql import ops
from migralint.sql.statements import Comment


class RevisionComments:
    """The file's `migralint:` directives, by line."""

    def __init__(self, comments: Sequence[Comment]) -> None:
        found = directives.suppressions(comments)
        self.whole_file = tuple(s for s in found if s.whole_file)
        self._by_line: dict[int, list[directives.Suppression]] = defaultdict(list)
        for suppression in found:
            if not suppression.whole_file:
                self._by_line[suppression.line].append(suppression)
        self._comment_lines = {c.line for c in comments}

    def at(self, loc: ops.Location) -> tuple[directives.Suppression, ...]:
        """The suppressions written at the `op.` call at `loc` (not the file's own)."""
        lines = list(range(loc.line, loc.end_line + 1))
        above = loc.line - 1
        while above in self._comment_lines:
            lines.append(above)
            above -= 1
        return tuple(s for line in lines for s in self._by_line.get(line, ()))
