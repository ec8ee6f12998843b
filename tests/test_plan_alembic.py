"""`migralint plan … --format alembic`: revision files chained after the project's head,
imported by Alembic itself and run up and down on a real PostgreSQL (psycopg 3)."""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from plan_helpers import every_operation
from test_plan_quoting import HOSTILE as QUOTING_HOSTILE
from test_plan_quoting import PLAIN as QUOTING_PLAIN

from migralint.cli import main
from migralint.plan import rename_column
from migralint.plan.model import PlanError
from migralint.plan.operations import OPERATIONS
from migralint.plan.write import write_plan
from migralint.sql.ops import Name
from migralint.sql.split import split_statements

_INI = """[alembic]
script_location = %(here)s/migrations
"""

_ENV = """import os

from alembic import context
from sqlalchemy import create_engine

if context.is_offline_mode():  # as Alembic's own env.py template does
    context.configure(
        url="postgresql+psycopg://", literal_binds=True, dialect_opts={"paramstyle": "named"}
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(os.environ["MIGRALINT_ALEMBIC_URL"])
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=None)
        with context.begin_transaction():
            context.run_migrations()
"""

_BASE = '''"""base

Revision ID: base0001
Revises:
Create Date: 2026-01-01 00:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "base0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("full_name", sa.Text, nullable=False),
        sa.Column("email", sa.Text),
    )
    op.execute(
        "INSERT INTO users (id, full_name, email) "
        "SELECT g, 'user ' || g, 'u' || g || '@example.com' FROM generate_series(1, 2500) AS g"
    )


def downgrade() -> None:
    op.drop_table("users")
'''


def _project(root: Path, per_migration: bool = False) -> Path:
    """An Alembic project with one base revision; its versions folder. `per_migration`:
    env.py says transaction_per_migration=True (else one transaction for the run)."""
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    (root / "alembic.ini").write_text(_INI)
    env = _ENV.replace(
        "target_metadata=None)", f"target_metadata=None, transaction_per_migration={per_migration})"
    )
    assert per_migration is False or "transaction_per_migration=True" in env
    (root / "migrations" / "env.py").write_text(env)
    (versions / "base0001_base.py").write_text(_BASE)
    return versions


def _alembic(root: Path, db: psycopg.Connection[Any] | None, *args: str) -> str:
    url = f"postgresql+psycopg://postgres@/{db.info.dbname}?host={db.info.host}" if db else ""
    env = {**os.environ, "MIGRALINT_ALEMBIC_URL": url}
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(root / "alembic.ini"), *args],
        cwd=root, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr


def _plan(versions: Path, *args: str) -> list[Path]:
    result = CliRunner().invoke(
        main, ["plan", *args, "--format", "alembic", "--out", str(versions)]
    )
    assert result.exit_code == 0, result.output
    return [
        Path(line[len("wrote ") :])
        for line in result.output.splitlines()
        if line.startswith("wrote ")
    ]


def _identifiers(path: Path) -> dict[str, Any]:
    module = ast.parse(path.read_text())
    return {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in module.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }


def test_rename_column_upgrades_and_downgrades(tmp_path: Path, db: psycopg.Connection[Any]) -> None:
    versions = _project(tmp_path)
    written = _plan(
        versions, "rename-column", "--table", "users", "--column", "full_name", "--to", "name"
    )
    assert [p.name.split("_", 1)[1] for p in written] == [
        "rename_users_full_name_to_name_expand.py",
        "rename_users_full_name_to_name_backfill.py",
        "rename_users_full_name_to_name_contract.py",
    ]
    ids = [_identifiers(p) for p in written]
    assert [i["down_revision"] for i in ids] == ["base0001", ids[0]["revision"], ids[1]["revision"]]
    assert all(
        len(i["revision"]) == 12 and p.name.startswith(i["revision"])
        for i, p in zip(ids, written, strict=True)
    )
    backfill = written[1].read_text()
    assert "with op.get_context().autocommit_block():" in backfill
    assert "%TYPE" in backfill and "::regclass" in backfill  # passed through as written

    # a revision of the project's own after the plan: no lock_timeout left behind
    after = _BASE.replace('"base0001"', '"after0001"').replace(
        "down_revision = None", f"down_revision = {ids[2]['revision']!r}"
    )
    after = after[: after.index("def upgrade")] + (
        "def upgrade() -> None:\n"
        "    op.execute(\"CREATE TABLE seen AS SELECT current_setting('lock_timeout') AS v\")\n\n\n"
        "def downgrade() -> None:\n    op.execute('DROP TABLE seen')\n"
    )
    (versions / "after0001_after.py").write_text(after)
    db.execute("ALTER DATABASE " + db.info.dbname + " SET lock_timeout = '7s'")

    history = _alembic(tmp_path, db, "history")
    assert all(i["revision"] in history for i in ids) and "base0001" in history
    _alembic(tmp_path, db, "upgrade", "head")
    columns = [r[0] for r in db.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = 'users'::regclass AND attnum > 0 "
        "AND NOT attisdropped ORDER BY attnum"
    )]  # fmt: skip
    assert columns == ["id", "email", "name"]
    assert db.execute("SELECT count(*), min(name), bool_and(name = 'user ' || id) FROM users").fetchone() == (
        2500, "user 1", True,
    )  # fmt: skip
    assert "after0001" in _alembic(tmp_path, db, "current")
    assert db.execute("SELECT v FROM seen").fetchone() == ("7s",)

    _alembic(tmp_path, db, "downgrade", "base0001")
    assert db.execute(
        "SELECT count(*), bool_and(full_name = 'user ' || id) FROM users"
    ).fetchone() == (2500, True)
    _alembic(tmp_path, db, "upgrade", "head")  # and again: every phase re-runs
    _alembic(tmp_path, db, "downgrade", "base")
    assert db.execute("SELECT to_regclass('users')").fetchone() == (None,)


@pytest.mark.parametrize("per_migration", [False, True])
def test_concurrent_index_runs_outside_the_transaction(
    tmp_path: Path, db: psycopg.Connection[Any], per_migration: bool
) -> None:
    versions = _project(tmp_path, per_migration)
    first = _plan(versions, "create-index", "--table", "users", "--column", "email", "--unique")
    assert [p.name.split("_", 1)[1] for p in first] == [
        "create_index_users_email_idx_expand.py",
        "create_index_users_email_idx_check.py",
        "create_index_users_email_idx_contract.py",
    ]
    text = first[0].read_text()
    assert "with op.get_context().autocommit_block():" in text and "CONCURRENTLY" in text
    assert "autocommit_block" not in first[1].read_text()  # the check runs in a transaction
    # a second plan chains after the first one's head
    second = _plan(versions, "create-index", "--table", "users", "--column", "full_name")
    assert _identifiers(second[0])["down_revision"] == _identifiers(first[2])["revision"]

    _alembic(tmp_path, db, "history")
    _alembic(tmp_path, db, "upgrade", "head")
    indexes = db.execute(
        "SELECT c.relname, i.indisvalid, i.indisunique FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'users'::regclass "
        "AND NOT i.indisprimary ORDER BY 1"
    ).fetchall()
    assert indexes == [("users_email_idx", True, True), ("users_full_name_idx", True, False)]
    _alembic(tmp_path, db, "downgrade", "base0001")
    assert db.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'users'").fetchone() == (
        1,
    )
    _alembic(tmp_path, db, "downgrade", "base")


def test_migralint_check_reads_the_written_revisions(tmp_path: Path) -> None:
    versions = _project(tmp_path)
    _plan(versions, "rename-column", "--table", "users", "--column", "full_name", "--to", "name")
    _plan(versions, "create-index", "--table", "users", "--column", "email")
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "7 files linted" in result.output  # the base and the six revisions written
    assert "unresolved" not in result.output and "syntax error" not in result.output


def test_several_heads_are_refused(tmp_path: Path) -> None:
    versions = _project(tmp_path)
    for name in ("left", "right"):
        text = _BASE.replace('"base0001"', f'"{name}0001"').replace(
            "down_revision = None", 'down_revision = "base0001"'
        )
        (versions / f"{name}0001.py").write_text(text)
    before = sorted(versions.iterdir())
    result = CliRunner().invoke(
        main, ["plan", "create-index", "--table", "users", "--column", "email", "--format", "alembic", "--out", str(versions)]
    )  # fmt: skip
    assert result.exit_code == 2
    assert (
        "2 heads (left0001, right0001)" in result.output and "alembic merge heads" in result.output
    )
    assert sorted(versions.iterdir()) == before


def test_a_broken_graph_is_refused(tmp_path: Path) -> None:
    versions = _project(tmp_path)
    (versions / "orphan.py").write_text('revision = "orphan"\ndown_revision = "nowhere"\n')
    result = CliRunner().invoke(
        main, ["plan", "create-index", "--table", "users", "--column", "email", "--format", "alembic", "--out", str(versions)]
    )  # fmt: skip
    assert result.exit_code == 2
    assert "'nowhere' names no revision" in result.output and "\n" not in result.output.strip()


def test_an_empty_folder_gets_a_root_revision(tmp_path: Path) -> None:
    written = _plan(tmp_path / "versions", "create-index", "--table", "t", "--column", "c")
    assert _identifiers(written[0])["down_revision"] is None


HOSTILE = 'x"""\n\'\'\');import os;os.system("echo pwned")#\r\\'


def test_a_hostile_name_stays_inside_its_string(tmp_path: Path) -> None:
    change = rename_column.Change(Name(HOSTILE, "app"), "full_name", "name")
    written = write_plan(rename_column.plan(change), "alembic", tmp_path)
    for path in written:
        module = ast.parse(path.read_text())  # a valid module
        calls = [n for n in ast.walk(module) if isinstance(n, ast.Call)]
        # only op.execute and get_context calls: nothing escaped its literal
        names = {ast.unparse(c.func) for c in calls}
        assert names <= {"op.execute", "op.get_context", "op.get_context().autocommit_block"}
        assert all(
            isinstance(c.args[0], ast.Constant)
            for c in calls
            if ast.unparse(c.func) == "op.execute"
        )
        assert any(HOSTILE.replace('"', '""') in c.args[0].value for c in calls if c.args)


def test_a_bind_parameter_lookalike_is_refused(tmp_path: Path) -> None:
    """sqlalchemy.text() would turn ` :x` into a bind parameter and change the SQL."""
    change = rename_column.Change(Name("users"), "full_name", "a :x")
    with pytest.raises(PlanError, match="bind parameter"):
        write_plan(rename_column.plan(change), "alembic", tmp_path)
    assert not tmp_path.exists() or list(tmp_path.iterdir()) == []


def _executed(path: Path) -> list[str]:
    """The SQL strings a revision file passes to op.execute, upgrade then downgrade."""
    module = ast.parse(path.read_text(encoding="utf-8"))
    calls = [
        n
        for n in ast.walk(module)
        if isinstance(n, ast.Call) and ast.unparse(n.func) == "op.execute"
    ]
    assert all(
        isinstance(c.args[0], ast.Constant) and isinstance(c.args[0].value, str) for c in calls
    )
    return [c.args[0].value for c in calls]


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_every_operation_executes_the_plan_s_statements(tmp_path: Path, operation: str) -> None:
    """What the revisions execute is the plan's SQL, statement by statement, with plain
    and with hostile names (or a one-line refusal): no name leaves its string literal."""
    for names in (QUOTING_PLAIN, QUOTING_HOSTILE):
        module = importlib.import_module(OPERATIONS[operation])
        out = tmp_path / ("hostile" if names is QUOTING_HOSTILE else "plain")
        try:
            planned = module.plan(module.Change(**every_operation(names)[operation]))
            written = write_plan(planned, "alembic", out)
        except PlanError as refusal:
            assert names is QUOTING_HOSTILE and "\n" not in str(refusal)
            continue
        assert len(written) == len(planned.phases)
        for path, phase in zip(written, planned.phases, strict=True):
            expected = [
                s.text.strip()
                for d in ("up", "down")
                for s in split_statements(phase.sql(d, per_statement=True)).statements
            ]
            executed = [s for s in _executed(path) if "migralint.lock_timeout" not in s]
            assert executed == [s for s in expected if s.rstrip(";").strip()]
            assert ("autocommit_block" in path.read_text()) is (not phase.transactional)


def test_mysql_plans_are_refused(tmp_path: Path) -> None:
    change = rename_column.Change(Name("users"), "full_name", "name", type="text", dialect="mysql")
    with pytest.raises(PlanError, match="PostgreSQL plans only"):
        write_plan(rename_column.plan(change), "alembic", tmp_path / "versions")
    assert not (tmp_path / "versions").exists()


def test_offline_sql_is_the_plan_s(tmp_path: Path) -> None:
    """`alembic upgrade --sql` prints each statement as planned (`%` and `::` kept), the
    backfill between a COMMIT and a new BEGIN (the autocommit block)."""
    versions = _project(tmp_path)
    written = _plan(
        versions, "rename-column", "--table", "users", "--column", "full_name", "--to", "name"
    )
    sql = _alembic(tmp_path, None, "upgrade", "head", "--sql")
    assert "last_key users.id%TYPE;" in sql and "%%" not in sql and "'users'::regclass" in sql
    for statement in _executed(written[1])[:3]:
        assert statement in sql


def test_a_hostile_rename_runs_up_and_down(tmp_path: Path, db: psycopg.Connection[Any]) -> None:
    """Through Alembic and psycopg 3: the data survives and so does the table a name
    tried to drop."""
    table, column, to = 'o"rd\\ers $sync$ %s', "n\nDROP TABLE students; --", "t*/\r-- $backfill$ %%"
    table_sql, column_sql, to_sql = (
        f'"{n.replace(chr(34), chr(34) * 2)}"' for n in (table, column, to)
    )
    db.execute("CREATE TABLE students (id int)")
    db.execute("CREATE SCHEMA app")
    db.execute(f"CREATE TABLE app.{table_sql} (id int PRIMARY KEY, {column_sql} integer)")
    db.execute(f"INSERT INTO app.{table_sql} SELECT g, g * 10 FROM generate_series(1, 25) AS g")
    versions = _project(tmp_path)
    change = rename_column.Change(Name(table, "app"), column, to)
    written = write_plan(rename_column.plan(change), "alembic", versions)
    assert len(written) == 3
    _alembic(tmp_path, db, "upgrade", "head")
    assert db.execute(f"SELECT sum({to_sql}) FROM app.{table_sql}").fetchone() == (3250,)
    _alembic(tmp_path, db, "downgrade", "base0001")
    assert db.execute(f"SELECT sum({column_sql}) FROM app.{table_sql}").fetchone() == (3250,)
    assert db.execute("SELECT to_regclass('students') IS NOT NULL").fetchone() == (True,)
