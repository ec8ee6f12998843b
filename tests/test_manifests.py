"""Tools whose manifest lists the files that run: Sqitch's sqitch.plan, Atlas's atlas.sum, …

The manifest gives the order (not the file names), which files are migrations at all
(a file it does not list never runs, so it is not linted, and --show-context says so),
and, with the files' own directives, how each runs. A manifest that cannot be read is a
finding at its line, and the folder is linted as an ordinary one.
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import lint_tree, write_tree

from migralint.cli import main
from migralint.config import Settings
from migralint.engine import lint_paths
from migralint.problems import MalformedManifest
from migralint.sources.discover import discover
from migralint.sources.sqitch import read_plan

LAYOUTS = Path(__file__).resolve().parents[1] / "fixtures" / "layouts"
SQITCH = LAYOUTS / "sqitch"
ATLAS = LAYOUTS / "atlas" / "migrations"
_STAMP = "2024-01-01T10:00:00Z Ana <ana@example.com>"


def _names(paths: object, root: Path) -> list[str]:
    return [f.path.relative_to(root).as_posix() for f in paths]  # type: ignore[attr-defined]


def _findings(root: Path, **settings: object) -> list[tuple[str, str]]:
    result = lint_paths([root], Settings(**settings))  # type: ignore[arg-type]
    return [(Path(f.path).relative_to(root).as_posix(), f.rule) for f in result.findings]


def _show_context(*args: str) -> list[str]:
    shown = CliRunner().invoke(main, ["check", "--show-context", "--exit-zero", *args])
    assert shown.exit_code == 0, shown.output
    return shown.output.split("\n\n")[0].splitlines()


# Sqitch


def test_sqitch_runs_the_plans_changes_in_its_order_each_deploy_verify_revert() -> None:
    found = discover([SQITCH])
    assert _names(found.files, SQITCH) == [
        f"{kind}/{change}.sql"
        for change in ("users", "posts", "add_email@v1.0", "email_index", "add_email")
        for kind in ("deploy", "verify", "revert")
    ]
    assert {f.set_root for f in found.files} == {SQITCH}
    assert {(f.tool, f.transaction) for f in found.files} == {("sqitch", "none")}
    directions = {f.path.parent.name: f.direction for f in found.files}
    assert directions == {"deploy": "up", "verify": "verify", "revert": "down"}
    # scripts `sqitch add` never wrote into the plan never run
    assert _names(found.not_run, SQITCH) == ["deploy/drop_posts.sql", "deploy/scratch.sql"]
    assert {f.not_run for f in found.not_run} == {"not in sqitch.plan"}


def test_sqitch_findings_follow_what_runs() -> None:
    """Nothing on the scripts the plan does not name (a DROP TABLE, a DELETE without
    WHERE), nothing on verify scripts, no lock advice on reverts; the widening of the
    reworked change is judged after its earlier instance created the column."""
    assert _findings(SQITCH) == [
        ("deploy/add_email@v1.0.sql", "require-lock-timeout"),
        ("deploy/email_index.sql", "create-without-if-not-exists"),
        ("revert/email_index.sql", "drop-without-if-exists"),
    ]


def test_sqitch_scripts_run_in_the_transaction_they_open_themselves(tmp_path: Path) -> None:
    """psql runs the file as it is: a deploy's own BEGIN makes the CONCURRENTLY fail,
    a deploy without one runs it bare."""
    plan = f"users {_STAMP}\nidx [users] {_STAMP}\nidx2 [users] {_STAMP}\n"
    files = {
        "sqitch.plan": plan,
        "deploy/users.sql": "BEGIN;\nCREATE TABLE users (id bigint, email text);\nCOMMIT;\n",
        "deploy/idx.sql": "BEGIN;\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n"
        "COMMIT;\n",
        "deploy/idx2.sql": "CREATE INDEX CONCURRENTLY users_email2_idx ON users (email);\n",
    }
    result = lint_tree(tmp_path, files, select=("concurrent-index-in-transaction",))
    [finding] = result.findings
    assert (Path(finding.path).name, finding.line) == ("idx.sql", 2)
    assert "outside the script's BEGIN … COMMIT" in finding.help


def test_psql_runs_the_sqitch_fixture_as_sqitch_deploys_it(pg_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """What migralint reads is what PostgreSQL does: sqitch's pg engine runs each
    script with `psql --file` (ON_ERROR_STOP), so the fixture's deploy and verify
    scripts run in plan order, CONCURRENTLY included; the same index build inside the
    script's own BEGIN fails."""
    from postgres import psql_binary

    plan = [f for f in discover([SQITCH]).files if f.direction != "down"]
    inside = tmp_path / "inside.sql"
    inside.write_text("BEGIN;\nCREATE INDEX CONCURRENTLY x_idx ON users (name);\nCOMMIT;\n")
    with pg_server.database() as conn:
        psql = [str(psql_binary()), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", pg_server.host]
        psql += ["-U", "postgres", "-d", conn.info.dbname]

        def run(script: Path) -> subprocess.CompletedProcess[str]:
            return subprocess.run([*psql, "--file", str(script)], capture_output=True, text=True)

        for script in plan:
            done = run(script.path)
            assert done.returncode == 0, (script.path, done.stderr)
        failed = run(inside)
    assert failed.returncode != 0
    assert "cannot run inside a transaction block" in failed.stderr


def test_a_verify_script_is_judged_for_syntax_only(tmp_path: Path) -> None:
    plan = f"users {_STAMP}\n"
    files = {
        "sqitch.plan": plan,
        "deploy/users.sql": "CREATE TABLE users (id bigint);\n",
        # a verify that would be flagged as a migration: it checks, then rolls back
        "verify/users.sql": "BEGIN;\nDELETE FROM users;\nSELEC id FROM users;\nROLLBACK;\n",
    }
    result = lint_tree(tmp_path, files)
    verify = [(f.rule, f.line) for f in result.findings if "/verify/" in f.path]
    assert verify == [("syntax-error", 3)]


def test_a_single_sqitch_script_is_judged_after_the_plans_earlier_changes(tmp_path: Path) -> None:
    """The pre-commit case: the reworked change widens a column its earlier instance
    created (instant); alone, with no history, the old type is unknown."""
    reworked = SQITCH / "deploy" / "add_email.sql"
    in_project = lint_paths([reworked], Settings(select=("changing-column-type",)))
    assert in_project.findings == []
    assert [c.path for c in in_project.contexts] == [str(reworked)]
    alone = tmp_path / "add_email.sql"
    alone.write_bytes(reworked.read_bytes())
    flagged = lint_paths([alone], Settings(select=("changing-column-type",)))
    assert [f.rule for f in flagged.findings] == ["changing-column-type"]


def test_a_script_not_in_the_plan_given_alone_is_not_linted() -> None:
    result = lint_paths([SQITCH / "deploy" / "drop_posts.sql"], Settings())
    assert (result.findings, result.files_linted) == ([], 0)
    assert _names(result.not_run, SQITCH) == ["deploy/drop_posts.sql"]


@pytest.mark.parametrize(
    ("given", "manifest"),
    [
        (SQITCH / "deploy" / "drop_posts.sql", "not in sqitch.plan"),
        (ATLAS / "scratch.sql", "not in atlas.sum"),
        (LAYOUTS / "temporal" / "versioned" / "v0.2" / "draft.sql", "not in v0.2/manifest.json"),
    ],
)
def test_a_file_given_that_never_runs_says_so_on_stderr(given: Path, manifest: str) -> None:
    """Not a green run with "0 files linted" and nothing else: a notice names the file
    and the manifest, and the run stays green (nothing that runs was wrong)."""
    ran = CliRunner().invoke(main, ["check", str(given)])
    assert ran.exit_code == 0, ran.output
    assert ran.stderr == (
        f"migralint: notice: {given}: not linted: its tool never runs it ({manifest})\n"
    )
    listed = CliRunner().invoke(main, ["check", str(given.parent)])
    assert "notice" not in listed.stderr  # a folder's unlisted files: --show-context lists them


def test_reworked_changes_follow_the_plan() -> None:
    plan = read_plan(
        f"f {_STAMP}\n@v1 {_STAMP}\n@v1.1 {_STAMP}\ng {_STAMP}\nf [f@v1] {_STAMP}\n"
        f"@v2 {_STAMP}\nf [f@v2] {_STAMP}\n"
    )
    # each earlier instance is named by a tag between it and its next reworking
    assert plan.scripts == {"f@v1": 0, "f@v1.1": 0, "g": 1, "f@v2": 2, "f": 3}
    unreadable = read_plan(f"f {_STAMP}\ng {_STAMP}\nf {_STAMP}\n")
    assert unreadable.problem == (3, "change f is reworked without a tag in between")


def test_sqitch_conf_names_the_folders_the_plan_and_the_engine(tmp_path: Path) -> None:
    files = {
        "sqitch.conf": '[core]\n\tengine = mysql\n\ttop_dir = db\n[engine "mysql"]\n'
        "\tplan_file = db/app.plan\n\tdeploy_dir = up\n",
        "db/app.plan": f"%project=app\nusers {_STAMP}\n",
        "db/up/users.sql": "CREATE TABLE users (id bigint);\n",
        "db/up/draft.sql": "DROP TABLE users;\n",
        "db/revert/users.sql": "DROP TABLE users;\n",
    }
    write_tree(tmp_path, files)
    found = discover([tmp_path])
    assert [(f.path.name, f.direction, f.dialect) for f in found.files] == [
        ("users.sql", "up", "mysql"),
        ("users.sql", "down", "mysql"),
    ]
    assert {f.set_root for f in found.files} == {tmp_path / "db"}
    assert [(f.path.name, f.not_run) for f in found.not_run] == [("draft.sql", "not in app.plan")]


@pytest.mark.parametrize(
    ("plan", "line"),
    [
        (f"%project=x\n\nusers {_STAMP}\nnot a plan line\n", 4),
        (f"users {_STAMP}\nusers {_STAMP}\n", 2),
    ],
)
def test_a_plan_that_cannot_be_read_is_a_finding_and_the_folders_are_ordinary(
    tmp_path: Path, plan: str, line: int
) -> None:
    files = {
        "sqitch.plan": plan,
        "deploy/users.sql": "CREATE TABLE users (id bigint);\n",
        "deploy/scratch.sql": "DELETE FROM users;\n",
    }
    result = lint_tree(tmp_path, files)
    found = [(Path(f.path).name, f.rule, f.line) for f in result.findings]
    assert ("sqitch.plan", "malformed-manifest", line) in found
    # every file is linted, as plain files are
    assert {Path(c.path).name: c.tool for c in result.contexts} == {
        "scratch.sql": "plain",
        "users.sql": "plain",
    }
    assert ("scratch.sql", "delete-without-where", 1) in found


def test_a_deploy_without_its_revert_is_reported_where_reverts_are_written(tmp_path: Path) -> None:
    files = {
        "sqitch.plan": f"a {_STAMP}\nb {_STAMP}\n",
        "deploy/a.sql": "CREATE TABLE a (id bigint);\n",
        "revert/a.sql": "DROP TABLE a;\n",
        "deploy/b.sql": "CREATE TABLE b (id bigint);\n",
    }
    result = lint_tree(tmp_path, files, select=("missing-down-migration",))
    assert [Path(f.path).relative_to(tmp_path).as_posix() for f in result.findings] == [
        "deploy/b.sql"
    ]
    facts = {
        Path(c.path).relative_to(tmp_path).as_posix(): c.has_down
        for c in result.contexts
        if c.direction == "up"
    }
    assert facts == {"deploy/a.sql": True, "deploy/b.sql": False}


def test_show_context_of_a_sqitch_project() -> None:
    assert _show_context(str(SQITCH)) == [
        f"{SQITCH}  (sqitch: 5 up, 5 down, 5 verify)",
        "  not run       2 files not in sqitch.plan: skipped [deploy/drop_posts.sql, "
        "deploy/scratch.sql]",
        "  dialect       postgres",
        "  transaction   no transaction: sqitch runs each script with psql --file: no "
        "transaction but the script's own BEGIN … COMMIT",
        "  fresh install none",
        '  deployment    online (assumed; set deployment = "offline" in [tool.migralint], or '
        "pass --deployment offline)",
        "  down files    judged for rollback only: data loss, irreversibility, failures, "
        're-runs (lint_downs = "rollback"; "all" to change)',
    ]


# Atlas


def test_atlas_runs_the_files_its_sum_lists_in_its_order() -> None:
    found = discover([ATLAS])
    assert _names(found.files, ATLAS) == [
        "20240101000000_users.sql",
        "20240102000000_email.sql",
        "20240103000000_email_index.sql",
        "20240104000000_name_index.sql",
        "20240105000000_widen_email.sql",
    ]
    modes = {f.path.name[15:]: (f.tool, f.transaction) for f in found.files}
    assert modes == {
        "users.sql": ("atlas", "per-file"),
        "email.sql": ("atlas", "per-file"),
        "email_index.sql": ("atlas", "none"),
        # its directive touches the statement: not a file directive, so Atlas wraps it
        "name_index.sql": ("atlas", "per-file"),
        "widen_email.sql": ("atlas", "per-file"),
    }
    assert [(f.path.name, f.not_run) for f in found.not_run] == [
        ("scratch.sql", "not in atlas.sum")
    ]


def test_atlas_findings_follow_what_runs() -> None:
    assert _findings(ATLAS) == [
        ("20240102000000_email.sql", "require-lock-timeout"),
        ("20240103000000_email_index.sql", "create-without-if-not-exists"),
        ("20240104000000_name_index.sql", "concurrent-index-in-transaction"),
    ]
    [help_text] = [
        f.help
        for f in lint_paths([ATLAS], Settings(select=("concurrent-index-in-transaction",))).findings
    ]
    assert "`-- atlas:txmode none` followed by a blank line" in help_text


def test_the_sum_order_is_the_order_not_the_names(tmp_path: Path) -> None:
    files = {
        "a.sql": "ALTER TABLE t ALTER COLUMN note TYPE varchar(200);\n",
        "b.sql": "CREATE TABLE t (id bigint, note varchar(100));\n",
    }
    files["atlas.sum"] = _atlas_sum(files, ["b.sql", "a.sql"])
    write_tree(tmp_path, files)
    assert [f.path.name for f in discover([tmp_path]).files] == ["b.sql", "a.sql"]
    # the widening is judged after b.sql created the column, also given alone
    for given in (tmp_path, tmp_path / "a.sql"):
        assert lint_paths([given], Settings(select=("changing-column-type",))).findings == []


def test_an_atlas_checkpoint_is_a_fresh_install_and_nolint_is_honoured(tmp_path: Path) -> None:
    files = {
        "1_init.sql": "CREATE TABLE t (id bigint, note text, old text);\n",
        "2_checkpoint.sql": "-- atlas:checkpoint v2\n\nDROP TABLE IF EXISTS t;\n"
        "CREATE TABLE t (id bigint, note text, old text);\n",
        "3_drop.sql": "-- atlas:nolint DS103\nALTER TABLE t DROP COLUMN old;\n"
        "ALTER TABLE t DROP COLUMN note;\n",
    }
    files["atlas.sum"] = _atlas_sum(files, sorted(files))
    result = lint_tree(tmp_path, files, select=("drop-table", "drop-column"))
    assert [(Path(f.path).name, f.rule, f.line) for f in result.findings] == [
        ("3_drop.sql", "drop-column", 3)
    ]
    [checkpoint] = [c for c in result.contexts if c.path.endswith("2_checkpoint.sql")]
    assert (checkpoint.fresh_install, checkpoint.fresh_reason) == (
        True,
        "an Atlas checkpoint (-- atlas:checkpoint)",
    )


@pytest.mark.parametrize(
    ("text", "line"),
    [("", 1), ("1_a.sql h1:y=\n", 1), ("h1:x=\n1_a.sql\n", 2), ("h1:x=\na h1:y=\na h1:z=\n", 3)],
)
def test_a_sum_that_cannot_be_read_is_a_finding_and_the_folder_is_ordinary(
    tmp_path: Path, text: str, line: int
) -> None:
    files = {"atlas.sum": text, "1_a.sql": "CREATE TABLE t (id bigint);\n", "scratch.sql": ""}
    result = lint_tree(tmp_path, files, select=("malformed-manifest",))
    assert [(Path(f.path).name, f.rule, f.line) for f in result.findings] == [
        ("atlas.sum", "malformed-manifest", line)
    ]
    assert {Path(c.path).name: c.tool for c in result.contexts} == {
        "1_a.sql": "plain",
        "scratch.sql": "plain",
    }


def test_another_tools_files_beside_an_atlas_sum_keep_their_tool(tmp_path: Path) -> None:
    """Atlas also hashes folders it writes in other tools' formats (`--dir-format
    goose`); those tools run every file, so their files are not judged by the sum."""
    files = {
        "atlas.sum": "h1:x=\n1_a.sql h1:y=\n",
        "1_a.sql": "-- +goose Up\nCREATE TABLE t (id bigint);\n",
        "2_b.sql": "-- +goose Up\nCREATE TABLE u (id bigint);\n",
    }
    write_tree(tmp_path, files)
    found = discover([tmp_path])
    assert [(f.path.name, f.tool) for f in found.files] == [
        ("1_a.sql", "goose"),
        ("2_b.sql", "goose"),
    ]
    assert found.not_run == ()


def _atlas_sum(files: dict[str, str], order: list[str], ignored: tuple[str, ...] = ()) -> str:
    """The atlas.sum `atlas migrate hash` writes for `files` (in `order`): each line the
    base64 SHA-256 over the names and bytes up to its file, the first over the lines;
    an `ignored` file (`-- atlas:sum ignore`) adds its name only, and no line."""
    running, lines = hashlib.sha256(), []
    for name in order:
        running.update(name.encode())
        if name in ignored:
            continue
        running.update(files[name].encode())
        lines.append((name, base64.b64encode(running.copy().digest()).decode()))
    total = hashlib.sha256(b"".join(n.encode() + h.encode() for n, h in lines))
    head = base64.b64encode(total.digest()).decode()
    return "".join([f"h1:{head}\n", *(f"{n} h1:{h}\n" for n, h in lines)])


def test_the_atlas_fixtures_sum_is_atlass_own_hash() -> None:
    """The fixture's atlas.sum was written by `atlas migrate hash`: the hash above is
    Atlas's, and the folder's files match it (no finding)."""
    listed = [line.split()[0] for line in (ATLAS / "atlas.sum").read_text().splitlines()[1:]]
    files = {name: (ATLAS / name).read_text() for name in listed}
    assert _atlas_sum(files, listed) == (ATLAS / "atlas.sum").read_text()
    assert [f for f in discover([ATLAS]).rejected if isinstance(f, MalformedManifest)] == []


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (
            {"2_b.sql": "CREATE TABLE u (id bigint, note text);\n"},
            3,
            "2_b.sql does not match its hash: it was edited after `atlas migrate hash`",
        ),
        ({"2_b.sql": None}, 3, "2_b.sql is listed but not in the folder"),
        ({"atlas.sum": "first"}, 1, "the first line is not the hash of the lines below it"),
    ],
)
def test_a_file_that_no_longer_matches_the_sum_is_a_finding_at_its_line(
    tmp_path: Path, change: dict[str, str | None], line: int, message: str
) -> None:
    files = {
        "1_a.sql": "CREATE TABLE t (id bigint);\n",
        "2_b.sql": "CREATE TABLE u (id bigint);\n",
        "3_c.sql": "-- atlas:sum ignore\n\nSELECT 1;\n",  # hashed by its name only
        "4_d.sql": "ALTER TABLE t ADD COLUMN note text;\n",
    }
    sums = _atlas_sum(files, sorted(files), ignored=("3_c.sql",))
    clean = lint_tree(tmp_path / "clean", {**files, "atlas.sum": sums}, select=("correctness",))
    assert [f.rule for f in clean.findings] == []
    assert "3_c.sql" not in sums
    if change.get("atlas.sum") == "first":
        change = {"atlas.sum": "h1:AAAA" + sums[sums.index("=\n") :]}
    tree = {**files, "atlas.sum": sums, **change}
    result = lint_tree(tmp_path / "changed", {k: v for k, v in tree.items() if v is not None})
    [refused] = [f for f in result.findings if f.rule == "malformed-manifest"]
    assert (Path(refused.path).name, refused.line) == ("atlas.sum", line)
    assert refused.message.startswith(f"atlas.sum: {message}")
    assert refused.message.endswith("Atlas refuses the folder until `atlas migrate hash`")


def test_show_context_of_an_atlas_folder() -> None:
    lines = _show_context(str(ATLAS))
    assert lines[1:4] == [
        "  not run       1 file not in atlas.sum: skipped [scratch.sql]",
        "  dialect       postgres",
        "  transaction   one transaction per file: atlas runs each file in a transaction "
        "(--tx-mode file, its default)",
    ]
    assert lines[4] == (
        "                no transaction: -- atlas:txmode none [20240103000000_email_index.sql]"
    )


# Liquibase

LIQUIBASE = LAYOUTS / "liquibase" / "src" / "main" / "resources" / "db" / "changelog"


def test_the_master_changelog_lists_the_sql_that_runs_in_its_order() -> None:
    found = discover([LIQUIBASE])
    assert [(f.path.relative_to(LIQUIBASE).as_posix(), f.direction) for f in found.files] == [
        ("changes/users.sql", "up"),  # include, from the search path above the changelog
        ("changes/later/002-email.sql", "up"),  # includeAll, by name
        ("changes/later/003-widen.sql", "up"),
        ("sql/email_index.sql", "up"),  # a changeSet's sqlFile
        ("sql/email_index_rollback.sql", "down"),  # the sqlFile of its <rollback>
    ]
    assert {f.set_root for f in found.files} == {LIQUIBASE}
    transactions = {f.path.name: f.transaction for f in found.files}
    assert transactions["email_index.sql"] == "none"  # runInTransaction="false"
    assert transactions["users.sql"] == "per-file"
    assert [(f.path.name, f.not_run) for f in found.not_run] == [
        ("drop_users.sql", "not in db.changelog-master.xml")
    ]


def test_each_changeset_is_a_unit_and_its_rollback_the_down() -> None:
    result = lint_paths([LIQUIBASE], Settings())
    parts = [
        (Path(c.path).name, c.direction, c.transaction)
        for c in result.contexts
        if c.path.endswith("002-email.sql")
    ]
    assert parts == [
        ("002-email.sql", "up", "per-file"),
        ("002-email.sql", "down", "per-file"),
        ("002-email.sql", "up", "none"),  # --changeset ana:4 runInTransaction:false
        ("002-email.sql", "down", "none"),
    ]
    # the index on the table the file's first changeset created is not lock advice
    # (they deploy together); the widening follows the earlier file; the draft the
    # master does not include is not linted
    assert [(Path(f.path).name, f.rule, f.line) for f in result.findings] == [
        ("002-email.sql", "require-lock-timeout", 4),
        ("002-email.sql", "create-without-if-not-exists", 8),
        ("email_index.sql", "concurrent-index-if-not-exists", 1),
    ]


def test_a_rollback_is_judged_as_a_down_at_its_own_line(tmp_path: Path) -> None:
    files = {
        "changelog.sql": "--liquibase formatted sql\n\n--changeset a:1\n"
        "CREATE TABLE t (id bigint);\n--changeset a:2\nALTER TABLE t ADD COLUMN note text;\n"
        "--rollback ALTER TABLE t DROP COLUMN note;\n--changeset a:3\n"
        "CREATE INDEX CONCURRENTLY t_note_idx ON t (note);\n--rollback DROP INDEX t_note_idx;\n",
    }
    result = lint_tree(tmp_path, files, select=("correctness", "transactions", "locking"))
    found = [(f.rule, f.line, f.column) for f in result.findings]
    # the index build runs in the changeset's transaction; the plain DROP INDEX of its
    # rollback gets no lock advice: a rollback is not an online rollout
    assert ("concurrent-index-in-transaction", 9, 1) in found
    assert not [f for f in found if f[1] == 10]
    downs = [c for c in result.contexts if c.direction == "down"]
    assert len(downs) == 2


def test_the_changeset_list_without_a_master_follows_the_file_names(tmp_path: Path) -> None:
    files = {
        "b.sql": "--liquibase formatted sql\n--changeset a:2\nALTER TABLE t ADD COLUMN x int;\n",
        "a.sql": "--liquibase formatted sql\n--changeset a:1\nCREATE TABLE t (id int);\n",
    }
    write_tree(tmp_path, files)
    assert [(f.path.name, f.tool) for f in discover([tmp_path]).files] == [
        ("a.sql", "liquibase"),
        ("b.sql", "liquibase"),
    ]


@pytest.mark.parametrize(
    ("changelog", "bad", "line"),
    [
        (
            "db.changelog-master.xml",
            '<databaseChangeLog>\n  <include file="missing.sql"\n'
            '           relativeToChangelogFile="true"/>\n</databaseChangeLog>\n',
            2,  # where the include starts
        ),
        ("db.changelog-master.xml", "<databaseChangeLog>\n  <include file=\n", 2),
        (
            "db.changelog-master.xml",
            '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e "x">]>\n<databaseChangeLog/>\n',
            2,
        ),
        ("db.changelog-master.json", '{"databaseChangeLog": [\n  {"include": }\n]}\n', 2),
        (
            "db.changelog-master.yaml",
            "databaseChangeLog:\n  - include:\n      file: nowhere.sql\n",
            2,
        ),
    ],
)
def test_a_changelog_that_cannot_be_read_is_a_finding_and_the_folder_is_ordinary(
    tmp_path: Path, changelog: str, bad: str, line: int
) -> None:
    files = {changelog: bad, "changes/001_users.sql": "CREATE TABLE users (id bigint);\n"}
    result = lint_tree(tmp_path, files, select=("malformed-manifest",))
    assert [(Path(f.path).name, f.rule, f.line) for f in result.findings] == [
        (changelog, "malformed-manifest", line)
    ]
    assert [c.tool for c in result.contexts] == ["plain"]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "db.changelog-master.yaml",
            "databaseChangeLog:\n  - include:\n      file: changes/b.sql\n"
            "      relativeToChangelogFile: true\n  - changeSet:\n      id: 2\n"
            "      author: a\n      runInTransaction: false\n      changes:\n"
            "        - sqlFile:\n            path: changes/a.sql\n"
            "            relativeToChangelogFile: true\n",
        ),
        (
            "db.changelog-master.json",
            '{"databaseChangeLog": [\n  {"include": {"file": "changes/b.sql",'
            ' "relativeToChangelogFile": true}},\n  {"changeSet": {"id": "2", "author": "a",'
            ' "runInTransaction": false, "changes": [\n    {"sqlFile": {"path": "changes/a.sql",'
            ' "relativeToChangelogFile": true}}]}}\n]}\n',
        ),
    ],
)
def test_yaml_and_json_master_changelogs(tmp_path: Path, name: str, text: str) -> None:
    files = {
        name: text,
        "changes/a.sql": "CREATE INDEX CONCURRENTLY t_x_idx ON t (x);\n",
        "changes/b.sql": "--liquibase formatted sql\n--changeset a:1\nCREATE TABLE t (x int);\n",
        "changes/c.sql": "DROP TABLE t;\n",
    }
    write_tree(tmp_path, files)
    found = discover([tmp_path])
    assert [(f.path.name, f.transaction) for f in found.files] == [
        ("b.sql", "per-file"),
        ("a.sql", "none"),
    ]
    assert [f.path.name for f in found.not_run] == ["c.sql"]


def test_a_changelog_named_file_that_is_not_liquibases_changes_nothing(tmp_path: Path) -> None:
    files = {"CHANGELOG.json": '{"versions": []}\n', "001_init.sql": "CREATE TABLE t (id int);\n"}
    write_tree(tmp_path, files)
    found = discover([tmp_path])
    assert [(f.path.name, f.tool) for f in found.files] == [("001_init.sql", "plain")]
    assert found.rejected == ()
