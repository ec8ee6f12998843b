"""migralint.gitignore against git itself: for hand-picked and generated ignore files, a
walk that skips what the matcher ignores skips exactly the files `git ls-files --others
--ignored --exclude-standard` lists. Plus what git does not answer: hostile patterns
stay fast, and a FIFO or symlinked .gitignore is never read."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from helpers import write_tree

from migralint.gitignore import GitIgnore

GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed")


def _git(repo: Path, *args: str) -> str:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(repo),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    command = ["git", "-c", "core.quotePath=false", *args]
    done = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def git_ignored(repo: Path) -> set[str]:
    """The untracked files git ignores, relative to the repository, `/`-separated."""
    out = _git(repo, "ls-files", "-z", "--others", "--ignored", "--exclude-standard")
    return {p for p in out.split("\0") if p}


def walk_ignored(root: Path, top: Path | None = None) -> set[str]:
    """The files a walk of `root` that asks GitIgnore does not take, relative to `top`."""
    matcher = GitIgnore(root)
    top = top or root
    skipped: set[str] = set()
    for folder, subfolders, files in os.walk(root):
        if ".git" in subfolders:
            subfolders.remove(".git")
        for name in list(subfolders):
            path = os.path.join(folder, name)
            if matcher.ignored(path, is_dir=True):
                subfolders.remove(name)
                skipped |= {
                    _relative(os.path.join(d, f), top) for d, _, fs in os.walk(path) for f in fs
                }
        for name in files:
            path = os.path.join(folder, name)
            if matcher.ignored(path, is_dir=False):
                skipped.add(_relative(path, top))
    return skipped


def _relative(path: str, top: Path) -> str:
    return os.path.relpath(path, top).replace(os.sep, "/")


def _repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    _git(root, "init", "-q")
    write_tree(root, files)
    return root


FILES = [
    "V1__a.sql",
    "db/V1__a.sql",
    "db/V2__b.sql",
    "db/tmp/V3__c.sql",
    "db/tmp/keep.sql",
    "build/out.sql",
    "build/sub/out.sql",
    "a/b/c/x.sql",
    "a/x.sql",
    "x.sql",
    ".hidden.sql",
    "space .sql",
    "#hash.sql",
    "!bang.sql",
    "deep/er/build/y.sql",
]


@pytest.mark.parametrize(
    "ignore",
    [
        "*.sql\n!V1__a.sql\n",
        "build/\n",
        "/build\n",
        "db/tmp/\n!db/tmp/keep.sql\n",  # a file under an ignored folder cannot come back
        "db/tmp/*\n!db/tmp/keep.sql\n",  # ... but one under an ignored glob can
        "**/build\n",
        "a/**/x.sql\n",
        "a/**\n!a/x.sql\n",
        "deep/**/y.sql\n",
        "x.sql\n",
        "/x.sql\n",
        "*/x.sql\n",
        "[ab]/x.sql\n",
        "[!a]*.sql\n",
        "V?__*.sql\n",
        "\\#hash.sql\n\\!bang.sql\n",
        "# a comment\n\n   \n",
        "space\\ .sql\n",
        "x.sql   \n",  # trailing spaces are not part of the pattern
        "db/**/*.sql\n!db/V2__b.sql\n",
        "**\n!*/\n!*.sql\n",
        ".*\n",
        "db\n!db/V1__a.sql\n",
    ],
)
def test_the_matcher_ignores_what_git_ignores(tmp_path: Path, ignore: str) -> None:
    repo = _repo(tmp_path, {**dict.fromkeys(FILES, ""), ".gitignore": ignore})
    expected = git_ignored(repo)
    assert walk_ignored(repo) == expected


def test_nested_files_and_info_exclude_layer_as_in_git(tmp_path: Path) -> None:
    repo = _repo(
        tmp_path,
        {
            **dict.fromkeys(FILES, ""),
            ".gitignore": "*.sql\n",
            "db/.gitignore": "!V2__b.sql\ntmp/\n",
            "a/b/.gitignore": "!*.sql\n/c/x.sql\n",
            "deep/.gitignore": "!build/\n",
        },
    )
    (repo / ".git" / "info").mkdir(exist_ok=True)
    (repo / ".git" / "info" / "exclude").write_text("!x.sql\nbuild/\n", encoding="utf-8")
    assert walk_ignored(repo) == git_ignored(repo)
    # walking a folder inside the repository: the top's rules still apply
    assert walk_ignored(repo / "db", repo) == {p for p in git_ignored(repo) if p.startswith("db/")}


def test_a_worktree_reads_the_shared_info_exclude(tmp_path: Path) -> None:
    main = _repo(tmp_path / "main", {"V1__a.sql": "", "scratch.sql": ""})
    _git(main, "add", "V1__a.sql")
    _git(main, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one")
    (main / ".git" / "info").mkdir(exist_ok=True)
    (main / ".git" / "info" / "exclude").write_text("scratch*.sql\n", encoding="utf-8")
    tree = tmp_path / "tree"
    _git(main, "worktree", "add", "-q", str(tree))
    (tree / "scratch2.sql").write_text("", encoding="utf-8")
    assert (tree / ".git").is_file()
    assert git_ignored(tree) == {"scratch2.sql"}
    assert walk_ignored(tree) == {"scratch2.sql"}


_PIECES = ["a", "b", "*", "?", "*.sql", "[ab]", "[!a]*", "**", "a*", "?.sql", "V*"]
_FOLDERS = ["a", "b", "ab"]
_NAMES = ["a.sql", "b.sql", "V1.sql", ".a", "c.sql", "ba"]


def _random_tree(rng: random.Random) -> dict[str, str]:
    files: dict[str, str] = {}
    for _ in range(rng.randint(4, 14)):
        depth = rng.randint(0, 3)
        folders = [rng.choice(_FOLDERS) for _ in range(depth)]
        files["/".join([*folders, rng.choice(_NAMES)])] = ""
    return files


def _random_ignore(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(1, 5)):
        pattern = "/".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 3)))
        if rng.random() < 0.3:
            pattern = "/" + pattern
        if rng.random() < 0.25:
            pattern += "/"
        if rng.random() < 0.3:
            pattern = "!" + pattern
        lines.append(pattern)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", range(100))
def test_generated_ignore_files_match_git(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    files = _random_tree(rng)
    folders = sorted({str(Path(p).parent) for p in files if "/" in p})
    ignores = {".gitignore": _random_ignore(rng)}
    for folder in rng.sample(folders, k=min(len(folders), rng.randint(0, 2))):
        ignores[f"{folder}/.gitignore"] = _random_ignore(rng)
    repo = _repo(tmp_path, {**files, **ignores})
    assert walk_ignored(repo) == git_ignored(repo), ignores


def test_a_hostile_pattern_is_matched_in_linear_time(tmp_path: Path) -> None:
    write_tree(tmp_path, {".gitignore": "*a" * 40 + "*b\n"})
    matcher = GitIgnore(tmp_path)
    started = time.process_time()
    assert not matcher.ignored(tmp_path / ("a" * 250), is_dir=False)
    assert time.process_time() - started < 1.0


def test_a_fifo_or_a_symlink_as_gitignore_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write_tree(outside, {"ignore": "*.sql\n"})
    fifo_tree, link_tree = tmp_path / "fifo", tmp_path / "link"
    write_tree(fifo_tree, {"V1__a.sql": ""})
    write_tree(link_tree, {"V1__a.sql": ""})
    os.mkfifo(fifo_tree / ".gitignore")  # opening it for reading would block
    (link_tree / ".gitignore").symlink_to(outside / "ignore")
    for tree in (fifo_tree, link_tree):
        assert not GitIgnore(tree).ignored(tree / "V1__a.sql", is_dir=False)


def test_outside_a_repository_the_walked_folders_gitignore_still_counts(tmp_path: Path) -> None:
    write_tree(tmp_path, {".gitignore": "generated/\n", "generated/V1.sql": "", "V2.sql": ""})
    matcher = GitIgnore(tmp_path)
    assert matcher.ignored(tmp_path / "generated", is_dir=True)
    assert not matcher.ignored(tmp_path / "V2.sql", is_dir=False)


def test_check_skips_gitignored_migrations_and_lints_a_named_one(tmp_path: Path) -> None:
    from migralint.config import Settings
    from migralint.engine import lint_paths

    drop = "ALTER TABLE users DROP COLUMN email;\n"
    repo = _repo(
        tmp_path,
        {
            ".gitignore": "generated/\n*.local.sql\n",
            "db/V1__a.sql": drop,
            "db/V2__b.local.sql": drop,
        },
    )
    write_tree(repo, {"db/generated/V3__c.sql": drop})
    walked = lint_paths([repo / "db"], Settings(select=("drop-column",)))
    assert sorted(Path(f.path).name for f in walked.findings) == ["V1__a.sql"]
    named = lint_paths([repo / "db" / "V2__b.local.sql"], Settings(select=("drop-column",)))
    assert [Path(f.path).name for f in named.findings] == ["V2__b.local.sql"]
