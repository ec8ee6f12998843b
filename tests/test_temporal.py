"""temporal-sql-tool (Temporal, Cadence): a `versioned/` folder is one migration set.

The version folders run in version order (numerically: v0.10 after v0.9), each folder's
files in its manifest.json's order; a file it does not list never runs; every statement
runs on its own. A Cadence squash folder is an alternative path, judged on its own.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import lint_tree, write_tree

from migralint.cli import main
from migralint.config import Settings
from migralint.engine import lint_paths
from migralint.sources.discover import discover

TEMPORAL = Path(__file__).resolve().parents[1] / "fixtures" / "layouts" / "temporal"
VERSIONED = TEMPORAL / "versioned"
_MANIFEST = {"CurrVersion": "1.0", "MinCompatibleVersion": "1.0", "Description": "x"}


def _relative(paths: object, root: Path) -> list[str]:
    return [f.path.relative_to(root).as_posix() for f in paths]  # type: ignore[attr-defined]


def _manifest(version: str, *files: str) -> str:
    return json.dumps({**_MANIFEST, "CurrVersion": version, "SchemaUpdateCqlFiles": files})


def test_the_versions_run_in_version_order_each_in_its_manifests_order() -> None:
    found = discover([TEMPORAL])
    in_set = [f for f in found.files if f.set_root == VERSIONED]
    assert _relative(in_set, VERSIONED) == [
        "v0.1/base.sql",
        "v0.2/run_id.sql",
        "v0.2/state.sql",
        "v0.9/readd_run_id.sql",
        "v0.10/widen_workflow_id.sql",
        "v0.11/state_index.sql",  # its manifest is refused: read as a folder without one
    ]
    assert [f.version for f in in_set] == ["0.1", "0.2", "0.2", "0.9", "0.10", "0.11"]
    assert {(f.tool, f.direction, f.transaction) for f in found.files} == {
        ("temporal-sql-tool", "up", "none")
    }
    assert in_set[0].transaction_reason == "temporal-sql-tool executes each statement on its own"
    assert [(f.path.relative_to(VERSIONED).as_posix(), f.not_run) for f in found.not_run] == [
        ("v0.2/draft.sql", "not in v0.2/manifest.json"),
        (
            "v0.2-0.9/combined.sql",
            "in a folder named like a version that is none: the tool skips it",
        ),
    ]


def test_setup_schema_and_a_squash_from_zero_are_fresh_installs_of_their_own() -> None:
    found = discover([TEMPORAL])
    others = {f.path.name: f for f in found.files if f.set_root != VERSIONED}
    assert set(others) == {"schema.sql", "schema_0_10.sql", "from_0_2.sql"}
    setup, squash = others["schema.sql"], others["schema_0_10.sql"]
    assert (setup.set_root, setup.fresh_install) == (TEMPORAL, True)
    assert (
        setup.fresh_reason == "temporal-sql-tool setup-schema's initial schema (beside versioned/)"
    )
    assert (squash.set_root, squash.fresh_install) == (VERSIONED / "s0.0-0.10", True)
    later = others["from_0_2.sql"]
    assert (later.set_root, later.fresh_install) == (VERSIONED / "s0.2-0.10", False)
    assert later.transaction_reason.endswith(
        "squash folder s0.2-0.10: a shortcut from 0.2 to 0.10, judged after the versions up "
        "to 0.2, not replayed into those after"
    )


def test_a_squash_is_judged_after_the_versions_up_to_its_start(tmp_path: Path) -> None:
    """s0.2-0.10 widens v0.1's varchar(255) column: instant after v0.1 and v0.2, in a
    folder run and given alone; with no history the old type is unknown."""
    squash = VERSIONED / "s0.2-0.10" / "from_0_2.sql"
    select = Settings(select=("changing-column-type", "add-column-without-if-not-exists"))
    for given in (TEMPORAL, squash):
        found = lint_paths([given], select).findings
        assert [f for f in found if f.path == str(squash)] == []
    alone = tmp_path / "from_0_2.sql"
    alone.write_bytes(squash.read_bytes())
    assert [f.rule for f in lint_paths([alone], select).findings] == ["changing-column-type"]


def test_findings_follow_the_history_the_tool_applies() -> None:
    """The widening (varchar(255) → varchar(1000), v0.1's column) is instant, the
    `ADD COLUMN IF NOT EXISTS` of v0.2's column a no-op, one lock_timeout finding for
    the set; nothing on files that never run, nor on the fresh installs."""
    result = lint_paths([TEMPORAL], Settings())
    found = [(Path(f.path).relative_to(VERSIONED).as_posix(), f.rule) for f in result.findings]
    assert found == [
        ("v0.1/base.sql", "create-without-if-not-exists"),
        ("v0.11/manifest.json", "malformed-manifest"),
        ("v0.11/state_index.sql", "require-concurrent-index-creation"),
        ("v0.2/run_id.sql", "add-column-without-if-not-exists"),
        ("v0.2/run_id.sql", "require-lock-timeout"),
        ("v0.2/state.sql", "add-column-without-if-not-exists"),
    ]
    [refused] = [f for f in result.findings if f.rule == "malformed-manifest"]
    assert refused.line == 2
    assert "CurrVersion 0.12 is not the folder's version 0.11" in refused.message


def test_a_single_version_file_is_judged_after_the_earlier_versions(tmp_path: Path) -> None:
    """The pre-commit case: alone, with no history, the old type is unknown."""
    widening = VERSIONED / "v0.10" / "widen_workflow_id.sql"
    select = Settings(select=("changing-column-type",))
    in_set = lint_paths([widening], select)
    assert in_set.findings == []
    assert [c.path for c in in_set.contexts] == [str(widening)]
    alone = tmp_path / "widen_workflow_id.sql"
    alone.write_bytes(widening.read_bytes())
    assert [f.rule for f in lint_paths([alone], select).findings] == ["changing-column-type"]


@pytest.mark.parametrize(
    ("manifest", "line", "problem"),
    [
        ('{\n  "CurrVersion": "1.1",\n  "SchemaUpdateCqlFiles": [\n}\n', 4, "not valid JSON"),
        (_manifest("1.1"), 1, "SchemaUpdateCqlFiles does not list the files to run"),
        ('{"CurrVersion": "1.1", "MinCompatibleVersion": "1.0"}', 1, "SchemaUpdateCqlFiles"),
        (_manifest("1.0", "b.sql"), 1, "CurrVersion 1.0 is not the folder's version 1.1"),
        ('{"CurrVersion": "1.1",\n"SchemaUpdateCqlFiles": ["b.sql"]}', 1, "MinCompatibleVersion"),
        ("[]", 1, "not a JSON object"),
    ],
)
def test_a_manifest_the_tool_refuses_is_a_finding_and_its_folder_is_read_whole(
    tmp_path: Path, manifest: str, line: int, problem: str
) -> None:
    files = {
        "versioned/v1.0/manifest.json": _manifest("1.0", "a.sql"),
        "versioned/v1.0/a.sql": "CREATE TABLE t (id bigint, note varchar(10));\n",
        "versioned/v1.1/manifest.json": manifest,
        "versioned/v1.1/b.sql": "ALTER TABLE t ALTER COLUMN note TYPE varchar(20);\n",
        "versioned/v1.1/c.sql": "DELETE FROM t;\n",
    }
    result = lint_tree(
        tmp_path,
        files,
        select=("malformed-manifest", "delete-without-where", "changing-column-type"),
    )
    [refused] = [f for f in result.findings if f.rule == "malformed-manifest"]
    assert (Path(refused.path).relative_to(tmp_path).as_posix(), refused.line) == (
        "versioned/v1.1/manifest.json",
        line,
    )
    assert problem in refused.message
    # every file of the folder is linted, in name order, after the versions before it
    # (the widening of v1.0's column is instant)
    assert [(Path(c.path).name, c.tool) for c in result.contexts] == [
        ("a.sql", "temporal-sql-tool"),
        ("b.sql", "temporal-sql-tool"),
        ("c.sql", "temporal-sql-tool"),
    ]
    assert [f.rule for f in result.findings if f.rule != "malformed-manifest"] == [
        "delete-without-where"
    ]


def test_a_version_folder_without_a_manifest_is_linted_whole_and_says_so(tmp_path: Path) -> None:
    files = {
        "versioned/v1.0/a.sql": "CREATE TABLE t (id bigint);\n",
        "versioned/v1.1/manifest.json": _manifest("1.1", "b.sql"),
        "versioned/v1.1/b.sql": "ALTER TABLE t ADD COLUMN IF NOT EXISTS note text;\n",
    }
    write_tree(tmp_path, files)
    found = discover([tmp_path])
    assert [(f.path.name, f.set_root) for f in found.files] == [
        ("a.sql", tmp_path / "versioned"),
        ("b.sql", tmp_path / "versioned"),
    ]
    [row] = [line for line in _show_context(str(tmp_path)) if "v1.0" in line]
    assert "; v1.0 has no manifest.json (the tool stops there): all its files linted" in row


def test_a_manifest_outside_a_folder_named_versioned_still_makes_the_set(tmp_path: Path) -> None:
    """`update-schema --schema-dir` takes any folder: its version folders' manifests say."""
    files = {
        "schema/v1.2/manifest.json": _manifest("1.2", "b.sql"),
        "schema/v1.2/b.sql": "CREATE TABLE u (id bigint);\n",
        "schema/v1.10/manifest.json": _manifest("1.10", "a.sql"),
        "schema/v1.10/a.sql": "CREATE TABLE t (id bigint);\n",
        "other/v1.3/x.sql": "CREATE TABLE x (id bigint);\n",
    }
    write_tree(tmp_path, files)
    found = discover([tmp_path])
    assert [(f.path.relative_to(tmp_path).as_posix(), f.tool) for f in found.files] == [
        ("other/v1.3/x.sql", "plain"),
        ("schema/v1.2/b.sql", "temporal-sql-tool"),
        ("schema/v1.10/a.sql", "temporal-sql-tool"),
    ]


def test_show_context_of_a_temporal_schema() -> None:
    assert _show_context(str(VERSIONED)) == [
        f"{VERSIONED}  (temporal-sql-tool: 6 up)",
        "  not run       1 file in a folder named like a version that is none: the tool skips "
        "it: skipped [v0.2-0.9/combined.sql]",
        "                1 file not in v0.2/manifest.json: skipped [v0.2/draft.sql]",
        "  dialect       postgres",
        "  transaction   no transaction: temporal-sql-tool executes each statement on its own",
        "                no transaction: temporal-sql-tool executes each statement on its own; "
        "v0.11 has a manifest.json it refuses (the tool stops there): all its files linted "
        "[v0.11/state_index.sql]",
        "  fresh install none",
        '  deployment    online (assumed; set deployment = "offline" in [tool.migralint], or '
        "pass --deployment offline)",
    ]


def test_postgresql_runs_both_paths_to_the_same_schema_and_widens_in_place(pg_server) -> None:  # type: ignore[no-untyped-def]
    """What the fixture claims of PostgreSQL: its versions apply in the discovered
    order, each statement on its own (autocommit, as `db.Exec`); the squash builds the
    same table; the varchar widening keeps the table's file (no rewrite)."""
    found = discover([TEMPORAL]).files
    plain = [f for f in found if f.set_root == VERSIONED]
    [squash] = [f for f in found if f.path.name == "schema_0_10.sql"]
    [later] = [f for f in found if f.path.name == "from_0_2.sql"]
    up_to_0_2 = [f for f in plain if f.version in ("0.1", "0.2")]

    def run(conn, files) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
        for file in files:
            for statement in filter(str.strip, file.path.read_text().split(";")):
                before = _relfilenode(conn)
                conn.execute(statement)
                if "TYPE VARCHAR(1000)" in statement:
                    assert _relfilenode(conn) == before
        return conn.execute(
            "SELECT column_name, data_type || coalesce('(' || character_maximum_length || ')', '')"
            " FROM information_schema.columns WHERE table_name = 'executions' ORDER BY 1"
        ).fetchall()

    with pg_server.database() as one, pg_server.database() as two, pg_server.database() as three:
        assert run(one, plain) == run(two, [squash]) == run(three, [*up_to_0_2, later])


def _relfilenode(conn) -> object:  # type: ignore[no-untyped-def]
    query = "SELECT relfilenode FROM pg_class WHERE relname = 'executions'"
    return conn.execute(query).fetchone()


def _show_context(*args: str) -> list[str]:
    shown = CliRunner().invoke(main, ["check", "--show-context", "--exit-zero", *args])
    assert shown.exit_code == 0, shown.output
    return shown.output.split("\n\n")[0].splitlines()
