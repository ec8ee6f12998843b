"""The statement model the splitter produces: text with exact positions and comments."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Comment:
    """A SQL comment: `text` is without its `--` or `/* */` markers, stripped."""

    text: str
    line: int  # 1-based line of the comment's first character
    column: int  # 1-based


@dataclass(frozen=True, slots=True)
class Statement:
    """One SQL statement of a file, without its terminating delimiter.

    Positions are 1-based; `end_line`/`end_column` point at the statement's last
    character. `offset`/`end_offset` index into the (placeholder-masked) file text.
    `comments` holds the comments that belong to the statement: those in the block
    directly above it, those inside it, and one trailing on the line where it ends.
    """

    text: str
    offset: int
    end_offset: int
    line: int
    column: int
    end_line: int
    end_column: int
    comments: tuple[Comment, ...] = ()
