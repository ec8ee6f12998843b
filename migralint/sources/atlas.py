"""Atlas migration folders, read statically: `atlas.sum` and the files' directives.

`atlas migrate apply` runs the files its integrity file `atlas.sum` lists, in its order;
a file it does not list is not a migration (Atlas refuses the folder until the sum is
recomputed). Each file runs in a transaction of its own (`--tx-mode file`, the default)
unless its header says `-- atlas:txmode none`; a file whose header says
`-- atlas:checkpoint` holds the whole schema at that point and is applied only to an
empty database, in place of the files before it.

The sum is an integrity file: each line's `h1:` hash is the base64 SHA-256 over every
file up to that one (its name, then its bytes; a file whose header says `-- atlas:sum
ignore`: its name only, and no line of its own), the first line the same hash over the
lines' names and hashes. Atlas refuses the folder when a file no longer matches, until
`atlas migrate hash` is run again.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

SUM = "atlas.sum"

_HASH = r"h1:(?P<hash>[A-Za-z0-9+/=]+)"
_TOTAL = re.compile(rf"^{_HASH}$")
_ENTRY = re.compile(rf"^(?P<name>\S+)\s+{_HASH}$")
_SUM_IGNORE = re.compile(r"^--\s*atlas:sum\s+ignore\b", re.MULTILINE)
_TXMODE = re.compile(r"^--\s*atlas:txmode\s+(?P<mode>\S+)", re.MULTILINE)
_CHECKPOINT = re.compile(r"^--\s*atlas:checkpoint\b", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Sum:
    """The files an atlas.sum lists, name → place; or why it cannot be read."""

    files: dict[str, int]
    problem: tuple[int, str] | None = None  # (line, what is wrong)
    total: str = ""  # the first line's hash
    hashes: tuple[tuple[str, str, int], ...] = ()  # (file, its hash, its line), in order


def read_sum(text: str) -> Sum:
    """The files of an atlas.sum in order: a total hash line, then `name h1:hash` lines."""
    lines = [(n, raw.strip()) for n, raw in enumerate(text.splitlines(), start=1)]
    lines = [(n, line) for n, line in lines if line]
    total = _TOTAL.match(lines[0][1]) if lines else None
    if total is None:
        where = lines[0][0] if lines else 1
        return Sum({}, (where, "the first line is not the directory's `h1:` hash"))
    files: dict[str, int] = {}
    hashes = []
    for number, line in lines[1:]:
        m = _ENTRY.match(line)
        if m is None:
            return Sum({}, (number, "not a `<file> h1:<hash>` line"))
        if m["name"] in files:
            return Sum({}, (number, f"{m['name']} is listed twice"))
        files[m["name"]] = len(files)
        hashes.append((m["name"], m["hash"], number))
    return Sum(files, None, total["hash"], tuple(hashes))


def mismatch(
    listed: Sum, read: Callable[[str], bytes | None], ignored: Iterable[str] = ()
) -> tuple[int, str] | None:
    """The first line of a readable sum that Atlas would refuse (line, what is wrong):
    a listed file whose bytes (`read` by name; None: not there) no longer give its hash,
    or a first line that is not the hash of the lines below; `ignored`: the folder's
    files whose header says `-- atlas:sum ignore` (hashed by name only, in name order)."""
    written = {name: (digest, line) for name, digest, line in listed.hashes}
    ignored = set(ignored) - set(written)
    order = sorted([*written, *ignored]) if ignored else list(written)
    running = hashlib.sha256()
    for name in order:
        running.update(name.encode())
        if name in ignored:
            continue
        digest, line = written[name]
        data = read(name)
        if data is None:
            return line, f"{name} is listed but not in the folder"
        running.update(data)
        if _b64(running.copy().digest()) != digest:
            return line, f"{name} does not match its hash: it was edited after `atlas migrate hash`"
    total = hashlib.sha256()
    for name, digest, _ in listed.hashes:
        total.update(name.encode() + digest.encode())
    if _b64(total.digest()) != listed.total:
        return 1, "the first line is not the hash of the lines below it: the sum was edited"
    return None


def ignores_sum(head: str) -> bool:
    """Whether the file's header says `-- atlas:sum ignore` (Atlas leaves it out of the sum)."""
    return bool(_SUM_IGNORE.search(header(head)))


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


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
