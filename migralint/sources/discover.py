"""Find migration files under the given paths, filter them and put them in applied order.

Directories are walked with `os.scandir`; a file given explicitly is always taken. Each
file is read at most once and only when its name says nothing (the dbmate marker);
Prisma's lock file is read once per migrations folder.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from operator import attrgetter
from pathlib import Path

from migralint.sources.layout import (
    SNIFF_BYTES,
    Folder,
    MigrationFile,
    classify,
    is_candidate,
    prisma_lock_dialect,
    read_folder,
)

_SKIP_DIRS = frozenset({"node_modules", "__pycache__", "venv", ".venv", ".git"})

_FileId = tuple[int, int]  # (st_dev, st_ino)


@dataclass(frozen=True, slots=True)
class Discovery:
    """The migration files found, in order, and the given paths that do not exist."""

    files: tuple[MigrationFile, ...]  # by set_root (as str), then sort_key
    missing: tuple[str, ...]


def discover(
    paths: Sequence[str | Path],
    *,
    exclude: Sequence[str] = (),
    fresh_install_globs: Sequence[str] = (),
) -> Discovery:
    """Find the migration files in `paths` (files or directories) in the tools' order.

    `exclude` drops matching files; `fresh_install_globs` marks matching files as
    fresh installs. Both take gitignore-like globs: `*` stays in one path segment, `**`
    spans segments, a pattern without a slash matches at any depth, and a pattern
    matching a directory matches all below it.
    """
    finder = _Finder(_Globs(exclude), _Globs(fresh_install_globs))
    missing = [str(p) for p in paths if not finder.add(os.fspath(p))]
    files = sorted(finder.files, key=lambda f: (str(f.set_root), f.sort_key))
    return Discovery(files=tuple(files), missing=tuple(missing))


class _Globs:
    """Gitignore-like patterns, matched against a relative path or the full path.

    `*`, `?` and `[...]` stay inside one path segment and `**` spans segments
    (`**/h2/**`, `legacy/*.sql`). A pattern without a slash matches at any depth
    (`*.down.sql`); a pattern that matches a directory matches everything below it.
    A path matches when its path relative to the given root, its path as found, or its
    absolute path matches (a leading `/` is ignored on both sides).
    """

    def __init__(self, patterns: Iterable[str]) -> None:
        regexes = [_glob_regex(p) for p in patterns if p.strip()]
        self._regex = re.compile("|".join(f"(?:{r})" for r in regexes)) if regexes else None
        self._cwd = os.getcwd()

    def __bool__(self) -> bool:
        return self._regex is not None

    def match(self, relative: str, found: str) -> bool:
        """Whether `relative` (to the given root) or the path `found` matches a pattern."""
        if self._regex is None:
            return False
        full = os.path.normpath(os.path.join(self._cwd, found))
        candidates = (os.path.normpath(relative), os.path.normpath(found), full)
        return any(self._regex.fullmatch(c.replace(os.sep, "/").lstrip("/")) for c in candidates)


def _glob_regex(pattern: str) -> str:
    anchored = "/" in pattern.strip().rstrip("/")
    glob = pattern.strip().strip("/")
    out: list[str] = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "[" and (end := glob.find("]", i + 2)) != -1:
            out.append(_char_class(glob[i + 1 : end]))
            i = end + 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return ("" if anchored else "(?:.*/)?") + "".join(out) + "(?:/.*)?"


def _char_class(body: str) -> str:
    """A glob `[...]` body as a regex class: `!` negates, `/` never matches."""
    negate = body.startswith("!")
    body = body[1:] if negate else body
    body = body.replace("\\", "\\\\").replace("^", "\\^")
    return f"[^/{body}]" if negate else f"(?!/)[{body}]"


class _DiskProbe:
    """Reads what `classify` asks for, caching Prisma lock files per folder."""

    def __init__(self) -> None:
        self._locks: dict[Path, str | None] = {}

    def head(self, path: Path) -> str:
        try:
            with open(path, "rb") as f:
                return f.read(SNIFF_BYTES).decode("utf-8", "replace")
        except OSError:
            return ""

    def prisma_dialect(self, migrations_dir: Path) -> str | None:
        if migrations_dir not in self._locks:
            try:
                text = (migrations_dir / "migration_lock.toml").read_text("utf-8", "replace")
            except OSError:
                text = ""
            self._locks[migrations_dir] = prisma_lock_dialect(text)
        return self._locks[migrations_dir]


class _Finder:
    """Collects migration files once each, following symlinks without looping."""

    def __init__(self, exclude: _Globs, fresh: _Globs) -> None:
        self._exclude = exclude
        self._fresh = fresh
        self._probe = _DiskProbe()
        self._seen_files: set[_FileId] = set()
        self._seen_dirs: set[_FileId] = set()
        self._folders: dict[str, Folder] = {}
        self.files: list[MigrationFile] = []

    def add(self, given: str) -> bool:
        """Take the file or walk the directory `given`; False when it does not exist."""
        try:
            st = os.stat(given)
        except (OSError, ValueError):
            return False
        if stat.S_ISDIR(st.st_mode):
            self._walk(given, (st.st_dev, st.st_ino))
        else:
            parent, name = os.path.split(given)
            self._take(self._folder(parent or os.curdir), name, given, (st.st_dev, st.st_ino))
        return True

    def _walk(self, root: str, root_id: _FileId) -> None:
        stack: list[tuple[str, str, _FileId]] = [(root, "", root_id)]
        while stack:
            directory, relative, dir_id = stack.pop()
            if dir_id in self._seen_dirs:
                continue
            self._seen_dirs.add(dir_id)
            try:
                with os.scandir(directory) as it:
                    entries = sorted(it, key=attrgetter("name"))
            except OSError:
                continue
            subdirs: list[tuple[str, str, _FileId]] = []
            files: list[os.DirEntry[str]] = []
            for entry in entries:
                try:
                    if entry.is_dir():
                        if not entry.name.startswith(".") and entry.name not in _SKIP_DIRS:
                            s = entry.stat()
                            subdirs.append(
                                (entry.path, f"{relative}{entry.name}/", (s.st_dev, s.st_ino))
                            )
                    elif is_candidate(entry.name) and entry.is_file():
                        files.append(entry)
                except OSError:
                    continue
            stack.extend(reversed(subdirs))
            if files:
                folder = read_folder(Path(directory), (e.name for e in entries))
                self._folders[directory] = folder
                for entry in files:
                    try:
                        file_id = self._entry_id(entry, dir_id[0])
                    except OSError:
                        continue
                    self._take(folder, entry.name, relative + entry.name, file_id)

    @staticmethod
    def _entry_id(entry: os.DirEntry[str], dev: int) -> _FileId:
        if entry.is_symlink():
            s = entry.stat()
            return (s.st_dev, s.st_ino)
        return (dev, entry.inode())

    def _folder(self, directory: str) -> Folder:
        if directory not in self._folders:
            try:
                with os.scandir(directory) as it:
                    names = [e.name for e in it]
            except OSError:
                names = []
            self._folders[directory] = read_folder(Path(directory), names)
        return self._folders[directory]

    def _take(self, folder: Folder, name: str, relative: str, file_id: _FileId) -> None:
        if file_id in self._seen_files:
            return
        if self._exclude and self._exclude.match(relative, os.path.join(folder.path, name)):
            return
        self._seen_files.add(file_id)
        migration = classify(folder, name, self._probe)
        if (
            self._fresh
            and not migration.fresh_install
            and self._fresh.match(relative, os.fspath(migration.path))
        ):
            migration = replace(migration, fresh_install=True)
        self.files.append(migration)
