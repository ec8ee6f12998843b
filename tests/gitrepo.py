"""Real git repositories in temporary folders for the release tests, built from
fixtures/release, and the CLI run inside them."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import REPO

from migralint.cli import main

RELEASE = REPO / "fixtures" / "release"
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not on PATH")


@pytest.fixture
def isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    """migralint's own git runs see neither the user's configuration nor a calling git's
    GIT_DIR (the suite may run from a hook)."""
    for name in [k for k in os.environ if k.startswith("GIT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


class GitRepo:
    """A repository with local identity and no global or system configuration."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.name", "Test")
        self.git("config", "user.email", "test@example.com")

    def git(self, *args: str) -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        env.update(GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1")
        done = subprocess.run(
            ["git", *args], cwd=self.root, env=env, capture_output=True, text=True, check=True
        )
        return done.stdout

    def put(self, target: str, fixture: str) -> None:
        """Copy fixtures/release/`fixture` to `target` in the work tree."""
        path = self.root / target
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(RELEASE / fixture, path)

    def write(self, target: str, text: str) -> None:
        path = self.root / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "--short", "HEAD").strip()


def released(root: Path, code_paths: bool = True) -> GitRepo:
    """A repository whose tag v1.0.0 creates `users` and ships app_v1.py reading full_name."""
    repo = GitRepo(root)
    repo.put("db/V1__create_users.sql", "V1__create_users.sql")
    repo.put("src/app.py", "app_v1.py")
    if code_paths:
        repo.write("migralint.toml", 'code_paths = ["src/**"]\n')
    repo.commit("release 1")
    repo.git("tag", "v1.0.0")
    return repo


def run(cwd: Path, *args: str) -> tuple[int, str, str]:
    """migralint with `args`, run from `cwd`: (exit code, stdout, stderr)."""
    before = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, list(args))
    finally:
        os.chdir(before)
    return result.exit_code, result.stdout, result.stderr
