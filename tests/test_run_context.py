"""The run context: which rules judge a down migration, and an offline deployment."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import lint_tree, rules_of, write_tree

from migralint.config import ConfigError, Settings, parse_settings
from migralint.engine import lint_paths

# a down that rebuilds an index without CONCURRENTLY (lock advice), drops what its
# up added (expected), and runs CONCURRENTLY inside the tool's transaction (fails)
_DOWN = "CREATE INDEX users_email_idx ON users (email);\nDROP INDEX CONCURRENTLY users_name_idx;\n"
_HISTORY = "CREATE TABLE users (id bigint PRIMARY KEY, email text, name text);\n"


def _golang_migrate() -> dict[str, str]:
    return {
        "1_init.up.sql": _HISTORY,
        "1_init.down.sql": "DROP TABLE users;\n",
        "2_idx.up.sql": "CREATE INDEX CONCURRENTLY users_name_idx ON users (name);\n",
        "2_idx.down.sql": _DOWN,
    }


def _diesel() -> dict[str, str]:
    return {
        "2020-01-01-000000_init/up.sql": _HISTORY,
        "2020-01-01-000000_init/down.sql": "DROP TABLE users;\n",
        "2020-01-02-000000_idx/up.sql": "CREATE INDEX users_name_idx ON users (name);\n",
        "2020-01-02-000000_idx/down.sql": _DOWN,
    }


@pytest.mark.parametrize("layout", [_golang_migrate, _diesel])
def test_a_down_is_judged_for_rollback_only(tmp_path: Path, layout) -> None:
    files = layout()
    result = lint_tree(tmp_path, files, select=("locking", "idempotency", "correctness"))
    down = [f.rule for f in result.findings if f.path.endswith("down.sql")]
    # golang-migrate sends the file as one query: two statements, an implicit transaction
    assert down == ["concurrent-index-in-transaction"]


@pytest.mark.parametrize("layout", [_golang_migrate, _diesel])
def test_lint_downs_all_judges_a_down_like_an_up(tmp_path: Path, layout) -> None:
    result = lint_tree(tmp_path, layout(), select=("locking",), lint_downs="all")
    down = sorted({f.rule for f in result.findings if f.path.endswith("down.sql")})
    assert "require-concurrent-index-creation" in down
    assert "concurrent-index-in-transaction" in down


def test_irreversible_down_still_judges_downs(tmp_path: Path) -> None:
    files = {
        "1_a.up.sql": "CREATE TABLE t (id bigint, note text);\n",
        "2_b.up.sql": "ALTER TABLE t DROP COLUMN note;\n",
        "2_b.down.sql": "ALTER TABLE t ADD COLUMN note text;\n",
    }
    assert rules_of(lint_tree(tmp_path, files, select=("irreversible-down",))) == [
        "irreversible-down"
    ]


_UP = {
    "1_a.up.sql": "CREATE TABLE t (id bigint, email text);\n",
    "2_b.up.sql": "CREATE INDEX t_email_idx ON t (email);\n"
    "ALTER TABLE t ADD COLUMN tenant bigint NOT NULL;\n"
    "ALTER TABLE t DROP COLUMN email;\n"
    "ALTER TABLE t RENAME COLUMN id TO key;\n",
}


def test_offline_drops_lock_and_n1_advice_and_keeps_data_loss(tmp_path: Path) -> None:
    online = rules_of(lint_tree(tmp_path, _UP))
    offline = rules_of(lint_tree(tmp_path, _UP, deployment={"*": "offline"}))
    assert "require-concurrent-index-creation" in online
    assert "require-concurrent-index-creation" not in offline
    assert "require-lock-timeout" not in offline
    # a rename breaks only release N-1, which does not run while the application is stopped
    assert "rename-column" in online
    assert "rename-column" not in offline
    # fails on a table with rows whoever is connected; the dropped data is gone either way
    assert "adding-required-field" in offline
    assert "drop-column" in offline


def test_offline_data_loss_claims_no_release_n1(tmp_path: Path) -> None:
    def drop_message(**settings: object) -> str:
        result = lint_tree(tmp_path, _UP, select=("drop-column",), **settings)
        (finding,) = result.findings
        return f"{finding.message} | {finding.help}"

    assert "breaks release N-1" in drop_message()
    offline = drop_message(deployment={"*": "offline"})
    assert "deletes its data" in offline and "release N-1" not in offline
    assert "keep a backup" in offline


def test_deployment_per_glob(tmp_path: Path) -> None:
    files = {"app/" + name: text for name, text in _UP.items()}
    files |= {"reports/" + name: text for name, text in _UP.items()}
    result = lint_tree(tmp_path, files, deployment={"*/reports/*": "offline"}, select=("locking",))
    folders = {Path(f.path).parent.name for f in result.findings}
    assert folders == {"app"}


def test_deployment_and_lint_downs_are_validated() -> None:
    assert parse_settings({"deployment": "offline"}).deployment == {"*": "offline"}
    assert parse_settings({"deployment": {"db/**": "offline"}}).deployment == {"db/**": "offline"}
    with pytest.raises(ConfigError, match="did you mean 'offline'"):
        parse_settings({"deployment": "ofline"})
    with pytest.raises(ConfigError, match=r"deployment for 'db/\*\*'.*did you mean 'online'"):
        parse_settings({"deployment": {"db/**": "onlin"}})
    with pytest.raises(ConfigError, match="did you mean 'rollback'"):
        parse_settings({"lint_downs": "rolback"})
    with pytest.raises(ConfigError, match="did you mean 'lint_downs'"):
        parse_settings({"lint_down": "all"})


_TABLE = {"1_a.up.sql": "CREATE TABLE t (id bigint, email text);\n"}
_TWO_WAYS = "CREATE INDEX CONCURRENTLY t_email_idx ON t (email);\n"


@pytest.mark.parametrize(
    ("up", "down", "transaction"),
    [
        ("-- migrate:up transaction:false", "-- migrate:down", "none"),
        ("-- +goose NO TRANSACTION\n-- +goose Up", "-- +goose Down", "none"),
        ("-- +goose Up", "-- +goose Down", "per-file"),
    ],
)
def test_dbmate_and_goose_downs_are_sections_of_their_own(
    tmp_path: Path, up: str, down: str, transaction: str
) -> None:
    body = f"{up}\n{_TWO_WAYS}\n{down}\nCREATE INDEX t_email_idx ON t (email);\n"
    files = {"db/20240101000000_a.sql": "CREATE TABLE t (id bigint, email text);\n"}
    files["db/20240102000000_b.sql"] = body
    result = lint_tree(tmp_path, files, select=("locking",))
    found = [(f.rule, f.line) for f in result.findings if f.path.endswith("_b.sql")]
    # the up runs CONCURRENTLY (fine only outside a transaction); the down's plain
    # index build is lock advice, which a rollback does not get
    if transaction == "none":
        assert found == []
    else:
        assert found == [("concurrent-index-in-transaction", 2)]
    directions = [
        (c.direction, c.transaction) for c in result.contexts if c.path.endswith("_b.sql")
    ]
    assert directions == [
        ("up", transaction),
        ("down", transaction if "goose" in up else "per-file"),
    ]


def test_diesel_metadata_toml_switches_the_transaction_off(tmp_path: Path) -> None:
    files = {
        "2020-01-01-000000_init/up.sql": "CREATE TABLE t (id bigint, email text);\n",
        "2020-01-02-000000_idx/up.sql": _TWO_WAYS,
        "2020-01-02-000000_idx/metadata.toml": "run_in_transaction = false\n",
        "2020-01-03-000000_idx2/up.sql": _TWO_WAYS.replace("t_email", "t_email2"),
    }
    result = lint_tree(tmp_path, files, select=("concurrent-index-in-transaction",))
    assert [Path(f.path).parent.name for f in result.findings] == ["2020-01-03-000000_idx2"]


def _show_context(root: Path, *args: str) -> str:
    from click.testing import CliRunner

    from migralint.cli import main

    result = CliRunner().invoke(main, ["check", "--show-context", "--exit-zero", *args, str(root)])
    assert result.exit_code == 0, result.output
    return result.output.split("\n\n")[0]


def test_show_context_of_a_diesel_set(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "2020-01-01-000000_init/up.sql": "CREATE TABLE t (id bigint);\n",
            "2020-01-01-000000_init/down.sql": "DROP TABLE t;\n",
            "2020-01-02-000000_idx/up.sql": _TWO_WAYS,
            "2020-01-02-000000_idx/down.sql": "DROP INDEX t_email_idx;\n",
            "2020-01-02-000000_idx/metadata.toml": "run_in_transaction = false\n",
        },
    )
    assert _show_context(tmp_path).splitlines() == [
        f"{tmp_path}  (diesel: 2 up, 2 down)",
        "  dialect       postgres",
        "  transaction   one transaction per file: diesel runs each up.sql and down.sql in a "
        "transaction",
        "                no transaction: metadata.toml: run_in_transaction = false "
        "[2020-01-02-000000_idx/up.sql, 2020-01-02-000000_idx/down.sql]",
        "  fresh install none",
        '  deployment    online (assumed; set deployment = "offline" in [tool.migralint], or '
        "pass --deployment offline)",
        "  down files    judged for rollback only: data loss, irreversibility, failures, "
        're-runs (lint_downs = "rollback"; "all" to change)',
    ]


def test_show_context_of_plain_files_says_what_is_assumed(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "001_init.sql": "CREATE TABLE t (id bigint);\n",
            "002_b.sql": "-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n",
            "schema.sql": "-- PostgreSQL database dump\nCREATE TABLE t (id bigint);\n",
        },
    )
    assert _show_context(tmp_path, "--deployment", "offline").splitlines() == [
        f"{tmp_path}  (dbmate, plain: 3 up, 1 down)",
        "  dialect       postgres",
        "  transaction   no transaction (assumed: the layout does not say; set "
        '[tool.migralint.transaction] "<glob>" = "per-file" | "implicit" | "none", or '
        "assume_in_transaction = true)",
        "                one transaction per file: dbmate runs each section in a transaction "
        "[002_b.sql]",
        "  fresh install yes: a schema dump (its header) [schema.sql]",
        "  deployment    offline: configured (deployment = 'offline' or --deployment)",
        "  down files    judged for rollback only: data loss, irreversibility, failures, "
        're-runs (lint_downs = "rollback"; "all" to change)',
    ]


def test_the_run_context_says_whether_an_up_file_has_its_down(tmp_path: Path) -> None:
    """Read with the file's folder when the context is made, so missing-down-migration
    judges a fact and never looks at the disk itself."""
    write_tree(
        tmp_path,
        {
            "1_a.up.sql": "CREATE TABLE a (id int);\n",
            "1_a.down.sql": "DROP TABLE a;\n",
            "2_b.up.sql": "CREATE TABLE b (id int);\n",
        },
    )
    result = lint_paths([tmp_path], Settings(select=("missing-down-migration",)))
    facts = {Path(c.path).name: (c.direction, c.has_down, c.downs_written) for c in result.contexts}
    assert facts == {
        "1_a.up.sql": ("up", True, True),
        "1_a.down.sql": ("down", None, False),
        "2_b.up.sql": ("up", False, True),
    }
    assert [Path(f.path).name for f in result.findings] == ["2_b.up.sql"]
    forward_only = tmp_path / "forward"
    write_tree(forward_only, {"1_a.up.sql": "CREATE TABLE a (id int);\n"})
    [alone] = lint_paths([forward_only], Settings()).contexts
    assert (alone.has_down, alone.downs_written) == (False, False)


@pytest.mark.parametrize(
    ("manifest", "text", "marker"),
    [
        ("Cargo.toml", '[dependencies]\nsqlx = { version = "0.8" }\n', "-- no-transaction\n"),
        (
            "go.mod",
            "module x\n\nrequire github.com/mattermost/morph v1.1.0\n",
            "-- morph:nontransactional\n",
        ),
    ],
)
def test_sqlx_and_morph_wrap_each_file_unless_its_first_line_says_not(
    tmp_path: Path, manifest: str, text: str, marker: str
) -> None:
    """golang-migrate's names, but the runner the manifest names runs each file in a
    transaction: CONCURRENTLY fails there, unless the file starts with the marker."""
    files = {
        manifest: text,
        "db/migrations/1_init.up.sql": "CREATE TABLE t (id bigint, email text);\n",
        "db/migrations/1_init.down.sql": "DROP TABLE t;\n",
        "db/migrations/2_idx.up.sql": _TWO_WAYS,
        "db/migrations/2_idx.down.sql": "DROP INDEX t_email_idx;\n",
        "db/migrations/3_idx.up.sql": marker + _TWO_WAYS.replace("t_email", "t_email2"),
        "db/migrations/3_idx.down.sql": "DROP INDEX t_email2_idx;\n",
    }
    result = lint_tree(tmp_path, files, select=("concurrent-index-in-transaction",))
    [finding] = result.findings
    assert Path(finding.path).name == "2_idx.up.sql"
    assert marker.strip() in finding.help
    runner = "sqlx" if manifest == "Cargo.toml" else "morph"
    assert {c.tool for c in result.contexts} == {runner}


def test_without_a_runner_in_the_manifest_the_files_are_golang_migrate(tmp_path: Path) -> None:
    files = {
        "go.mod": "module x\n\nrequire github.com/golang-migrate/migrate/v4 v4.17.0\n",
        "m/1_init.up.sql": "CREATE TABLE t (id bigint, email text);\n",
        "m/2_idx.up.sql": _TWO_WAYS,
    }
    result = lint_tree(tmp_path, files, select=("concurrent-index-in-transaction",))
    assert result.findings == []  # one statement: golang-migrate sends it bare
    assert {c.tool for c in result.contexts} == {"golang-migrate"}


def test_sqlx_files_without_a_down_are_sqlx_too(tmp_path: Path) -> None:
    files = {
        "Cargo.toml": '[workspace.dependencies]\nsqlx = "0.8"\n',
        "migrations/20240101000000_init.sql": "CREATE TABLE t (id bigint, email text);\n",
        "migrations/20240102000000_idx.sql": _TWO_WAYS,
    }
    result = lint_tree(tmp_path, files, select=("concurrent-index-in-transaction",))
    assert [Path(f.path).name for f in result.findings] == ["20240102000000_idx.sql"]
