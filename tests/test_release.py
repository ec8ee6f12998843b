"""Release rules and `rollback-check` in real git repositories: tags, branches, an edited
released migration, duplicate versions from two branches, N-1 code using a dropped column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gitrepo import GitRepo, isolated_git, needs_git, released, run  # noqa: F401 - a fixture

from migralint.release.pack import RELEASE_RULES
from migralint.rule import RuleSpec
from migralint.ruledocs import REQUIRED_SECTIONS, Example, parse_doc
from migralint.rulepack import load_pack

pytestmark = [needs_git, pytest.mark.usefixtures("isolated_git")]


def _check(root: Path, *args: str) -> tuple[int, list[dict[str, object]], str]:
    code, out, err = run(root, "check", "--since", "v1.0.0", "--format", "json", *args)
    return code, json.loads(out), err


def _rule(findings: list[dict[str, object]], rule: str) -> list[dict[str, object]]:
    return [f for f in findings if f["rule"] == rule]


def test_every_release_rule_documents_itself() -> None:
    for spec in load_pack(RELEASE_RULES):
        doc = parse_doc(spec)
        assert doc.summary and all(doc.sections.get(s) for s in REQUIRED_SECTIONS), spec.id


def _release_with(root: Path, example: Example) -> GitRepo:
    """A repository whose release since v1.0.0 holds the example as its documentation
    places it: `db/<file>` (a new migration, or the released V1 edited) and its
    siblings beside it."""
    repo = released(root)
    for name in example.siblings:
        repo.write(f"db/{name}", "")
    repo.write(f"db/{example.file}", example.sql)
    repo.commit("the release")
    return repo


@pytest.mark.parametrize("which", ["bad", "good"])
@pytest.mark.parametrize("spec", load_pack(RELEASE_RULES), ids=lambda spec: spec.id)
def test_documented_examples_behave_as_documented(
    tmp_path: Path, spec: RuleSpec, which: str
) -> None:
    doc = parse_doc(spec)
    example = doc.bad_example if which == "bad" else doc.good_example
    assert example is not None, f"{spec.id}: no ```sql block"
    repo = _release_with(tmp_path / which, example)
    _, findings, _ = _check(repo.root)
    assert bool(_rule(findings, spec.id)) == (which == "bad"), findings


def test_expand_and_contract_in_one_release_is_coupled(tmp_path: Path) -> None:
    repo = released(tmp_path / "r", code_paths=False)
    repo.put("db/V2__expand_and_contract.sql", "V2__expand_and_contract.sql")
    repo.commit("rename full_name in one go")
    code, findings, _ = _check(repo.root)
    coupled = _rule(findings, "expand-contract-coupled-release")
    assert len(coupled) == 1 and coupled[0]["line"] == 2
    assert "users.full_name" in coupled[0]["message"] and "users.name" in coupled[0]["message"]
    assert code == 1


def test_the_coupled_expand_is_the_column_backfilled_from_the_dropped_one(tmp_path: Path) -> None:
    repo = released(tmp_path / "r", code_paths=False)
    repo.put("db/V2__rename.sql", "V2__expand_backfill_contract.sql")
    _, findings, _ = _check(repo.root)
    (coupled,) = _rule(findings, "expand-contract-coupled-release")
    message = str(coupled["message"])
    assert "adds users.name (" in message and "backfilled from it (" in message
    assert "V2__rename.sql:3" in message and "nickname" not in message


def test_expand_alone_and_a_contract_of_a_column_added_in_the_release_are_not_coupled(
    tmp_path: Path,
) -> None:
    repo = released(tmp_path / "r", code_paths=False)
    repo.put("db/V2__add_nickname.sql", "V2__add_nickname.sql")
    repo.write("db/V3__drop_nickname.sql", "ALTER TABLE users DROP COLUMN nickname;\n")
    repo.commit("add and drop a new column")
    _, findings, _ = _check(repo.root)
    assert not _rule(findings, "expand-contract-coupled-release")


def test_a_released_migration_edited_after_its_tag_names_the_tag_and_commit(
    tmp_path: Path,
) -> None:
    repo = released(tmp_path / "r", code_paths=False)
    repo.put("db/V1__create_users.sql", "V1__create_users.edited.sql")
    first = repo.commit("add email to the first migration")
    repo.put("src/app.py", "app_v2.py")
    repo.commit("code only")
    repo.write("db/V1__create_users.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n")
    second = repo.commit("and drop full_name from it")
    _, findings, _ = _check(repo.root)
    edited = _rule(findings, "edited-released-migration")
    assert len(edited) == 1
    message = str(edited[0]["message"])
    assert "v1.0.0" in message and "code only" not in message
    assert f'commit {second} "and drop full_name from it", commit {first} "add email' in message


def test_an_uncommitted_edit_and_a_deletion_are_edits_too(tmp_path: Path) -> None:
    repo = released(tmp_path / "r", code_paths=False)
    repo.put("db/V1__create_users.sql", "V1__create_users.edited.sql")
    _, findings, _ = _check(repo.root)
    assert "uncommitted changes" in _rule(findings, "edited-released-migration")[0]["message"]
    (repo.root / "db" / "V1__create_users.sql").unlink()
    _, findings, _ = _check(repo.root)
    assert "deleted after it" in _rule(findings, "edited-released-migration")[0]["message"]


def test_a_staged_edit_of_a_released_migration_is_caught_before_the_commit(
    tmp_path: Path,
) -> None:
    repo = released(tmp_path / "r", code_paths=False)
    repo.put("db/V1__create_users.sql", "V1__create_users.edited.sql")
    repo.git("add", "db/V1__create_users.sql")
    code, out, _ = run(repo.root, "check", "--staged", "--format", "json")
    edited = _rule(json.loads(out), "edited-released-migration")
    assert edited and "the staged change" in edited[0]["message"] and code == 1


def test_duplicate_versions_from_two_branches_name_both_files_and_commits(tmp_path: Path) -> None:
    repo = released(tmp_path / "r", code_paths=False)
    repo.git("rm", "-q", "db/V1__create_users.sql")
    repo.put("db/0001_create_users.up.sql", "0001_create_users.up.sql")
    repo.commit("golang-migrate layout")
    repo.git("tag", "-f", "v1.0.0")
    repo.git("switch", "-q", "-c", "email")
    repo.put("db/0002_add_email.up.sql", "0002_add_email.up.sql")
    email = repo.commit("email")
    repo.git("switch", "-q", "main")
    repo.put("db/0002_add_phone.up.sql", "0002_add_phone.up.sql")
    phone = repo.commit("phone")
    repo.git("merge", "-q", "--no-edit", "email")
    _, findings, _ = _check(repo.root)
    dup = _rule(findings, "duplicate-migration-version")
    assert {Path(str(f["path"])).name for f in dup} == {
        "0002_add_email.up.sql",
        "0002_add_phone.up.sql",
    }
    message = " ".join(str(f["message"]) for f in dup)
    assert email in message and phone in message


def test_a_dropped_column_the_previous_code_reads_lists_files_and_lines(tmp_path: Path) -> None:
    repo = released(tmp_path / "r")
    repo.put("db/V2__drop_full_name.sql", "V2__drop_full_name.sql")
    repo.put("src/app.py", "app_v2.py")  # this release's code no longer reads it
    repo.commit("drop full_name")
    _, findings, _ = _check(repo.root)
    stale = _rule(findings, "dropped-object-used-by-previous-release")
    assert len(stale) == 1 and "src/app.py:2" in stale[0]["message"]


def test_the_n1_check_is_quiet_when_the_previous_code_does_not_use_it(tmp_path: Path) -> None:
    repo = released(tmp_path / "r")
    repo.put("src/app.py", "app_v2.py")
    repo.commit("stop reading full_name")
    repo.git("tag", "v1.1.0")
    repo.put("db/V2__drop_full_name.sql", "V2__drop_full_name.sql")
    _, out, _ = run(repo.root, "check", "--since", "v1.1.0", "--format", "json")
    assert not _rule(json.loads(out), "dropped-object-used-by-previous-release")


def test_without_code_paths_the_n1_check_says_so(tmp_path: Path) -> None:
    repo = released(tmp_path / "r", code_paths=False)
    repo.put("db/V2__drop_full_name.sql", "V2__drop_full_name.sql")
    _, findings, err = _check(repo.root)
    assert not _rule(findings, "dropped-object-used-by-previous-release")
    assert "set code_paths" in err


def test_release_rules_can_be_ignored_by_id(tmp_path: Path) -> None:
    repo = released(tmp_path / "r", code_paths=False)
    repo.put("db/V2__expand_and_contract.sql", "V2__expand_and_contract.sql")
    _, findings, _ = _check(repo.root, "--ignore", "expand-contract-coupled-release")
    assert not _rule(findings, "expand-contract-coupled-release")


# rollback-check: every path of the decision tree


def _rollback(root: Path, *args: str) -> tuple[int, dict[str, object]]:
    code, out, _ = run(root, "rollback-check", "--format", "json", *args)
    return code, json.loads(out)


def test_rollback_is_safe_after_an_additive_release(tmp_path: Path) -> None:
    repo = released(tmp_path / "r")
    repo.put("db/V2__add_nickname.sql", "V2__add_nickname.sql")
    repo.commit("nickname")
    repo.git("tag", "v1.1.0")
    code, verdict = _rollback(repo.root)
    assert code == 0 and verdict["rollback_safe"] is True
    assert verdict["decision"] == "roll the code back to v1.0.0"
    base = verdict["base"]
    assert base["name"] == "v1.0.0" and base["how"] == "newest tag matching 'v*'"  # not HEAD's
    assert base["commit"] == repo.git("rev-parse", "v1.0.0^{commit}").strip()
    assert [s["answer"] for s in verdict["steps"]][1:] == ["no", "yes"]


def test_a_destructive_release_means_roll_forward(tmp_path: Path) -> None:
    repo = released(tmp_path / "r")
    repo.put("db/V2__drop_full_name.sql", "V2__drop_full_name.sql")
    repo.put("src/app.py", "app_v2.py")
    repo.commit("drop")
    code, verdict = _rollback(repo.root)
    assert code == 1 and verdict["decision"] == "roll forward with a hotfix"
    destructive = verdict["steps"][1]
    assert destructive["answer"] == "yes"
    assert any("src/app.py:2" in line for line in destructive["because"])
    assert "git switch -c hotfix/" in str(verdict["action"])


def test_a_drop_the_previous_code_does_not_use_leaves_rollback_safe(tmp_path: Path) -> None:
    repo = released(tmp_path / "r")
    repo.write("db/V2__drop_unused.sql", "ALTER TABLE users ADD COLUMN legacy text;\n")
    repo.commit("legacy")
    repo.git("tag", "v1.1.0")
    repo.write("db/V3__drop_legacy.sql", "ALTER TABLE users DROP COLUMN legacy;\n")
    repo.commit("drop legacy")
    code, verdict = _rollback(repo.root, "--since", "v1.1.0")
    assert code == 0 and verdict["steps"][1]["answer"] == "no"


def test_an_incompatible_but_not_destructive_release_means_roll_forward(tmp_path: Path) -> None:
    repo = released(tmp_path / "r")
    repo.put("db/V2__add_required_age.sql", "V2__add_required_age.sql")
    repo.commit("age")
    code, verdict = _rollback(repo.root, "--since", "v1.0.0")
    assert code == 1
    assert [s["answer"] for s in verdict["steps"]][1:] == ["no", "no"]
    assert any("adding-required-field" in line for line in verdict["steps"][2]["because"])


def test_the_kill_switch_comes_first_and_the_exit_code_still_says_schema_safety(
    tmp_path: Path,
) -> None:
    repo = released(tmp_path / "r")
    repo.put("db/V2__drop_full_name.sql", "V2__drop_full_name.sql")
    repo.commit("drop")
    code, verdict = _rollback(repo.root, "--kill-switch")
    assert verdict["decision"] == "flip the kill switch" and code == 1
    repo.put("db/V2__drop_full_name.sql", "V2__add_nickname.sql")
    repo.commit("additive after all")
    code, verdict = _rollback(repo.root, "--kill-switch")
    assert verdict["decision"] == "flip the kill switch" and code == 0
    assert len(verdict["steps"]) == 1


def test_rollback_check_text_prints_the_path_taken(tmp_path: Path) -> None:
    repo = released(tmp_path / "r")
    repo.put("db/V2__drop_full_name.sql", "V2__drop_full_name.sql")
    repo.commit("drop")
    code, out, _ = run(repo.root / "src", "rollback-check")  # from a subdirectory
    assert code == 1
    assert "1. Is the bad change behind a feature flag?" in out
    drop = Path("..") / "db" / "V2__drop_full_name.sql"
    assert f"{drop}:1 column users.full_name: used by src/app.py:2" in out
    assert "decision: roll forward with a hotfix" in out


@pytest.mark.parametrize("args", [("--since", "nope"), ()])
def test_rollback_check_usage_errors_exit_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    repo = released(tmp_path / "r")
    if not args:
        repo.git("tag", "-d", "v1.0.0")
    code, out, err = run(repo.root, "rollback-check", *args)
    assert code == 2 and "migralint: error:" in err and out == ""


@pytest.mark.parametrize(
    "config", ['release_tag_pattern = "--all"', 'code_paths = [""]', "code_paths = 3"]
)
def test_bad_release_settings_are_usage_errors(tmp_path: Path, config: str) -> None:
    repo = released(tmp_path / "r", code_paths=False)
    repo.write("migralint.toml", config + "\n")
    code, out, err = run(repo.root, "check", "--since", "v1.0.0")
    assert code == 2 and "migralint.toml" in err and out == ""


def test_another_release_tag_pattern_picks_the_base(tmp_path: Path) -> None:
    repo = released(tmp_path / "r")
    repo.git("tag", "release-1", "v1.0.0")
    repo.put("db/V2__add_nickname.sql", "V2__add_nickname.sql")
    repo.commit("nickname")
    repo.git("tag", "v1.1.0")  # matches v*, not release-*
    repo.write("migralint.toml", 'code_paths = ["src/**"]\nrelease_tag_pattern = "release-*"\n')
    code, verdict = _rollback(repo.root)
    assert verdict["base"]["name"] == "release-1" and code == 0


def test_git_runs_no_textconv_or_fsmonitor_program_of_the_repository(tmp_path: Path) -> None:
    repo = released(tmp_path / "r")
    marker = tmp_path / "ran"
    program = tmp_path / "evil.sh"
    program.write_text(f'#!/bin/sh\ntouch "{marker}"\ncat "$1" 2>/dev/null\n', encoding="utf-8")
    program.chmod(0o755)
    repo.write(".gitattributes", "*.py diff=evil\n")
    repo.git("config", "diff.evil.textconv", str(program))
    repo.git("config", "core.fsmonitor", str(program))
    repo.commit("attributes")
    repo.put("db/V2__drop_full_name.sql", "V2__drop_full_name.sql")
    marker.unlink(missing_ok=True)  # the test's own git add ran the fsmonitor
    code, findings, _ = _check(repo.root)
    assert _rule(findings, "dropped-object-used-by-previous-release") and code == 1
    assert not marker.exists()


def test_file_names_that_look_like_options_or_hold_newlines_stay_names(tmp_path: Path) -> None:
    repo = released(tmp_path / "r", code_paths=False)
    repo.put("db/V2__--output=x.sql", "V2__drop_full_name.sql")
    repo.put("db/V3__a\nb.sql", "V2__add_nickname.sql")
    repo.commit("odd names")
    repo.put("db/V2__--output=x.sql", "V2__add_nickname.sql")  # uncommitted edit
    code, findings, _ = _check(repo.root)
    names = {Path(str(f["path"])).name for f in findings}
    # every format escapes a line break in a name (report/escape.py)
    assert names == {"V2__--output=x.sql", "V3__a\\nb.sql"} and code == 1
    assert not (repo.root / "x").exists() and not (repo.root / "db" / "x").exists()


def test_rules_and_explain_know_the_release_rules(tmp_path: Path) -> None:
    _, listed, _ = run(tmp_path, "rules", "--format", "json")
    ids = {row["id"] for row in json.loads(listed)}
    for spec in load_pack(RELEASE_RULES):
        assert spec.id in ids
        code, shown, _ = run(tmp_path, "explain", spec.id)
        assert code == 0 and "## Use instead" in shown


def test_nothing_changed_since_the_ref_is_a_green_run(tmp_path: Path) -> None:
    repo = released(tmp_path / "r")
    code, out, err = run(repo.root, "check", "--since", "v1.0.0", "--format", "json")
    assert (code, json.loads(out)) == (0, []) and "release base: v1.0.0" in err


def test_renaming_a_column_added_in_the_release_then_dropping_it_removes_nothing_released(
    tmp_path: Path,
) -> None:
    repo = released(tmp_path / "r")
    repo.write(
        "db/V2__nickname.sql",
        "ALTER TABLE users ADD COLUMN nick text;\n"
        "ALTER TABLE users RENAME COLUMN nick TO nickname;\n"
        "ALTER TABLE users DROP COLUMN nickname;\n"
        "CREATE TABLE full_name (id bigint);\n"
        "ALTER TABLE full_name RENAME TO full_names;\n"
        "DROP TABLE full_names;\n",
    )
    repo.commit("a column and a table that never shipped")
    code, verdict = _rollback(repo.root)
    assert verdict["steps"][1]["answer"] == "no" and code == 0


def test_a_new_migration_reusing_a_released_version_is_reported_on_the_new_file(
    tmp_path: Path,
) -> None:
    repo = released(tmp_path / "r", code_paths=False)
    released_in = repo.git("log", "--format=%h", "-n1", "v1.0.0").strip()
    repo.put("db/V1_0__add_nickname.sql", "V2__add_nickname.sql")  # Flyway: 1.0 is 1
    _, findings, _ = _check(repo.root)
    (dup,) = _rule(findings, "duplicate-migration-version")
    assert Path(str(dup["path"])).name == "V1_0__add_nickname.sql"
    assert "not committed yet" in str(dup["message"])
    assert f'V1__create_users.sql (added in commit {released_in} "release 1")' in str(
        dup["message"]
    )
