"""Atlas migration folders, read statically: `atlas.sum` and the files' directives.

`atlas migrate apply` runs the files its integrity file `atlas.sum` lists, in its order;
a file it does not list is not a migration (Atlas refuses the folder until the sum is
recomputed). Each file runs in a transaction of its own (`--tx-mode file`, the default)
unless its header says `-- atlas:txmode none`; a file whose header says
`-- atlas:checkpoint` holds the whole schema at that point and is applied only to an
empty database, in place of the files before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SUM = "atlas.sum"

_HASH = r"h1:[A-Za-z0-9+/=]+"
_TOTAL = re.compile(rf"^{_HASH}$")
_ENTRY = re.compile(rf"^(?P<name>\S+)\s+{_HASH}$")
_TXMODE = re.compile(r"^--\s*atlas:txmode\s+(?P<mode>\S+)", re.MULTILINE)
_CHECKPOINT = re.compile(r"^--\s*atlas:checkpoint\b", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Sum:
    """The files an atlas.sum lists, name → place; or why it cannot be read."""

    files: dict[str, int]
    problem: tuple[int, str] | None = None  # (line, what is wrong)


def read_sum(text: str) -> Sum:
    """The files of an atlas.sum in order: a total hash line, then `name h1:hash` lines."""
    lines = [(n, raw.strip()) for n, raw in enumerate(text.splitlines(), start=1)]
    lines = [(n, line) for n, line in lines if line]
    if not lines or not _TOTAL.match(lines[0][1]):
        where = lines[0][0] if lines else 1
        return Sum({}, (where, "the first line is not the directory's `h1:` hash"))
    files: dict[str, int] = {}
    for number, line in lines[1:]:
        m = _ENTRY.match(line)
        if m is None:
            return Sum({}, (number, "not a `<file> h1:<hash>` line"))
        if m["name"] in files:
            return Sum({}, (number, f"{m['name']} is listed twice"))
        files[m["name"]] = len(files)
    return Sum(files)


def header(text: str) -> str:
    """A file's directive header as Atlas reads it: the comment lines (`--`, `#`) the
    file starts with, when a blank line separates them from what follows ("" else)."""
    kept = []
    rest = text
    while rest.startswith(("--", "#")):
        line, newline, rest = rest.partition("\n")
        kept.append(line.strip())
        if not newline:
            return "\n".join(kept)  # a file of comments only
    return "\n".join(kept) if rest.lstrip(" \t").startswith("\n") else ""


def txmode(head: str) -> str | None:
    """The transaction mode the header's `-- atlas:txmode` directive names (`none`,
    `file`), lower case; None without one."""
    m = _TXMODE.search(header(head))
    return m["mode"].lower() if m else None


def is_checkpoint(head: str) -> bool:
    """Whether the header marks the file as a checkpoint (the schema from nothing)."""
    return bool(_CHECKPOINT.search(header(head)))
