"""The pre-commit hook: its manifest, the README's config snippet, and real pre-commit runs.

The two slow tests run pre-commit itself in temporary git repositories: `pre-commit try-repo`
and `pre-commit run` with the README snippet. Each builds the hook's virtual environment,
which pip-installs migralint (and its build backend and dependencies) from the package
registry: about half a minute each.

They run the hook from a snapshot of this working tree (tracked and untracked files as they
are on disk, ignored files left out), committed in a temporary repository. `pre-commit
try-repo .` on the tree itself would clone HEAD plus the staged and modified tracked files,
but not the untracked ones, so a change spread over a new file and an edited one would be
tested half-applied; the snapshot tests what the rest of the suite tests. In a clean
checkout (CI) the snapshot is HEAD.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO

HOOK_ID = "migralint"
STAGED_HOOK_ID = "migralint-staged"
ALEMBIC_HOOK_ID = "migralint-alembic"
MANIFEST = REPO / ".pre-commit-hooks.yaml"
MIGRATIONS = REPO / "fixtures" / "precommit" / "migrations"
CLEAN = "migrations/V1__create_users.sql"
DROP = "migrations/V2__drop_email.sql"

# The README's copy-paste `.pre-commit-config.yaml`, exactly as README.md shows it.
README_REPO_URL = "https://github.com/OWNER/migralint"
README_REV = "v0.1.0"
README_PRECOMMIT_CONFIG = f"""\
repos:
  - repo: {README_REPO_URL}
    rev: {README_REV}
    hooks:
      - id: migralint
"""

HAS_PRE_COMMIT = importlib.util.find_spec("pre_commit") is not None
needs_pre_commit = pytest.mark.skipif(
    not HAS_PRE_COMMIT, reason="pre-commit is not installed (pip install -e '.[test]')"
)
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not on PATH")


def _env(**extra: str) -> dict[str, str]:
    """The environment without the calling git's GIT_* variables (a hook may run pytest)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", NO_COLOR="1", **extra)
    return env


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        [
            "git",
            "-c",
            "user.name=migralint tests",
            "-c",
            "user.email=tests@migralint.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
            *args,
        ],
        cwd=cwd,
        env=_env(),
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _commit_all(repo: Path) -> str:
    _git(repo, "add", "--all")
    _git(repo, "commit", "--quiet", "--no-verify", "-m", "snapshot")
    return _git(repo, "rev-parse", "HEAD").strip()


def _project(root: Path) -> Path:
    """A git repository holding the fixture migration set under migrations/."""
    project = root / "project"
    shutil.copytree(MIGRATIONS, project / "migrations")
    _git(project, "init", "--quiet")
    return project


def _pre_commit(cwd: Path, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args, "--color", "never"],
        cwd=cwd,
        env=_env(PRE_COMMIT_HOME=str(home)),
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This working tree as it is on disk, committed in a temporary repository."""
    inside = subprocess.run(
        ["git", "rev-parse", "--is-inside-work-tree"], cwd=REPO, env=_env(), capture_output=True
    )
    if inside.returncode != 0:
        pytest.skip(f"{REPO} is not a git checkout: nothing for pre-commit to clone")
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        env=_env(),
        check=True,
        capture_output=True,
    ).stdout.decode()
    snapshot = tmp_path_factory.mktemp("hook") / "migralint"
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree
        target = snapshot / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    _git(snapshot, "init", "--quiet")
    return snapshot, _commit_all(snapshot)


def test_snippet_config_names_this_repository_and_the_hook() -> None:
    """The snippet keeps its repo and rev lines (the tests swap them) and names the hook."""
    assert README_PRECOMMIT_CONFIG.count(f"repo: {README_REPO_URL}\n") == 1
    assert README_PRECOMMIT_CONFIG.count(f"rev: {README_REV}\n") == 1
    assert f"- id: {HOOK_ID}\n" in README_PRECOMMIT_CONFIG
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"```yaml\n{README_PRECOMMIT_CONFIG}```" in readme, "README's snippet is the tested one"


@needs_pre_commit
def test_manifest_is_valid_and_runs_migralint_on_sql_files_in_one_call() -> None:
    from identify.identify import tags_from_filename
    from pre_commit.clientlib import load_manifest

    hooks = {hook["id"]: hook for hook in load_manifest(str(MANIFEST))}
    assert list(hooks) == [HOOK_ID, STAGED_HOOK_ID, ALEMBIC_HOOK_ID]
    alembic = hooks[ALEMBIC_HOOK_ID]
    assert (alembic["entry"], alembic["types"]) == ("migralint check", ["python"])
    assert re.search(alembic["files"], "migrations/versions/b2_every_op.py")
    assert not re.search(alembic["files"], "app/models.py")
    staged = hooks[STAGED_HOOK_ID]
    assert staged["entry"] == "migralint check --staged"
    assert (staged["types"], staged["require_serial"]) == (["sql"], True)
    hook = hooks[HOOK_ID]
    assert hook["entry"] == "migralint check"
    assert hook["language"] == "python"
    assert hook["types"] == ["sql"]
    assert hook["pass_filenames"] is True
    # One call for all the files of a commit, so they are ordered and replayed as one set.
    assert hook["require_serial"] is True
    assert "sql" in tags_from_filename("migrations/V2__drop_email.sql")
    assert "sql" in tags_from_filename("db/20240101120000_add_users.up.sql")


@needs_pre_commit
def test_readme_snippet_is_a_valid_pre_commit_config(tmp_path: Path) -> None:
    from pre_commit.clientlib import load_config

    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(README_PRECOMMIT_CONFIG, encoding="utf-8")
    (repo,) = load_config(str(config))["repos"]
    assert repo["repo"] == README_REPO_URL
    assert repo["rev"] == README_REV
    assert [hook["id"] for hook in repo["hooks"]] == [HOOK_ID]


def _check(cwd: Path, *paths: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "migralint", "check", "--no-color", *paths],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
    )


def test_files_of_one_call_are_one_set_and_earlier_files_are_replayed(tmp_path: Path) -> None:
    """What the hook sees: the files pre-commit passes, reported, and only those.

    Files given together are ordered and replayed as one set (why the hook is
    require_serial). A migration given alone is judged after its set's earlier migrations
    are replayed from the tree: SET NOT NULL after a validated CHECK in an earlier file is
    clean, as in a folder run, and nothing of the earlier files is reported.
    """
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    files = {
        "V1__users.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
        "V2__check.sql": "SET lock_timeout = '2s';\nALTER TABLE users ADD CONSTRAINT "
        "users_email_not_null CHECK (email IS NOT NULL) NOT VALID;\n",
        "V3__validate.sql": "SET lock_timeout = '2s';\n"
        "ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\n",
        "V4__not_null.sql": "SET lock_timeout = '2s';\n"
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n",
        "V5__drop.sql": "SET lock_timeout = '2s';\nALTER TABLE users DROP COLUMN email;\n",
    }
    for name, text in files.items():
        (migrations / name).write_text(text, encoding="utf-8")

    together = _check(tmp_path, *(f"migrations/{name}" for name in reversed(list(files)[1:4])))
    assert together.returncode == 0, together.stdout + together.stderr
    assert "3 files linted: no findings" in together.stdout

    alone = _check(tmp_path, "migrations/V4__not_null.sql")
    assert alone.returncode == 0, alone.stdout + alone.stderr
    assert "1 file linted: no findings" in alone.stdout

    # The replay is context only: the drop in V5 is reported when V5 is given, and no
    # finding of another file appears beside it.
    dropped = _check(tmp_path, "migrations/V5__drop.sql")
    assert dropped.returncode == 1, dropped.stdout + dropped.stderr
    assert "drop-column" in dropped.stdout
    assert "V4__not_null" not in dropped.stdout and "1 file linted" in dropped.stdout


@needs_pre_commit
@needs_git
def test_try_repo_fails_on_a_drop_column(hook_repo: tuple[Path, str], tmp_path: Path) -> None:
    """`pre-commit try-repo <migralint> migralint --files <migration>`, as the issue asks."""
    snapshot, _ = hook_repo
    project = _project(tmp_path)
    _commit_all(project)

    run = _pre_commit(
        project, "try-repo", str(snapshot), HOOK_ID, "--files", DROP, home=tmp_path / "home"
    )
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "migralint" in output and "Failed" in output, output
    assert "- exit code: 1" in output, output
    assert f"{DROP}:3:1 drop-column dropping column users.email" in output, output


@needs_pre_commit
@needs_git
def test_readme_snippet_passes_a_clean_migration_and_fails_a_drop_column(
    hook_repo: tuple[Path, str], tmp_path: Path
) -> None:
    """The README's .pre-commit-config.yaml, pointed at the snapshot, in a user's repository."""
    snapshot, rev = hook_repo
    project = _project(tmp_path)
    config = README_PRECOMMIT_CONFIG.replace(
        f"repo: {README_REPO_URL}\n", f"repo: {snapshot.as_posix()}\n"
    ).replace(f"rev: {README_REV}\n", f"rev: {rev}\n")
    (project / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    _commit_all(project)
    home = tmp_path / "home"  # one hook environment for both runs

    clean = _pre_commit(project, "run", "--files", CLEAN, home=home)
    output = clean.stdout + clean.stderr
    assert clean.returncode == 0, output
    assert "Passed" in output, output

    drop = _pre_commit(project, "run", "--files", CLEAN, DROP, home=home)
    output = drop.stdout + drop.stderr
    assert drop.returncode == 1, output
    assert "Failed" in output, output
    assert f"{DROP}:3:1 drop-column dropping column users.email" in output, output
    assert "2 files linted: 1 error" in output, output


def test_the_alembic_hook_lints_a_revision_alone_after_its_earlier_revisions(
    tmp_path: Path,
) -> None:
    """What the Alembic hook runs on one staged revision: it is read statically and judged
    after the revisions before it (the type change knows the column's old type)."""
    shutil.copytree(REPO / "fixtures" / "alembic" / "shop", tmp_path / "shop")
    run = _check(tmp_path, "shop/versions/b2_every_op.py")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "changing orders.user_id from integer to bigint" in run.stdout
    assert "1 file linted" in run.stdout
