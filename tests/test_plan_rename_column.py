"""rename-column's plan, run for real: idempotent expand, old and new writers agreeing,
a re-runnable batched backfill, the contract, and every down back to the start."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from plan_helpers import files, run_file, schema_of

from migralint.cli import main
from migralint.config import Settings
from migralint.engine import lint_paths
from migralint.plan.model import PlanError
from migralint.plan.rename_column import Change as RenameColumn
from migralint.plan.rename_column import plan
from migralint.plan.write import write_plan
from migralint.plan.writers import WRITERS
from migralint.sql.ops import Name
from migralint.sql.split import split_statements

ROWS = 2500

# Every rule, opt-in ones included, except require-statement-timeout: a plan's locking
# statements are catalog-only (ADD COLUMN without a rewrite, NOT VALID constraints,
# renames), and its long work (backfills, CONCURRENTLY builds, VALIDATE) runs without the
# heavy lock and must not be cut by a timeout.
BRIEF_LOCKS_ONLY = ("require-statement-timeout",)


@pytest.mark.parametrize(
    ("table", "old", "new"),
    [("users", "full_name", "name"), ("User Accounts", "Full Name", "select")],
)
def test_rename_column_plan_on_a_real_database(
    db: psycopg.Connection[Any], tmp_path: Path, table: str, old: str, new: str
) -> None:
    t, o, n = f'"{table}"', f'"{old}"', f'"{new}"'
    db.execute(
        f"CREATE TABLE {t} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, {o} text NOT NULL)"
    )
    db.execute(f"INSERT INTO {t} ({o}) SELECT 'person ' || g FROM generate_series(1, {ROWS}) g")
    before = schema_of(db, table)
    rows_before = db.execute(f"SELECT id, {o} FROM {t} ORDER BY id").fetchall()

    change = RenameColumn(Name(table), old, new, "text", batch_size=300)
    write_plan(plan(change), "golang-migrate", tmp_path)

    expand = files(tmp_path, "expand", "up")
    run_file(db, expand)
    run_file(db, expand)  # idempotent

    # Release N-1 writes only the old column, release N only the new one.
    old_id = db.execute(f"INSERT INTO {t} ({o}) VALUES ('old writer') RETURNING id").fetchone()[0]
    new_id = db.execute(f"INSERT INTO {t} ({n}) VALUES ('new writer') RETURNING id").fetchone()[0]
    db.execute(f"UPDATE {t} SET {o} = 'old update' WHERE id = %s", (new_id,))
    db.execute(f"UPDATE {t} SET {n} = 'new update' WHERE id = %s", (old_id,))
    both = dict(
        (row[0], (row[1], row[2]))
        for row in db.execute(
            f"SELECT id, {o}, {n} FROM {t} WHERE id IN (%s, %s)", (old_id, new_id)
        )
    )
    assert both == {old_id: ("new update", "new update"), new_id: ("old update", "old update")}

    backfill = files(tmp_path, "backfill", "up")
    run_file(db, backfill)
    run_file(db, backfill)  # guarded: a re-run changes nothing
    assert db.execute(f"SELECT count(*) FROM {t} WHERE {n} IS DISTINCT FROM {o}").fetchone()[0] == 0

    run_file(db, files(tmp_path, "contract", "up"))
    assert [c[0] for c in schema_of(db, table)["columns"]] == sorted(["id", new])
    db.execute(f"INSERT INTO {t} ({n}) VALUES ('after contract')")

    for phase in ("contract", "backfill", "expand"):
        run_file(db, files(tmp_path, phase, "down"))
    after = schema_of(db, table)
    assert after == before
    restored = db.execute(f"SELECT id, {o} FROM {t} WHERE id <= %s ORDER BY id", (ROWS,)).fetchall()
    assert restored == rows_before


def test_the_plan_lints_clean_with_migralint_itself(tmp_path: Path) -> None:
    write_plan(
        plan(RenameColumn(Name("users"), "full_name", "name", "text")), "golang-migrate", tmp_path
    )
    result = lint_paths([tmp_path], Settings(select=("ALL",), ignore=BRIEF_LOCKS_ONLY))
    assert [(Path(f.path).name, f.rule) for f in result.findings if f.severity >= 2] == []


@pytest.mark.parametrize(
    ("fmt", "names"),
    [
        (
            "sql",
            [
                "0001_rename_users_full_name_to_name_expand.sql",
                "0001_rename_users_full_name_to_name_expand.down.sql",
            ],
        ),
        (
            "flyway",
            [
                "V1__rename_users_full_name_to_name_expand.sql",
                "U1__rename_users_full_name_to_name_expand.sql",
            ],
        ),
        ("dbmate", ["rename_users_full_name_to_name_expand.sql"]),
    ],
)
def test_writers_mark_phases_and_order_files(tmp_path: Path, fmt: str, names: list[str]) -> None:
    written = write_plan(
        plan(RenameColumn(Name("users"), "full_name", "name", "text")), fmt, tmp_path
    )
    written_names = [p.name for p in written]
    for name in names:
        assert any(w.endswith(name) for w in written_names), (name, written_names)
    assert all(
        p.read_text().startswith("-- migralint: phase=") for p in written if p.suffix == ".sql"
    )
    ups = [
        w
        for w in written_names
        if not w.startswith("U") and ".down." not in w and w.endswith(".sql")
    ]
    assert [w.rsplit("_", 1)[-1] for w in sorted(ups)] == [
        "expand.sql",
        "backfill.sql",
        "contract.sql",
    ]
    if fmt == "flyway":
        assert "V2__rename_users_full_name_to_name_backfill.sql.conf" in written_names


def test_the_planner_never_overwrites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    change = plan(RenameColumn(Name("users"), "full_name", "name", "text"))
    mine = tmp_path / "0001_rename_users_full_name_to_name_expand.sql"
    mine.write_text("-- mine\n")
    written = write_plan(change, "sql", tmp_path)  # numbered after the newest file
    assert written[0].name.startswith("0002_")
    import migralint.plan.write as write

    monkeypatch.setattr(write, "next_versions", lambda out, fmt, count: ["0001", "0005", "0006"])
    with pytest.raises(PlanError, match="refusing to overwrite"):
        write_plan(change, "sql", tmp_path)
    assert mine.read_text() == "-- mine\n"
    assert not list(tmp_path.glob("0005_*"))  # nothing written when one file is taken


def test_cli_reads_the_mysql_type_from_existing_migrations(tmp_path: Path) -> None:
    """MySQL's plan writes the type; PostgreSQL's copies the live column's exact type at
    run time (tests/test_plan_exact_copy.py), so it needs none."""
    (tmp_path / "1_users.up.sql").write_text(
        "CREATE TABLE users (id bigint PRIMARY KEY, full_name varchar(200));\n"
    )
    args = ["plan", "rename-column", "--table", "users", "--column", "full_name", "--to", "name"]
    out = ["--format", "golang-migrate", "--out", str(tmp_path)]
    result = CliRunner().invoke(main, [*args, *out, "--dialect", "mysql"])
    assert result.exit_code == 0, result.output
    assert (
        "ADD COLUMN `name` varchar(200), ALGORITHM=INPLACE"
        in (tmp_path / "2_rename_users_full_name_to_name_expand.up.sql").read_text()
    )
    unknown = CliRunner().invoke(
        main, [*args[:-1], "nickname2", "--column", "nickname", *out, "--dialect", "mysql"]
    )
    assert unknown.exit_code == 2 and "pass --type" in unknown.stderr
    postgres = CliRunner().invoke(main, [*args[:-1], "nickname2", "--column", "nickname", *out])
    assert postgres.exit_code == 0, postgres.output


@pytest.mark.parametrize(
    "table",
    [
        "CREATE TABLE logs (id bigint, message text)",  # no key at all
        "CREATE TABLE logs (id bigint UNIQUE, message text)",  # unique but nullable
    ],
)
def test_the_backfill_refuses_a_table_without_a_usable_key(
    db: psycopg.Connection[Any], tmp_path: Path, table: str
) -> None:
    db.execute(f"{table}; INSERT INTO logs SELECT i, 'm' || i FROM generate_series(1, 10) i")
    write_plan(plan(RenameColumn(Name("logs"), "message", "msg", type="text")), "sql", tmp_path)
    run_file(db, files_named(tmp_path, "expand"))
    with pytest.raises(psycopg.errors.RaiseException, match="logs has no primary key or unique"):
        run_file(db, files_named(tmp_path, "backfill"))


def files_named(out: Path, phase: str) -> Path:
    [found] = out.glob(f"*_{phase}.sql")
    return found


def test_cli_refuses_a_key_the_migrations_show_is_not_unique(tmp_path: Path) -> None:
    (tmp_path / "1_logs.up.sql").write_text(
        "CREATE TABLE logs (ts timestamptz NOT NULL, message text);\n"
        "CREATE TABLE events (event_id bigint PRIMARY KEY, message text);\n"
    )
    args = ["plan", "rename-column", "--column", "message", "--to", "msg", "--out", str(tmp_path)]
    refused = CliRunner().invoke(main, [*args, "--table", "logs"])
    assert refused.exit_code == 2
    assert "give logs no primary key or unique NOT NULL column id" in refused.output
    assert "pass --key" in refused.output
    accepted = CliRunner().invoke(main, [*args, "--table", "events", "--key", "event_id"])
    assert accepted.exit_code == 0, accepted.output


def test_mysql_plan_uses_two_triggers_guarded_ddl_and_lints_clean(tmp_path: Path) -> None:
    """No MySQL server runs here: the MySQL plan is checked by migralint's own MySQL
    rules and parser, and by the shape of its guards and triggers."""
    result = CliRunner().invoke(
        main,
        [
            "plan", "rename-column", "--table", "users", "--column", "full_name", "--to",
            "name", "--type", "varchar(200)", "--dialect", "mysql", "--format",
            "golang-migrate", "--out", str(tmp_path), "--lock-timeout", "1500ms",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    expand = (tmp_path / "1_rename_users_full_name_to_name_expand.up.sql").read_text()
    assert expand.startswith("-- migralint: phase=expand")
    assert "SET SESSION lock_wait_timeout = 2;" in expand
    assert "column_name = 'name') = 0" in expand  # ADD COLUMN only when missing
    assert "ADD COLUMN `name` varchar(200), ALGORITHM=INPLACE, LOCK=NONE" in expand
    assert "BEFORE INSERT ON `users`" in expand and "BEFORE UPDATE ON `users`" in expand
    assert "IF NOT (NEW.`name` <=> OLD.`name`) AND (NEW.`full_name` <=> OLD.`full_name`)" in (
        expand
    )
    backfill = (tmp_path / "2_rename_users_full_name_to_name_backfill.up.sql").read_text()
    assert "WHERE `name` IS NULL AND `full_name` IS NOT NULL\n    ORDER BY `id`" in backfill
    contract = (tmp_path / "3_rename_users_full_name_to_name_contract.up.sql").read_text()
    assert "column_name = 'full_name') = 1" in contract

    linted = lint_paths([tmp_path], Settings(dialect="mysql"))
    assert linted.files_linted == 6
    assert [(Path(f.path).name, f.rule) for f in linted.findings] == []


def test_other_operations_refuse_mysql(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["plan", "set-not-null", "--table", "t", "--column", "c", "--dialect", "mysql",
         "--out", str(tmp_path)],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "'mysql' is not 'postgres'" in result.output


@pytest.mark.parametrize(
    "fmt", sorted(set(WRITERS) - {"alembic"})
)  # SQL files; alembic: test_plan_alembic
def test_mysql_files_reset_lock_wait_timeout_at_their_end(tmp_path: Path, fmt: str) -> None:
    """The tools run the next migration on the same connection: a session setting left
    behind would bound its locks too. Every up and down that sets lock_wait_timeout
    resets it as its last statement (dbmate: each section)."""
    change = RenameColumn(Name("users"), "full_name", "name", type="text", dialect="mysql")
    sections = []
    for path in write_plan(plan(change), fmt, tmp_path):
        sections += re.split(r"^-- migrate:down.*$", path.read_text(), flags=re.M)
    setting = [s for s in sections if "lock_wait_timeout" in s]
    assert len(setting) == 4  # the expand's and the contract's ups and downs
    for section in setting:
        statements = [
            s.text.rstrip(";")
            for s in split_statements(section).statements
            if s.text.rstrip(";").upper() not in ("BEGIN", "COMMIT")  # the sql writer's
        ]
        assert statements[0] == "SET SESSION lock_wait_timeout = 2"
        assert statements[-1] == "SET SESSION lock_wait_timeout = DEFAULT"
        assert sum("lock_wait_timeout" in s for s in statements) == 2
