"""A git repository as a content source: files at a revision, in the index, and changes.

Git runs as a subprocess (`git -C root …`), never through a shell; arguments are a
list, refs are checked with `rev-parse --verify --end-of-options` before any other use,
and paths always follow `--`. Every command here only reads: no hook runs, the index
is not refreshed (`GIT_OPTIONAL_LOCKS=0`), `core.fsmonitor` is off, and `git grep`
reads blobs as stored (`--no-textconv`), so linting never executes repository code.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

_NAME_STATUS = ("--no-renames", "--name-status", "-z")
_READ_ONLY = ("-c", "core.fsmonitor=false", "-c", "core.quotePath=false")


class GitError(Exception):
    """Git is missing, the folder is not a repository, or a ref is unknown."""


@dataclass(frozen=True, slots=True)
class Change:
    """A path (relative to the repository root) and how it changed: A, M or D."""

    status: str
    path: str


@dataclass(frozen=True, slots=True)
class GrepHit:
    path: str
    line: int
    text: str


class Repository:
    """One git work tree, found from any folder inside it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def containing(cls, folder: Path) -> Repository:
        """The repository holding `folder`; GitError when there is none."""
        if shutil.which("git") is None:
            raise GitError("git is not installed (--since and --staged need it)")
        start = folder if folder.is_dir() else folder.parent
        what = f"{start} is not in a git repository"
        top = _run(start, "rev-parse", "--show-toplevel", what=what)[1]
        return cls(Path(top.decode("utf-8", "surrogateescape").strip()))

    def git(self, *args: str, what: str = "", ok: Sequence[int] = (0,)) -> bytes:
        """Standard output of `git args`; GitError (saying `what`) on another exit code."""
        return _run(self.root, *args, what=what, ok=ok)[1]

    def succeeds(self, *args: str) -> bool:
        """Whether `git args` exits 0 (for yes/no questions: 1 and 128 mean no)."""
        return _run(self.root, *args, ok=(0, 1, 128))[0] == 0

    def commit(self, ref: str) -> str:
        """The commit id `ref` names; GitError when it names none."""
        if not ref or ref.startswith("-") or "\0" in ref:
            raise GitError(f"{ref!r} is not a git revision")
        out = self.git(
            "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}",
            what=f"unknown revision {ref!r}",
        )  # fmt: skip
        return out.decode().strip()

    def merge_base(self, a: str, b: str) -> str:
        """The commit `git diff a...b` compares from; GitError when there is none (in CI,
        usually a shallow clone: fetch the whole history, e.g. `fetch-depth: 0`)."""
        what = f"{a[:10]} and {b} share no history here (a shallow clone? fetch the history)"
        return self.git("merge-base", a, b, what=what).decode().strip()

    def changes_since(self, base: str, *, staged: bool = False) -> list[Change]:
        """Paths that differ between `base` and the working tree (committed or not, plus
        untracked files that are not ignored, as A); `staged`: between `base` and the index."""
        if staged:
            return _name_status(self.git("diff", "--cached", *_NAME_STATUS, base, "--"))
        diff = self.git("diff", *_NAME_STATUS, base, "--")
        untracked = self.git("ls-files", "--others", "--exclude-standard", "-z")
        return _name_status(diff) + [Change("A", p) for p in _paths(untracked)]

    def staged_changes(self) -> list[Change]:
        """Paths the index changes against HEAD (everything, in a repository without commits)."""
        if self.has_commits():
            return self.changes_since("HEAD", staged=True)
        return [Change("A", p) for p in self.index_files()]

    def index_files(self) -> list[str]:
        return _paths(self.git("ls-files", "-z"))

    def differs_from_head(self, path: str) -> bool:
        """Whether the working tree's `path` differs from HEAD's (uncommitted edits)."""
        return not self.succeeds("diff", "--quiet", "HEAD", "--", path)

    def has_commits(self) -> bool:
        return self.succeeds("rev-parse", "--verify", "--quiet", "HEAD")

    def index_blob(self, path: str, limit: int) -> bytes | None:
        """The index's `path`, None when it is not there; ValueError with its size when
        it is larger than `limit` bytes (nothing of it is read then)."""
        size = self.git("cat-file", "-s", f":{path}", ok=(0, 128)).strip()
        if not size.isdigit():
            return None
        if int(size) > limit:
            raise ValueError(int(size))
        return self.git("cat-file", "blob", f":{path}")

    def commits_touching(self, since: str, path: str) -> list[tuple[str, str]]:
        """(short id, subject) of the commits after `since` up to HEAD that change `path`,
        newest first."""
        out = self.git("log", "--format=%h %s", "-z", f"{since}..HEAD", "--", path)
        records = [r.partition(" ") for r in out.decode("utf-8", "replace").split("\0") if r]
        return [(sha, subject) for sha, _, subject in records]

    def adding_commit(self, path: str) -> tuple[str, str] | None:
        """(short id, subject) of the commit that added `path` on HEAD's history."""
        if not self.has_commits():
            return None
        out = self.git("log", "--diff-filter=A", "--format=%h%x00%s", "-n1", "HEAD", "--", path)
        sha, _, subject = out.decode("utf-8", "replace").strip().partition("\0")
        return (sha, subject) if sha else None

    def newest_tag(self, pattern: str, *, on_head: bool) -> str | None:
        """The newest tag matching `pattern` reachable from HEAD; with `on_head=False`,
        not one on HEAD itself (that release is the one judged); None when there is none."""
        if not self.has_commits():
            return None
        own = [] if on_head else self.tags_at("HEAD", pattern)
        excluded = [arg for tag in own for arg in ("--exclude", tag)]
        code, out = _run(
            self.root, "describe", "--tags", "--abbrev=0", "--match", pattern, *excluded, "HEAD",
            ok=(0, 128),
        )  # fmt: skip
        return (out.decode().strip() or None) if code == 0 else None

    def tags_at(self, revision: str, pattern: str) -> list[str]:
        return self.git("tag", "--points-at", revision, "--list", pattern).decode().split()

    def grep_word(self, revision: str, word: str, pathspecs: Sequence[str]) -> list[GrepHit]:
        """Lines of the files at `revision` matching `pathspecs` (git glob pathspecs) that
        hold `word` as a whole word, as stored (no textconv), binary files left out."""
        specs = [f":(glob){p}" for p in pathspecs]
        out = self.git(
            "grep", "-w", "-n", "-I", "-F", "-z", "--no-textconv", "--no-color", "--full-name",
            "-e", word, revision, "--", *specs,
            ok=(0, 1),
        )  # fmt: skip
        hits = []
        prefix = f"{revision}:"
        for record in out.decode("utf-8", "replace").split("\n"):
            name, line, text = [*record.split("\0", 2), "", ""][:3]
            if line.isdigit():
                hits.append(GrepHit(name.removeprefix(prefix), int(line), text.strip()))
        return hits


def _run(cwd: Path, *args: str, what: str = "", ok: Sequence[int] = (0,)) -> tuple[int, bytes]:
    """(exit code, standard output) of a read-only git command in `cwd`."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        done = subprocess.run(
            ["git", "-C", os.fspath(cwd), *_READ_ONLY, *args],
            capture_output=True,
            env=env,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except OSError as error:
        raise GitError(f"cannot run git: {error.strerror}") from None
    if done.returncode not in ok:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(what or (detail[-1] if detail else f"git {args[0]} failed"))
    return done.returncode, done.stdout


def _paths(out: bytes) -> list[str]:
    return [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]


def _name_status(out: bytes) -> list[Change]:
    """`git diff --name-status -z` output: status, NUL, path, NUL, …"""
    fields = _paths(out)
    return [Change(fields[i][0], fields[i + 1]) for i in range(0, len(fields) - 1, 2)]
