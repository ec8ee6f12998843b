"""What a run judges in a git repository: the release base, the changed migrations, and
the content they are read from (the working tree, or the index for `--staged`).

`--since REF` compares the working tree (committed, uncommitted and untracked files,
ignored ones left out) with the merge-base of REF and HEAD, as `git diff REF...` does
plus what is not committed yet. `--staged` compares the index with HEAD, reads every
migration from the index, and leaves out files that are not in it; its release base is
the newest tag matching `release_tag_pattern` reachable from HEAD.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from migralint.problems import FileTooLarge, UnreadableFile
from migralint.sources.files import InputError, read_file
from migralint.sources.git import Change, Repository
from migralint.sources.layout import MigrationFile


@dataclass(frozen=True)
class Release:
    """The base a release is judged against and what changed since it."""

    repo: Repository
    name: str  # the ref as given, or the tag found
    commit: str
    how: str  # why this base: "--since" or the tag pattern it matched
    changes: dict[Path, Change]  # absolute path → how it changed since the base
    staged: bool = False

    def describe(self) -> str:
        return f"{self.name} ({self.commit[:10]}, {self.how})"

    def in_base(self) -> str:
        """How a message says a file was part of the base: "released in v2.4.0" for a
        tag, "present at main" for a branch or commit."""
        tag = self.repo.succeeds("rev-parse", "--verify", "--quiet", f"refs/tags/{self.name}")
        return f"released in {self.name}" if tag else f"present at {self.name}"

    def relative(self, path: Path) -> str:
        return self.changes[path].path if path in self.changes else _relative(self.repo, path)


@dataclass(frozen=True)
class ChangedFiles:
    """The engine's `Scope` and `Contents` for a git run: every migration replayed, the
    changed ones reported, each read from the working tree or (--staged) the index."""

    repo: Repository
    max_size: int  # bytes; a larger file is a file-too-large finding
    reported: frozenset[Path]
    unreleased_paths: frozenset[Path]
    deleted: frozenset[Path] = frozenset()  # reported too, though no file is left to lint
    index: frozenset[Path] | None = None  # --staged: the paths in the index

    def includes(self, path: Path) -> bool:
        return self.index is None or absolute(path) in self.index

    def reports(self, path: Path) -> bool:
        return absolute(path) in self.reported

    def touches(self, path: Path) -> bool:
        """Whether the run is about `path`: changed, or deleted."""
        return self.reports(path) or absolute(path) in self.deleted

    def unreleased(self, path: Path) -> bool:
        return absolute(path) in self.unreleased_paths

    def read(self, file: MigrationFile) -> bytes:
        path, limit = str(file.path), self.max_size
        if self.index is None:
            return read_file(path, limit)
        try:
            data = self.repo.index_blob(_relative(self.repo, absolute(file.path)), limit)
        except ValueError as size:
            message = f"{size.args[0]:,} bytes, over the max_file_size of {limit:,} bytes"
            raise InputError(FileTooLarge.at(path, f"{message}: not linted")) from None
        if data is None:
            raise InputError(UnreadableFile.at(path, "not in the index: not linted"))
        return data


def since(repo: Repository, ref: str) -> Release:
    """`--since REF`: the working tree against the merge-base of REF and HEAD."""
    base = repo.merge_base(repo.commit(ref), "HEAD")
    return Release(repo, ref, base, "--since", _by_path(repo, repo.changes_since(base)))


def scope_of(release: Release, max_size: int) -> ChangedFiles:
    """The scope reporting what changed since the release base, in the working tree."""
    c = release.changes
    return ChangedFiles(release.repo, max_size, _with(c, "AM"), _with(c, "A"), _with(c, "D"))


def staged(
    repo: Repository, tag_pattern: str, max_size: int
) -> tuple[ChangedFiles, Release | None]:
    """`--staged`: the index against HEAD; the release base is the newest matching tag."""
    reported = _by_path(repo, repo.staged_changes())
    index = frozenset(absolute(repo.root / p) for p in repo.index_files())
    tag = repo.newest_tag(tag_pattern, on_head=True)
    release = None
    unreleased = _with(reported, "A")
    if tag is not None:
        changes = _by_path(repo, repo.changes_since(tag, staged=True))
        how = f"newest tag matching {tag_pattern!r}"
        release = Release(repo, tag, repo.commit(tag), how, changes, True)
        unreleased = _with(changes, "A")
    scope = ChangedFiles(
        repo, max_size, _with(reported, "AM"), unreleased, _with(reported, "D"), index
    )
    return scope, release


def release_since_tag(repo: Repository, ref: str | None, tag_pattern: str) -> Release | None:
    """The release HEAD is, against `--since ref` or the newest matching tag before HEAD."""
    if ref is not None:
        return since(repo, ref)
    tag = repo.newest_tag(tag_pattern, on_head=False)
    if tag is None:
        return None
    changes = _by_path(repo, repo.changes_since(repo.commit(tag)))
    return Release(repo, tag, repo.commit(tag), f"newest tag matching {tag_pattern!r}", changes)


def _by_path(repo: Repository, changes: list[Change]) -> dict[Path, Change]:
    return {absolute(repo.root / c.path): c for c in changes}


def _with(changes: dict[Path, Change], statuses: str) -> frozenset[Path]:
    return frozenset(path for path, c in changes.items() if c.status in statuses)


def absolute(path: Path) -> Path:
    """The path with symlinked folders resolved (the file itself is not followed), so a
    path git names and one the walk found compare equal."""
    folder, name = os.path.split(os.path.abspath(path))
    return _resolved(folder) / name


@functools.lru_cache(maxsize=4096)
def _resolved(folder: str) -> Path:
    return Path(folder).resolve()


def _relative(repo: Repository, path: Path) -> str:
    return absolute(path).relative_to(repo.root.resolve()).as_posix()
