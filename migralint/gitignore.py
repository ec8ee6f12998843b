"""Which paths under a walked folder git ignores: `.gitignore` files and `.git/info/exclude`.

Read as gitignore(5) says, and checked against `git ls-files --ignored` in the tests:
blank lines and `#` comments skipped, trailing spaces dropped unless escaped, `\\`
escapes, `!` re-includes, a trailing `/` matches folders only, a slash elsewhere
anchors the pattern to its file's folder (else it matches a name at any depth),
`*` `?` `[...]` stay inside one path segment, `**/` leads through any number of
folders, `/**` ends with everything inside, and `/**/` spans zero or more. The last
matching line wins and a deeper file's lines come after a shallower one's; a folder
that is ignored is not walked, so nothing under it can be re-included (as in git).

A matcher of its own, not `git ls-files`: it needs no git binary or work tree (a
tarball's `.gitignore` still says what is build output), cannot be refused by git's
safe.directory ownership check in a CI container, and starts no program the
repository's `.git/config` could name (core.fsmonitor): linting runs no code of the
linted tree. It does not read the user's global excludes (core.excludesFile), which
say what one person's editor leaves behind, not what the project ships; and a file
that is tracked although a pattern matches it counts as ignored (git keeps it).
Symlinked `.gitignore` files are not read (git 2.32+ does not either), files over
1 MB are skipped, and matching is linear in the path for every pattern: no regex, no
backtracking on a hostile pattern.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

MAX_IGNORE_FILE = 1024 * 1024  # bytes; a larger .gitignore is not read

_Token = tuple[str, str]  # ("lit", c) | ("any", "") | ("star", "") | ("set", chars-spec)
_Segment = tuple[_Token, ...]
_ANY_DEPTH = None  # a `**` segment
_ANY_NAME: _Segment = (("star", ""),)  # a `*` segment


@dataclass(frozen=True, slots=True)
class Pattern:
    """One line of an ignore file, relative to `base` (the folder holding the file)."""

    base: str
    segments: tuple[_Segment | None, ...]
    negated: bool
    folders_only: bool

    def matches(self, path: str, is_dir: bool) -> bool:
        """Whether the absolute, normalised `path` (a file or folder) matches."""
        if self.folders_only and not is_dir:
            return False
        prefix = self.base.rstrip(os.sep) + os.sep
        if not path.startswith(prefix) or path == prefix:
            return False
        return _matches(self.segments, path[len(prefix) :].split(os.sep))


def parse(text: str, base: str) -> list[Pattern]:
    """The patterns of one ignore file's text, in order."""
    found = []
    for line in text.splitlines():
        pattern = _pattern(line, base)
        if pattern is not None:
            found.append(pattern)
    return found


def _pattern(line: str, base: str) -> Pattern | None:
    line = _strip_trailing_spaces(line)
    if not line or line.startswith("#"):
        return None
    negated = line.startswith("!")
    if negated:
        line = line[1:]
    folders_only = line.endswith("/") and not line.endswith("\\/")
    line = line.rstrip("/") if folders_only else line
    if not line:
        return None
    anchored = "/" in line
    line = line.lstrip("/")
    raw = line.split("/")
    segments: list[_Segment | None] = [
        _ANY_DEPTH if part == "**" else _tokens(part) for part in raw if part
    ]
    if not anchored:
        segments.insert(0, _ANY_DEPTH)
    if len(segments) > 1 and segments[-1] is _ANY_DEPTH:  # `a/**`: what is inside a, not a
        segments.insert(-1, _ANY_NAME)
    return Pattern(base, tuple(segments), negated, folders_only)


def _strip_trailing_spaces(line: str) -> str:
    """Trailing spaces go unless the last is escaped with a backslash."""
    stripped = line.rstrip(" ")
    if stripped != line and stripped.endswith("\\") and not stripped.endswith("\\\\"):
        return stripped + " "
    return stripped


def _tokens(part: str) -> _Segment:
    """A segment's wildcards and literals; `**` inside a segment is a `*`."""
    tokens: list[_Token] = []
    i = 0
    while i < len(part):
        c = part[i]
        if c == "\\" and i + 1 < len(part):
            tokens.append(("lit", part[i + 1]))
            i += 2
            continue
        if c == "*":
            if not tokens or tokens[-1] != ("star", ""):
                tokens.append(("star", ""))
        elif c == "?":
            tokens.append(("any", ""))
        elif c == "[":
            end = _class_end(part, i)
            if end is None:
                tokens.append(("lit", c))
            else:
                tokens.append(("set", part[i + 1 : end]))
                i = end
        else:
            tokens.append(("lit", c))
        i += 1
    return tuple(tokens)


def _class_end(part: str, start: int) -> int | None:
    """Index of the `]` closing the class opened at `start`, None when unclosed."""
    i = start + 1
    if i < len(part) and part[i] in "!^":
        i += 1
    if i < len(part) and part[i] == "]":
        i += 1
    while i < len(part):
        if part[i] == "\\":
            i += 2
            continue
        if part[i] == "]":
            return i
        i += 1
    return None


def _in_set(spec: str, c: str) -> bool:
    negated = spec[:1] in ("!", "^")
    body = spec[1:] if negated else spec
    chars: list[str] = []
    i = 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            chars.append(body[i + 1])
            i += 2
        else:
            chars.append(body[i])
            i += 1
    found = False
    j = 0
    while j < len(chars):
        if j + 2 < len(chars) and chars[j + 1] == "-":
            found = found or chars[j] <= c <= chars[j + 2]
            j += 3
        else:
            found = found or chars[j] == c
            j += 1
    return found != negated


def _token_matches(token: _Token, c: str) -> bool:
    kind, value = token
    if kind == "lit":
        return value == c
    if kind == "any":
        return True
    return _in_set(value, c)


def _segment_matches(tokens: _Segment, name: str) -> bool:
    """Wildcard match of one segment: greedy with one resume point per `*`, O(n·m)."""
    t = n = 0
    star_t, star_n = -1, 0
    while n < len(name):
        if t < len(tokens) and tokens[t][0] == "star":
            star_t, star_n = t, n
            t += 1
        elif t < len(tokens) and _token_matches(tokens[t], name[n]):
            t += 1
            n += 1
        elif star_t >= 0:
            star_n += 1
            t, n = star_t + 1, star_n
        else:
            return False
    while t < len(tokens) and tokens[t][0] == "star":
        t += 1
    return t == len(tokens)


def _matches(segments: tuple[_Segment | None, ...], parts: list[str]) -> bool:
    """Whether the path segments match the pattern segments (`**` spans any number)."""
    states = _skip_any(segments, {0})
    for part in parts:
        following: set[int] = set()
        for s in states:
            if s == len(segments):
                continue
            segment = segments[s]
            if segment is _ANY_DEPTH:
                following.add(s)
            elif _segment_matches(segment, part):
                following.add(s + 1)
        states = _skip_any(segments, following)
        if not states:
            return False
    return len(segments) in states


def _skip_any(segments: tuple[_Segment | None, ...], states: set[int]) -> set[int]:
    """States with every `**` that can match nothing stepped over as well."""
    out = set(states)
    todo = list(states)
    while todo:
        s = todo.pop()
        if s < len(segments) and segments[s] is _ANY_DEPTH and s + 1 not in out:
            out.add(s + 1)
            todo.append(s + 1)
    return out


class GitIgnore:
    """The ignore rules for a walk of `root`: those of the repository holding it (its
    `.git/info/exclude` and the `.gitignore` files from its top down to `root`) and of
    every `.gitignore` the walk passes. Paths are as the walk finds them under `root`."""

    def __init__(self, root: str | Path) -> None:
        self._root = os.path.abspath(root)
        top = _repository_top(self._root)
        inherited = _read_patterns(exclude_file(top), top) if top else []
        here = top or self._root
        for folder in _folders_between(here, self._root):
            inherited += _read_patterns(os.path.join(folder, ".gitignore"), folder)
        self._inherited = inherited
        self._by_folder: dict[str, list[Pattern]] = {}

    def ignored(self, path: str | Path, is_dir: bool) -> bool:
        """Whether git ignores `path` (a file or folder under the root) by its own name:
        the walk does not enter an ignored folder, so its contents need no asking."""
        folder, name = os.path.split(os.fspath(path))
        patterns = self._patterns(folder)
        if not patterns:
            return False
        absolute = os.path.join(os.path.abspath(folder), name)
        for pattern in reversed(patterns):
            if pattern.matches(absolute, is_dir):
                return not pattern.negated
        return False

    def _patterns(self, folder: str) -> list[Pattern]:
        """The patterns that apply to entries of `folder` (as walked), outermost first."""
        known = self._by_folder.get(folder)
        if known is None:
            known = self._by_folder[folder] = self._patterns_at(os.path.abspath(folder))
        return known

    def _patterns_at(self, folder: str) -> list[Pattern]:
        parent = os.path.dirname(folder)
        if folder == self._root or parent == folder or not _under(folder, self._root):
            return self._inherited
        return self._patterns(parent) + _read_patterns(os.path.join(folder, ".gitignore"), folder)


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _repository_top(start: str) -> str | None:
    """The nearest folder at or above `start` holding `.git`, if any."""
    for folder in (start, *Path(start).parents):
        if os.path.lexists(os.path.join(folder, ".git")):
            return str(folder)
    return None


def _folders_between(top: str, root: str) -> list[str]:
    """`top`, then each folder down to and including `root`."""
    relative = os.path.relpath(root, top)
    folders = [top]
    if relative != os.curdir:
        for part in relative.split(os.sep):
            folders.append(os.path.join(folders[-1], part))
    return folders


def exclude_file(top: str) -> str:
    """`info/exclude` of the repository's git folder (shared by its worktrees)."""
    git = os.path.join(top, ".git")
    if os.path.isfile(git):  # a worktree or submodule: `gitdir: <path>`
        line = _read_text(git).partition("\n")[0]
        if line.startswith("gitdir:"):
            git = os.path.join(top, line[len("gitdir:") :].strip())
            common = _read_text(os.path.join(git, "commondir")).strip()
            if common:
                git = os.path.join(git, common)
    return os.path.join(git, "info", "exclude")


def _read_patterns(path: str, base: str) -> list[Pattern]:
    return parse(_read_text(path), base)


def _read_text(path: str) -> str:
    """A small regular file's text (not through a symlink); '' when there is none."""
    from migralint.sources.files import InputError, read_file

    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return ""
        return read_file(path, MAX_IGNORE_FILE).decode("utf-8", "surrogateescape")
    except (OSError, ValueError, InputError):
        return ""
