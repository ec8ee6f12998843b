"""require-lock-timeout judged by the set's convention (migralint/conventions.py): a set
whose files set lock_timeout gets a finding per file that forgets it, a set whose files
never do gets one, at its first lock; a file alone, a cached, a parallel and a `--since`
run reach the folder run's verdicts, and Alembic's env.py finding skips what is
suppressed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from gitrepo import GitRepo, isolated_git, needs_git, run  # noqa: F401 - a fixture
from helpers import REPO, write_tree

from migralint import parallel
from migralint.cache import Cache
from migralint.config import Settings
from migralint.engine import LintResult, lint_paths

RULE = "require-lock-timeout"
SETTINGS = Settings(select=(RULE,))
CASES = REPO / "fixtures" / "sql" / RULE
UNTOLD = CASES / "clean_later_file_of_a_set_without_timeouts"
IN_FILES = CASES / "flagged_later_file_of_a_set_that_sets_it"
ALEMBIC = REPO / "fixtures" / "alembic" / "suppressed_lock_timeout"


def found(result: LintResult) -> list[tuple[str, int]]:
    return [(Path(f.path).name, f.line) for f in result.findings if f.rule == RULE]


def test_a_set_that_never_sets_it_gets_one_finding_at_its_first_lock() -> None:
    result = lint_paths([UNTOLD], SETTINGS)
    assert found(result) == [("V2__add_email.sql", 3)]
    [finding] = result.findings
    assert "no migration of this set before it sets one" in finding.message
    assert "not reported one by one" in finding.message
    assert "flyway.initSql=SET lock_timeout" in finding.help  # the set's tool's place
    assert "ALTER ROLE" in finding.help and "statement_timeout" in finding.help


# a tool's own place to set a timeout for every migration, as the set's finding names it
PLACES = {
    "flyway": "`flyway.initSql=SET lock_timeout",
    "diesel": "`PGOPTIONS='-c lock_timeout=2s'`",
    "golang-migrate": "`x-statement-timeout`",
}
LAYOUTS = {
    "flyway": ("V1__users.sql", "V2__email.sql"),
    "diesel": ("2024-01-01-000000_users/up.sql", "2024-01-02-000000_email/up.sql"),
    "golang-migrate": ("1_users.up.sql", "2_email.up.sql"),
}


@pytest.mark.parametrize("tool", sorted(LAYOUTS))
def test_the_sets_finding_names_its_tools_own_place(tmp_path: Path, tool: str) -> None:
    first, second = LAYOUTS[tool]
    files = {first: "CREATE TABLE users (id int);\n", second: "ALTER TABLE users ADD email text;\n"}
    [finding] = lint_paths([write_tree(tmp_path / "migrations", files)], SETTINGS).findings
    assert PLACES[tool] in finding.help and "ALTER ROLE" in finding.help
    assert not [other for other in PLACES if other != tool and PLACES[other] in finding.help]


def test_files_appended_later_do_not_move_the_sets_finding(tmp_path: Path) -> None:
    root = shutil.copytree(UNTOLD, tmp_path / "set")
    before = lint_paths([root], SETTINGS).findings
    (root / "V4__add_age.sql").write_text("ALTER TABLE users ADD COLUMN age int;\n")
    (root / "V5__drop_name.sql").write_text("ALTER TABLE users DROP COLUMN name;\n")
    assert lint_paths([root], SETTINGS).findings == before


def test_a_set_that_sets_it_in_a_file_flags_each_later_file_without_it() -> None:
    result = lint_paths([IN_FILES], SETTINGS)
    assert found(result) == [("V3__add_phone.sql", 3), ("V4__add_age.sql", 2)]
    assert all("(V2__add_email.sql)" in f.message for f in result.findings)


@pytest.mark.parametrize("folder", [UNTOLD, IN_FILES], ids=lambda p: p.name)
def test_a_file_alone_gets_the_verdict_of_the_folder_run(folder: Path) -> None:
    whole = lint_paths([folder], SETTINGS).findings
    for path in sorted(folder.glob("*.sql")):
        alone = lint_paths([path], SETTINGS).findings
        assert alone == [f for f in whole if f.path == str(path)], path.name


def test_a_cached_verdict_changes_when_an_earlier_file_starts_setting_it(tmp_path: Path) -> None:
    root = shutil.copytree(UNTOLD, tmp_path / "set")
    cache = Cache(tmp_path / "cache")
    later = root / "V3__add_phone.sql"
    for _ in range(2):  # a cold run, then one from the cache
        assert found(lint_paths([root], SETTINGS, cache=cache)) == [("V2__add_email.sql", 3)]
        assert found(lint_paths([later], SETTINGS, cache=cache)) == []
    earlier = root / "V2__add_email.sql"
    earlier.write_text("SET lock_timeout = '2s';\n" + earlier.read_text())
    assert found(lint_paths([root], SETTINGS, cache=cache)) == [("V3__add_phone.sql", 3)]
    assert found(lint_paths([later], SETTINGS, cache=cache)) == [("V3__add_phone.sql", 3)]


def test_sets_linted_in_parallel_keep_their_own_convention(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    serial = lint_paths([UNTOLD, IN_FILES], SETTINGS).findings
    pool_map = parallel.ordered_map
    calls: list[int] = []

    def forced(work, items, sizes, **options):  # type: ignore[no-untyped-def]
        calls.append(len(items))
        return pool_map(work, items, sizes, jobs=2, serial_below=0)

    monkeypatch.setattr("migralint.incremental.ordered_map", forced)
    assert lint_paths([UNTOLD, IN_FILES], SETTINGS).findings == serial
    assert calls == [2] and len(serial) == 3


def test_downs_neither_set_the_convention_nor_take_the_sets_finding(tmp_path: Path) -> None:
    """golang-migrate: 1's down sets lock_timeout and drops users (a lock on an existing
    table, judged under lint_downs = "all"); the ups still never set it."""
    root = write_tree(
        tmp_path / "set",
        {
            "1_users.up.sql": "CREATE TABLE users (id int);\n",
            "1_users.down.sql": "DROP TABLE users;\nSET lock_timeout = '2s';\n",
            "2_email.up.sql": "ALTER TABLE users ADD COLUMN email text;\n",
            "2_email.down.sql": "ALTER TABLE users DROP COLUMN email;\n",
            "3_phone.up.sql": "ALTER TABLE users ADD COLUMN phone text;\n",
        },
    )
    for lint_downs in ("rollback", "all"):
        result = lint_paths([root], Settings(select=(RULE,), lint_downs=lint_downs))
        assert found(result) == [("2_email.up.sql", 1)], lint_downs
        assert "no migration of this set before it sets one" in result.findings[0].message


def test_an_offline_file_does_not_take_the_sets_finding(tmp_path: Path) -> None:
    root = shutil.copytree(UNTOLD, tmp_path / "set")
    settings = Settings(select=(RULE,), deployment={"*V2__*": "offline"})
    assert found(lint_paths([root], settings)) == [("V3__add_phone.sql", 3)]


@needs_git
@pytest.mark.usefixtures("isolated_git")
def test_since_reports_a_new_file_as_the_folder_run_does(tmp_path: Path) -> None:
    """The set was told at a released file, which `--since` does not report: a new file
    of the set is not told again, as in the folder run."""
    repo = GitRepo(tmp_path / "r")
    for path in sorted(UNTOLD.glob("V[12]*.sql")):
        repo.write(f"db/{path.name}", path.read_text())
    repo.commit("release 1")
    repo.git("tag", "v1.0.0")
    repo.write("db/V3__add_phone.sql", (UNTOLD / "V3__add_phone.sql").read_text())
    repo.commit("phone")
    code, out, _ = run(repo.root, "check", "--since", "v1.0.0", "--select", RULE)
    assert code == 0 and RULE not in out
    first = (UNTOLD / "V1__create_users.sql").read_text()
    repo.write("db/V1__create_users.sql", "SET lock_timeout = '2s';\n" + first)
    repo.commit("the set sets it in its files from now on")
    code, out, _ = run(repo.root, "check", "--since", "v1.0.0", "--select", RULE)
    assert code == 1 and "V3__add_phone.sql:3:1 require-lock-timeout" in out


def test_env_py_does_not_count_revisions_that_accept_or_bound_their_locks(tmp_path: Path) -> None:
    """s2's lock is suppressed at its call, s3 suppresses the rule file-wide, s4 sets its
    own lock_timeout: only s5 is counted."""
    [finding] = lint_paths([ALEMBIC], SETTINGS).findings
    assert finding.path == str(ALEMBIC / "env.py")
    assert (
        "1 of the 5 revisions" in finding.message and "(s5_add_city.py line 15:" in finding.message
    )
    project = shutil.copytree(ALEMBIC, tmp_path / "project")
    (project / "versions" / "s5_add_city.py").unlink()
    assert lint_paths([project], SETTINGS).findings == []
