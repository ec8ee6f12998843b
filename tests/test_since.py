"""`check --since REF` and `check --staged` in real git repositories: only the changed
migrations are reported, the others replayed for context; errors are exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gitrepo import RELEASE, GitRepo, isolated_git, needs_git, released, run  # noqa: F401 - a fixture

pytestmark = [needs_git, pytest.mark.usefixtures("isolated_git")]


def _findings(out: str) -> list[tuple[str, str]]:
    return [(Path(f["path"]).name, f["rule"]) for f in json.loads(out)]


def test_since_reports_only_files_changed_since_the_ref(tmp_path: Path) -> None:
    repo = released(tmp_path / "r", code_paths=False)
    # released below, not reported; it sets lock_timeout, so each later file of the set must
    repo.write(
        "db/V0__old_drop.sql",
        "SET lock_timeout = '2s';\nALTER TABLE users DROP COLUMN full_name;\n",
    )
    repo.commit("an old destructive migration")
    repo.git("tag", "-f", "v1.0.0")
    repo.put("db/V2__add_nickname.sql", "V2__add_nickname.sql")
    repo.commit("nickname")
    code, out, err = run(repo.root, "check", "--since", "v1.0.0", "--format", "json")
    names = {name for name, _ in _findings(out)}
    assert names == {"V2__add_nickname.sql"}, out
    assert "release base: v1.0.0" in err and "--since" in err
    assert code == 1  # require-lock-timeout on the nickname ALTER, which sets none


def test_since_counts_uncommitted_and_untracked_changes(tmp_path: Path) -> None:
    repo = released(tmp_path / "r", code_paths=False)
    repo.put("db/V2__drop_full_name.sql", "V2__drop_full_name.sql")  # untracked
    code, out, _ = run(repo.root, "check", "--since", "v1.0.0", "--format", "json")
    assert ("V2__drop_full_name.sql", "drop-column") in _findings(out)
    assert code == 1


def test_since_uses_the_merge_base_of_a_branch(tmp_path: Path) -> None:
    repo = released(tmp_path / "r", code_paths=False)
    repo.git("switch", "-q", "-c", "feature")
    repo.put("db/V2__add_nickname.sql", "V2__add_nickname.sql")
    repo.commit("feature: nickname")
    repo.git("switch", "-q", "main")
    repo.put("db/V3__drop_full_name.sql", "V2__drop_full_name.sql")
    repo.commit("main moves on")
    repo.git("switch", "-q", "feature")
    _, out, _ = run(repo.root, "check", "--since", "main", "--format", "json")
    # main's later migration is not in the branch (merge-base semantics, like REF...HEAD)
    assert {name for name, _ in _findings(out)} == {"V2__add_nickname.sql"}


def test_an_edit_since_a_branch_says_present_at_the_branch(tmp_path: Path) -> None:
    repo = released(tmp_path / "r", code_paths=False)
    repo.git("switch", "-q", "-c", "feature")
    repo.put("db/V1__create_users.sql", "V1__create_users.edited.sql")
    repo.commit("edit")
    _, out, _ = run(repo.root, "check", "--since", "main", "--format", "json")
    (edited,) = [f for f in json.loads(out) if f["rule"] == "edited-released-migration"]
    assert "db/V1__create_users.sql was present at main and edited after it" in edited["message"]


def test_since_works_from_a_subdirectory_and_prints_paths_from_there(tmp_path: Path) -> None:
    repo = released(tmp_path / "r", code_paths=False)
    repo.put("db/V2__drop_full_name.sql", "V2__drop_full_name.sql")
    repo.commit("drop")
    code, out, _ = run(repo.root / "src", "check", "--since", "v1.0.0", "--format", "json")
    paths = {f["path"] for f in json.loads(out)}
    assert paths == {str(Path("..") / "db" / "V2__drop_full_name.sql")}
    assert code == 1


def test_objects_created_by_unreleased_migrations_count_as_new(tmp_path: Path) -> None:
    repo = released(tmp_path / "r", code_paths=False)
    repo.put("db/V2__create_sessions.sql", "V2__create_sessions.sql")
    repo.put("db/V3__index_sessions.sql", "V3__index_sessions.sql")
    repo.commit("sessions")
    _, out, _ = run(repo.root, "check", "--since", "v1.0.0", "--format", "json")
    assert "require-concurrent-index-creation" not in {rule for _, rule in _findings(out)}
    # once the table is released, the same index locks a live table
    live = released(tmp_path / "live", code_paths=False)
    live.put("db/V2__create_sessions.sql", "V2__create_sessions.sql")
    live.commit("sessions")
    live.git("tag", "v1.1.0")
    live.put("db/V3__index_sessions.sql", "V3__index_sessions.sql")
    _, out, _ = run(live.root, "check", "--since", "v1.1.0", "--format", "json")
    assert ("V3__index_sessions.sql", "require-concurrent-index-creation") in _findings(out)


def test_staged_reads_the_index_not_the_working_tree(tmp_path: Path) -> None:
    repo = released(tmp_path / "r", code_paths=False)
    repo.put("db/V2__add_nickname.sql", "V2__add_nickname.sql")
    repo.git("add", "db/V2__add_nickname.sql")
    repo.put("db/V2__add_nickname.sql", "V2__drop_full_name.sql")  # unstaged edit
    repo.put("db/V3__index_sessions.sql", "V3__index_sessions.sql")  # untracked: not linted
    _, out, err = run(repo.root, "check", "--staged", "--format", "json")
    found = _findings(out)
    assert ("V2__add_nickname.sql", "require-lock-timeout") in found
    assert "drop-column" not in {rule for _, rule in found}
    assert {name for name, _ in found} == {"V2__add_nickname.sql"}
    assert "release base: v1.0.0" in err


def test_a_staged_file_over_max_file_size_is_a_finding_not_read(tmp_path: Path) -> None:
    repo = released(tmp_path / "r", code_paths=False)
    repo.put("db/V2__add_nickname.sql", "V2__add_nickname.sql")
    repo.git("add", "-A")
    (repo.root / "db" / "V2__add_nickname.sql").write_text("SELECT 1;\n", encoding="utf-8")
    _, out, _ = run(repo.root, "check", "--staged", "--format", "json", "--max-file-size", "20")
    found = json.loads(out)
    assert [f["rule"] for f in found] == ["file-too-large"]
    assert "44 bytes, over the max_file_size of 20 bytes" in found[0]["message"]  # the index's


def test_staged_without_a_tag_says_release_rules_did_not_run(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.put("db/V1__create_users.sql", "V1__create_users.sql")
    repo.git("add", "-A")
    code, out, err = run(repo.root, "check", "--staged", "--format", "json")
    assert json.loads(out) == [] and code == 0
    assert "no tag matching 'v*'" in err


@pytest.mark.parametrize(
    "args, message",
    [
        (("--since", "v9.9.9"), "unknown revision 'v9.9.9'"),
        (("--since", "--output=x"), "is not a git revision"),
        (("--since", "v1.0.0", "--staged"), "cannot be combined"),
        (("--since", "HEAD:db"), "unknown revision 'HEAD:db'"),  # a tree, not a commit
    ],
)
def test_bad_refs_are_usage_errors(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    repo = released(tmp_path / "r", code_paths=False)
    code, _, err = run(repo.root, "check", *args)
    assert code == 2 and message in err and "Traceback" not in err
    assert not (repo.root / "x").exists()


def test_an_annotated_tag_and_a_shallow_clone(tmp_path: Path) -> None:
    repo = released(tmp_path / "r", code_paths=False)
    repo.git("tag", "-a", "v1.0.1", "-m", "annotated", "v1.0.0")
    repo.put("db/V2__drop_full_name.sql", "V2__drop_full_name.sql")
    repo.commit("drop")
    code, out, _ = run(repo.root, "check", "--since", "v1.0.1", "--format", "json")
    assert code == 1 and ("V2__drop_full_name.sql", "drop-column") in _findings(out)
    shallow = GitRepo(tmp_path / "shallow")
    shallow.git("fetch", "-q", "--depth", "1", f"file://{repo.root}", "main")
    shallow.git("switch", "-q", "-c", "main", "FETCH_HEAD")
    shallow.git("fetch", "-q", "--depth", "1", f"file://{repo.root}", "tag", "v1.0.0")
    code, _, err = run(shallow.root, "check", "--since", "v1.0.0")
    assert code == 2 and "shallow clone" in err


def test_outside_a_repository_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "V1__x.sql").write_text("SELECT 1;\n", encoding="utf-8")
    code, _, err = run(tmp_path, "check", "--since", "HEAD")
    assert code == 2 and "not in a git repository" in err


def test_staged_files_given_by_pre_commit_are_judged_with_their_folder(tmp_path: Path) -> None:
    repo = released(tmp_path / "r", code_paths=False)
    repo.put("db/V2__create_sessions.sql", "V2__create_sessions.sql")
    index = (RELEASE / "V3__index_sessions.sql").read_text(encoding="utf-8")
    drop = (RELEASE / "V2__drop_full_name.sql").read_text(encoding="utf-8")
    repo.write("db/V3__index_and_drop.sql", index + drop)
    repo.put("db/V4__drop_again.sql", "V2__drop_full_name.sql")
    repo.git("add", "-A")
    given = str(Path("db") / "V3__index_and_drop.sql")
    _, out, _ = run(repo.root, "check", "--staged", "--format", "json", given)
    found = _findings(out)
    # only the given file is reported (not the staged V4); the staged V2 beside it is
    # replayed, so its table counts as new and the index on it is no lock problem
    assert {name for name, _ in found} == {"V3__index_and_drop.sql"}
    assert ("V3__index_and_drop.sql", "drop-column") in found
    assert "require-concurrent-index-creation" not in {rule for _, rule in found}
    # a plain check of the file alone has no such context
    _, out, _ = run(repo.root, "check", "--format", "json", given)
    assert "require-concurrent-index-creation" in {rule for _, rule in _findings(out)}
