"""Find migration files under the given paths, filter them and put them in applied order.

Directories are walked with `os.scandir`; a file given explicitly is always taken. Each
file is read at most once and only when its name says nothing (the dbmate marker);
Prisma's lock file is read once per migrations folder, a tool's manifest (sqitch.plan,
atlas.sum, a Liquibase master changelog and what it includes) once per project. A file
its tool's manifest does not list is `not_run`; a manifest that cannot be read is a
finding at its line, and its files are then read as an ordinary folder's.

The walk never leaves the tree: a symlink is followed only when it resolves inside one
of the given folders (a given symlink: inside its own folder), and every path it does
not take that a migration tool would (a link out of the tree, a symlink loop, a FIFO or
device with a migration's name, a folder it cannot list) is `rejected`, with the Op
that the rule pack reports it by.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from operator import attrgetter
from pathlib import Path

from migralint.alembic.discovery import revision_file
from migralint.alembic.project import VersionSets
from migralint.gitignore import GitIgnore
from migralint.problems import (
    InputProblem,
    MalformedManifest,
    SymlinkLoop,
    SymlinkOutsideTree,
    UnreadableFile,
)
from migralint.sources import atlas, install_schema, liquibase, sqitch, temporal
from migralint.sources.files import kind_of, read_head, special_file
from migralint.sources.layout import (
    MANIFESTS,
    SNIFF_BYTES,
    Changelogs,
    Folder,
    MigrationFile,
    classify,
    is_candidate,
    manifest_runner,
    prisma_lock_dialect,
    read_folder,
)

_SKIP_DIRS = frozenset({"node_modules", "__pycache__", "venv", ".venv", ".git"})

_FileId = tuple[int, int]  # (st_dev, st_ino)
_LOCK_BYTES = 64 * 1024  # a Prisma migration_lock.toml is a few lines
_MANIFEST_BYTES = 256 * 1024  # a Cargo.toml or go.mod; the runner is named near the top
_MANIFEST_LEVELS = 8  # folders above a migration folder searched for a manifest
_PLAN_BYTES = 4 * 1024 * 1024  # a sqitch.plan or atlas.sum: a line per migration
_HASHED_BYTES = 1 << 40  # an Atlas migration file, read whole to check its hash


@dataclass(frozen=True, slots=True)
class Discovery:
    """The migration files found, in order; the paths not taken and why; and the given
    paths that do not exist or cannot be used at all (`unusable`: path → reason)."""

    files: tuple[MigrationFile, ...]  # by set_root (as str), then sort_key
    missing: tuple[str, ...]
    rejected: tuple[InputProblem, ...] = ()
    unusable: tuple[tuple[str, str], ...] = ()
    not_run: tuple[MigrationFile, ...] = ()  # files their tool's manifest does not list


def discover(
    paths: Sequence[str | Path],
    *,
    exclude: Sequence[str] = (),
    fresh_install_globs: Sequence[str] = (),
    dialect: str | None = None,
) -> Discovery:
    """Find the migration files in `paths` (files or directories) in the tools' order.

    `exclude` drops matching files; `fresh_install_globs` marks matching files as
    fresh installs. Both take gitignore-like globs: `*` stays in one path segment, `**`
    spans segments, a pattern without a slash matches at any depth, and a pattern
    matching a directory matches all below it. `dialect`: the one being judged (None:
    PostgreSQL), which decides the per-dialect Alembic trees that never run.
    """
    given = [os.fspath(p) for p in paths]
    finder = _Finder(_Globs(exclude), _Globs(fresh_install_globs), _roots(given), dialect)
    missing = [path for path in given if not finder.add(path)]
    files = sorted(install_schema.mark(finder.files), key=lambda f: (str(f.set_root), f.sort_key))
    return Discovery(
        files=tuple(f for f in files if not f.not_run),
        missing=tuple(missing),
        rejected=(*finder.rejected, *finder.probe.problems),
        unusable=tuple(finder.unusable),
        not_run=tuple(f for f in files if f.not_run),
    )


def check_glob(pattern: str) -> str | None:
    """Why `pattern` is not a valid exclude / fresh_install glob, or None."""
    try:
        _glob_parts(pattern)
    except re.error as error:
        return str(error)
    return None


def _roots(given: Sequence[str]) -> tuple[str, ...]:
    """The real paths of the given folders: the tree a walk may follow symlinks in."""
    roots = []
    for path in given:
        try:
            if os.path.isdir(path) and _stays_in_its_folder(path):
                roots.append(os.path.realpath(path))
        except (OSError, ValueError):
            continue
    return tuple(roots)


def _stays_in_its_folder(given: str) -> bool:
    """False for a given path that is a symlink resolving outside the folder holding it."""
    link = given.rstrip(os.sep) or given
    if not stat.S_ISLNK(os.lstat(link).st_mode):
        return True
    return _inside(os.path.realpath(link), [os.path.realpath(os.path.dirname(link) or os.curdir)])


def _inside(target: str, roots: Iterable[str]) -> bool:
    return any(target == root or target.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


class _Globs:
    """Gitignore-like patterns, matched against a relative path or the full path.

    `*`, `?` and `[...]` stay inside one path segment and a `**` segment spans any
    number of them (`**/h2/**`, `legacy/*.sql`). A pattern without a slash matches at
    any depth (`*.down.sql`); a pattern that matches a directory matches everything
    below it. A path matches when its path relative to the given root, its path as
    found, or its absolute path matches (a leading `/` is ignored on both sides).
    Matching takes time linear in the path for each pattern segment, whatever the
    pattern: no regex backtracking over a long file name.
    """

    def __init__(self, patterns: Iterable[str]) -> None:
        self._globs = [_glob_parts(p) for p in patterns if p.strip()]
        self._cwd = os.getcwd()

    def __bool__(self) -> bool:
        return bool(self._globs)

    def match(self, relative: str, found: str) -> bool:
        """Whether `relative` (to the given root) or the path `found` matches a pattern."""
        if not self._globs:
            return False
        full = os.path.normpath(os.path.join(self._cwd, found))
        candidates = (os.path.normpath(relative), os.path.normpath(found), full)
        for candidate in candidates:
            segments = [s for s in candidate.replace(os.sep, "/").split("/") if s]
            if any(_matches(glob, segments) for glob in self._globs):
                return True
        return False


_Segment = Callable[[str], object]  # a compiled segment's fullmatch; None: any number of them


def _glob_parts(pattern: str) -> list[_Segment | None]:
    """The pattern as segment matchers; raises re.error for a bad `[...]` range."""
    anchored = "/" in pattern.strip().rstrip("/")
    parts = [p for p in pattern.strip().strip("/").split("/") if p]
    compiled: list[_Segment | None] = [] if anchored else [None]
    for i, part in enumerate(parts):
        if part == "**":
            compiled.extend([_any_segment, None] if i == len(parts) - 1 else [None])
        else:
            compiled.append(re.compile(_segment_regex(part), re.DOTALL).fullmatch)
    compiled.append(None)  # and everything below what it names
    return compiled


def _any_segment(segment: str) -> bool:
    return True


def _matches(glob: list[_Segment | None], segments: list[str]) -> bool:
    """Whether the path segments match: a set of pattern positions, advanced per segment."""
    states = _skip_stars(glob, {0})
    for segment in segments:
        following = set()
        for i in states:
            if i < len(glob):
                part = glob[i]
                if part is None:
                    following.add(i)
                elif part(segment):
                    following.add(i + 1)
        states = _skip_stars(glob, following)
        if not states:
            return False
    return len(glob) in states


def _skip_stars(glob: list[_Segment | None], states: set[int]) -> set[int]:
    """`states` plus the positions reached by letting `**` segments match nothing."""
    found = set(states)
    for i in sorted(states):
        while i < len(glob) and glob[i] is None:
            i += 1
            found.add(i)
    return found


def _segment_regex(glob: str) -> str:
    """One segment's glob as a regex whose `*` cannot backtrack: each literal run after a
    `*` is matched at its first place by an atomic group (a lookahead and backreference),
    the way fnmatch does it, so a long name costs linear time."""
    chunks = [_chunk_regex(chunk) for chunk in re.split(r"\*+", glob)]
    if len(chunks) == 1:
        return chunks[0]
    head, *middle, tail = chunks
    atomic = "".join(f"(?=(?P<g{i}>.*?{chunk}))(?P=g{i})" for i, chunk in enumerate(middle))
    return f"{head}{atomic}.*{tail}"


def _chunk_regex(chunk: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(chunk):
        if chunk[i] == "?":
            out.append(".")
            i += 1
        elif chunk[i] == "[" and (end := chunk.find("]", i + 2)) != -1:
            out.append(_char_class(chunk[i + 1 : end]))
            i = end + 1
        else:
            out.append(re.escape(chunk[i]))
            i += 1
    return "".join(out)


def _char_class(body: str) -> str:
    """A glob `[...]` body as a regex class: `!` negates."""
    negate = body.startswith("!")
    body = body[1:] if negate else body
    body = body.replace("\\", "\\\\").replace("^", "\\^")
    return f"[^{body}]" if negate else f"[{body}]"


class _DiskProbe:
    """Reads what `classify` asks for, caching Prisma lock files per folder."""

    def __init__(self) -> None:
        self._locks: dict[Path, str | None] = {}
        self._runners: dict[Path, str | None] = {}
        self._sqitch: dict[Path, sqitch.Project | None] = {}
        self._folder_marks: dict[str, _Marks] = {}
        self._above_of: dict[tuple[str, int], _Above] = {}
        self._changelogs: dict[Path, Changelogs | None] = {}
        self._sums: dict[Path, atlas.Sum | None] = {}
        self._manifests: dict[Path, temporal.Manifest] = {}
        self.problems: list[InputProblem] = []  # manifests that cannot be read
        self.alembic = VersionSets()

    def head(self, path: Path) -> str:
        return read_head(os.fspath(path), SNIFF_BYTES).decode("utf-8", "replace")

    def prisma_dialect(self, migrations_dir: Path) -> str | None:
        if migrations_dir not in self._locks:
            lock = read_head(os.fspath(migrations_dir / "migration_lock.toml"), _LOCK_BYTES)
            self._locks[migrations_dir] = prisma_lock_dialect(lock.decode("utf-8", "replace"))
        return self._locks[migrations_dir]

    def runner(self, folder: Path) -> str | None:
        """From the manifests at or above `folder` that name a runner, the nearest, up to
        the repository's root (a folder with `.git`) or _MANIFEST_LEVELS folders up."""
        if folder not in self._runners:
            self._runners[folder] = self._runner_above(folder)
        return self._runners[folder]

    def sqitch(self, folder: Path) -> sqitch.Project | None:
        """The Sqitch project whose sqitch.conf or sqitch.plan is at or above `folder`,
        the nearest, up to the repository's root or _MANIFEST_LEVELS folders up."""
        here = self._above(folder).sqitch
        if here is None:
            return None
        if here not in self._sqitch:
            config = _text(here / sqitch.CONFIG, _MANIFEST_BYTES) or ""
            project = sqitch.project(here, sqitch.read_config(config), self._plan_text)
            if project is not None:
                self._report(project.plan_path, project.plan.problem, "sqitch.plan")
            self._sqitch[here] = project
        return self._sqitch[here]

    def liquibase(self, folder: Path) -> Changelogs | None:
        """The master changelogs of the nearest folder at or above `folder` that holds
        changelog-named files, up to the repository's root or _MANIFEST_LEVELS up; None
        when there is none or they cannot be read (then a finding at the line)."""
        found = self._above(folder).changelogs
        if found is None:
            return None
        here, names = found
        if here not in self._changelogs:
            self._changelogs[here] = self._read_changelogs(here, names)
        return self._changelogs[here]

    def _above(self, folder: Path) -> _Above:
        """The nearest folders at or above `folder` that hold a Sqitch project's marker
        or changelog-named files, up to the repository's root or _MANIFEST_LEVELS up."""
        return self._above_from(os.fspath(folder), _MANIFEST_LEVELS)

    def _above_from(self, here: str, levels: int) -> _Above:
        """`_above` of `here`, looking at most `levels` folders further up: each answer
        once per run, so the 500 sibling folders of a Prisma set share their parent's
        instead of each climbing the same folders again."""
        key = (here, levels)
        found = self._above_of.get(key)
        if found is None:
            marks = self._marks(here)
            parent = os.path.dirname(here) or os.curdir
            if marks.repository_root or parent == here or levels == 0:
                above = _NOTHING_ABOVE
            else:
                above = self._above_from(parent, levels - 1)
            found = _Above(
                Path(here) if marks.sqitch else above.sqitch,
                (Path(here), marks.changelogs) if marks.changelogs else above.changelogs,
            )
            self._above_of[key] = found
        return found

    def _marks(self, here: str) -> _Marks:
        """What a folder above a migration holds, each folder listed once per run."""
        if here not in self._folder_marks:
            try:
                names = os.listdir(here)
            except OSError:
                names = []
            self.listed(here, names)
        return self._folder_marks[here]

    def listed(self, here: str, names: list[str]) -> None:
        """The names of a folder the walk has listed anyway: not listed again above."""
        if here not in self._folder_marks:
            self._folder_marks[here] = _Marks(
                sqitch=any(n in sqitch.MARKERS for n in names),
                repository_root=".git" in names,
                changelogs=tuple(sorted(n for n in names if liquibase.is_changelog_name(n))),
            )

    def _read_changelogs(self, here: Path, names: tuple[str, ...]) -> Changelogs | None:
        """The files the folder's master changelogs (those no other one includes) run,
        masters in name order; None, and the problem reported, if one cannot be read
        or names what is not there."""
        read: dict[Path, liquibase.Followed] = {}
        for name in names:
            try:
                read[here / name] = liquibase.follow(here / name, self._plan_text, _sorted_files)
            except liquibase.ChangelogError as error:
                self._report(error.path, (error.line, error.message), error.path.name)
                return None
        masters = [
            path
            for path in read
            if not any(path in other.changelogs for o, other in read.items() if o != path)
        ]
        entries: dict[str, tuple[int, liquibase.Entry]] = {}
        for master in masters:
            for entry in read[master].entries:
                entries.setdefault(os.path.normpath(entry.path), (len(entries), entry))
        return Changelogs(here, masters[0].name, entries) if entries else None

    def _plan_text(self, path: Path) -> str | None:
        return _text(path, _PLAN_BYTES) if path.is_file() else None

    def atlas_sum(self, folder: Path) -> atlas.Sum | None:
        if folder not in self._sums:
            text = _text(folder / atlas.SUM, _PLAN_BYTES)
            listed = atlas.read_sum(text) if text is not None else None
            if listed is not None:
                self._report(folder / atlas.SUM, listed.problem, atlas.SUM)
            if listed is not None and listed.problem is None:
                self._check_sum(folder, listed)
            self._sums[folder] = listed
        return self._sums[folder]

    def temporal(self, folder: Path, version: temporal.VersionFolder) -> temporal.Manifest:
        if folder not in self._manifests:
            path = folder / temporal.MANIFEST
            text = _text(path, _MANIFEST_BYTES)
            manifest = temporal.read_manifest(text or "", version)
            self._report(path, manifest.problem, f"{folder.name}/{temporal.MANIFEST}")
            self._manifests[folder] = manifest
        return self._manifests[folder]

    def _check_sum(self, folder: Path, listed: atlas.Sum) -> None:
        """A file that no longer matches its hash: a finding at the sum's line (Atlas
        refuses the folder); its files are still linted in the sum's order."""

        def read(name: str) -> bytes | None:
            path = folder / name
            return read_head(os.fspath(path), _HASHED_BYTES) if path.is_file() else None

        try:
            names = [n for n in os.listdir(folder) if n.endswith(".sql") and n not in listed.files]
        except OSError:
            names = []
        ignored = [n for n in names if atlas.ignores_sum(self.head(folder / n))]
        found = atlas.mismatch(listed, read, ignored)
        if found is not None:
            line, message = found
            refused = f"{atlas.SUM}: {message}; Atlas refuses the folder until `atlas migrate hash`"
            self.problems.append(MalformedManifest.at(os.fspath(folder / atlas.SUM), refused, line))

    def _report(self, path: Path, problem: tuple[int, str] | None, what: str) -> None:
        """A manifest that cannot be read: a finding at its line, once."""
        if problem is not None:
            line, message = problem
            self.problems.append(
                MalformedManifest.at(
                    os.fspath(path),
                    f"{what} cannot be read: {message}; the folder is linted as an "
                    "ordinary one (every file, in name order)",
                    line,
                )
            )

    def _runner_above(self, folder: Path) -> str | None:
        for level, here in enumerate([folder, *folder.parents]):
            if level > _MANIFEST_LEVELS:
                return None
            if here != folder and here in self._runners:
                return self._runners[here]
            for manifest in MANIFESTS:  # a workspace's member may leave it to the root
                text = read_head(os.fspath(here / manifest), _MANIFEST_BYTES)
                runner = manifest_runner(manifest, text.decode("utf-8", "replace"))
                if runner is not None:
                    return runner
            if (here / ".git").exists():
                return None
        return None


@dataclass(frozen=True, slots=True)
class _Marks:
    sqitch: bool  # holds a sqitch.conf or sqitch.plan
    repository_root: bool  # holds `.git`
    changelogs: tuple[str, ...]  # names of (possible) Liquibase master changelogs


@dataclass(frozen=True, slots=True)
class _Above:
    sqitch: Path | None  # the nearest folder holding sqitch.conf or sqitch.plan
    changelogs: tuple[Path, tuple[str, ...]] | None  # nearest changelog-named files


_NOTHING_ABOVE = _Above(None, None)


def _sorted_files(folder: Path) -> list[Path]:
    """A folder's files, by path, its subfolders' too (Liquibase's includeAll order)."""
    return sorted((p for p in folder.rglob("*") if p.is_file()), key=lambda p: p.as_posix())


def _text(path: Path, size: int) -> str | None:
    """A manifest's text (None when it is not a readable regular file)."""
    data = read_head(os.fspath(path), size)
    return data.decode("utf-8", "replace") if data or path.is_file() else None


class _Finder:
    """Collects migration files once each, following symlinks inside the tree only."""

    def __init__(
        self, exclude: _Globs, fresh: _Globs, roots: tuple[str, ...], dialect: str | None
    ) -> None:
        self._exclude = exclude
        self._dialect = dialect
        self._fresh = fresh
        self._roots = roots
        self.probe = _DiskProbe()
        self._seen_files: set[_FileId] = set()
        self._seen_dirs: set[_FileId] = set()
        self._folders: dict[str, Folder] = {}
        self.files: list[MigrationFile] = []
        self.rejected: list[InputProblem] = []
        self.unusable: list[tuple[str, str]] = []

    def add(self, given: str) -> bool:
        """Take the file or walk the directory `given`; False when it does not exist."""
        try:
            st = os.stat(given)
            stays = _stays_in_its_folder(given)
        except (OSError, ValueError) as error:
            return self._unusable(given, error)
        if not stays:
            self.rejected.append(SymlinkOutsideTree.at(given, _OUTSIDE))
        elif stat.S_ISDIR(st.st_mode):
            try:
                os.scandir(given).close()
            except OSError as error:
                self.unusable.append((given, f"cannot list the folder: {error.strerror}"))
                return True
            self._walk(given, (st.st_dev, st.st_ino))
        elif kind_of(st.st_mode) is not None:
            self.rejected.append(special_file(given, st.st_mode))
        else:
            parent, name = os.path.split(given)
            self._take(self._folder(parent or os.curdir), name, given, (st.st_dev, st.st_ino))
        return True

    def _unusable(self, given: str, error: OSError | ValueError) -> bool:
        """False for a path that does not exist; else record why it cannot be used."""
        if isinstance(error, OSError) and error.errno == errno.ENOENT:
            return False
        if isinstance(error, OSError) and error.errno == errno.ELOOP:
            self.unusable.append((given, "a symlink loop"))
        else:
            self.unusable.append((given, f"cannot read it: {getattr(error, 'strerror', error)}"))
        return True

    def _walk(self, root: str, root_id: _FileId) -> None:
        ignore = GitIgnore(root)  # folders are walked as git sees them
        stack: list[tuple[str, str, _FileId]] = [(root, "", root_id)]
        while stack:
            directory, relative, dir_id = stack.pop()
            if dir_id in self._seen_dirs:
                continue
            self._seen_dirs.add(dir_id)
            try:
                with os.scandir(directory) as it:
                    entries = sorted(it, key=attrgetter("name"))
            except OSError as error:
                message = f"cannot list the folder: {error.strerror}; nothing in it was linted"
                self.rejected.append(UnreadableFile.at(directory, message))
                continue
            subdirs: list[tuple[str, str, _FileId]] = []
            files: list[tuple[os.DirEntry[str], _FileId]] = []
            for entry in entries:
                if ignore.ignored(entry.path, entry.is_dir(follow_symlinks=False)):
                    continue
                problem = self._sort_entry(entry, relative, subdirs, files)
                if problem is not None:
                    self.rejected.append(problem)
            stack.extend(reversed(subdirs))
            if files:
                names = [e.name for e in entries]
                folder = read_folder(Path(directory), names)
                self.probe.listed(os.fspath(folder.path), names)
                self._folders[directory] = folder
                for entry, file_id in files:
                    self._take(folder, entry.name, relative + entry.name, file_id)

    def _sort_entry(
        self,
        entry: os.DirEntry[str],
        relative: str,
        subdirs: list[tuple[str, str, _FileId]],
        files: list[tuple[os.DirEntry[str], _FileId]],
    ) -> InputProblem | None:
        """Put a folder entry in `subdirs` or `files`, or say why it is not taken (not
        for a `.py` file: only a revision among them is a migration)."""
        problem = self._sort(entry, relative, subdirs, files)
        return None if entry.name.endswith(".py") else problem

    def _sort(
        self,
        entry: os.DirEntry[str],
        relative: str,
        subdirs: list[tuple[str, str, _FileId]],
        files: list[tuple[os.DirEntry[str], _FileId]],
    ) -> InputProblem | None:
        walked = not entry.name.startswith(".") and entry.name not in _SKIP_DIRS
        wanted = is_candidate(entry.name)
        try:
            if entry.is_symlink():
                return self._link(entry, relative, walked, wanted, subdirs, files)
            st = entry.stat(follow_symlinks=False)
        except OSError as error:
            return UnreadableFile.at(entry.path, f"cannot read it: {error.strerror}")
        if stat.S_ISDIR(st.st_mode):
            if walked:
                subdirs.append((entry.path, f"{relative}{entry.name}/", (st.st_dev, st.st_ino)))
        elif wanted and kind_of(st.st_mode) is not None:
            return special_file(entry.path, st.st_mode)
        elif wanted:
            files.append((entry, (st.st_dev, st.st_ino)))
        return None

    def _link(
        self,
        entry: os.DirEntry[str],
        relative: str,
        walked: bool,
        wanted: bool,
        subdirs: list[tuple[str, str, _FileId]],
        files: list[tuple[os.DirEntry[str], _FileId]],
    ) -> InputProblem | None:
        """Follow a symlink that stays in the tree; a link a tool would read is reported."""
        try:
            st = entry.stat()
        except OSError as error:
            if error.errno == errno.ELOOP and (walked or wanted):
                return SymlinkLoop.at(entry.path, "a symlink loop: not followed")
            if wanted and error.errno == errno.ENOENT:
                return UnreadableFile.at(entry.path, "a broken symlink: its target does not exist")
            if wanted:
                return UnreadableFile.at(entry.path, f"cannot read it: {error.strerror}")
            return None
        is_dir = stat.S_ISDIR(st.st_mode)
        if not (walked if is_dir else wanted):
            return None
        target = os.path.realpath(entry.path)
        if not _inside(target, self._roots):
            return SymlinkOutsideTree.at(entry.path, _OUTSIDE)
        if is_dir and _inside(os.path.realpath(os.path.dirname(entry.path)), [target]):
            return SymlinkLoop.at(entry.path, "a symlink to a folder that holds it: not followed")
        if is_dir:
            subdirs.append((entry.path, f"{relative}{entry.name}/", (st.st_dev, st.st_ino)))
        elif kind_of(st.st_mode) is not None:
            return special_file(entry.path, st.st_mode)
        else:
            files.append((entry, (st.st_dev, st.st_ino)))
        return None

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
        if name.endswith(".py"):
            revision = revision_file(
                folder.path, name, self.probe.alembic, folder.dialect, self._dialect
            )
            if revision is None:
                return
            migration = revision
        else:
            migration = classify(folder, name, self.probe)
        if (
            self._fresh
            and not migration.fresh_install
            and self._fresh.match(relative, os.fspath(migration.path))
        ):
            migration = replace(migration, fresh_install=True, fresh_reason="config: fresh_install")
        self.files.append(migration)


_OUTSIDE = (
    "a symlink that resolves outside the linted folders: not followed, nothing of its "
    "target was read"
)
