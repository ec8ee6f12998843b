"""rename-table, drop-column and drop-table plans, run for real: idempotent phases, the
old and the new release writing side by side, the contract, and every down in reverse."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from plan_helpers import files, run_file, schema_of

from migralint.config import Settings
from migralint.engine import lint_paths
from migralint.plan import drop_column, drop_table, rename_table
from migralint.plan.model import PlanError
from migralint.plan.write import write_plan
from migralint.sql.ops import Name

ROWS = 2500


def _in_schema(db: psycopg.Connection[Any], schema: str | None) -> str:
    """Create the schema and put it first on the search path (schema_of resolves names
    through it); return the qualifying prefix for SQL."""
    if schema is None:
        return ""
    db.execute(f'CREATE SCHEMA "{schema}"')
    db.execute(f'SET search_path = "{schema}", public')
    return f'"{schema}".'


def _relkind(db: psycopg.Connection[Any], qualified: str) -> str | None:
    row = db.execute(
        "SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", (qualified,)
    ).fetchone()
    return None if row is None else str(row[0])


def _run_downs(db: psycopg.Connection[Any], out: Path) -> None:
    for phase in ("contract", "migrate", "expand"):
        run_file(db, files(out, phase, "down"))


@pytest.mark.parametrize(
    ("schema", "table", "new", "column"),
    [(None, "users", "accounts", "full_name"), ("App", "User Accounts", "select", "Full Name")],
)
def test_rename_table_plan_on_a_real_database(
    db: psycopg.Connection[Any],
    tmp_path: Path,
    schema: str | None,
    table: str,
    new: str,
    column: str,
) -> None:
    prefix = _in_schema(db, schema)
    old_t, new_t, c = f'{prefix}"{table}"', f'{prefix}"{new}"', f'"{column}"'
    db.execute(
        f"CREATE TABLE {old_t} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
        f"n serial, {c} text NOT NULL CHECK ({c} <> ''), "
        "created_at timestamptz NOT NULL DEFAULT now(), touched boolean)"
    )
    db.execute(f"CREATE INDEX ON {old_t} (created_at)")
    db.execute(
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN NEW.touched := true; RETURN NEW; END $$"
    )
    db.execute(
        f"CREATE TRIGGER touch BEFORE INSERT OR UPDATE ON {old_t} FOR EACH ROW "
        "EXECUTE FUNCTION touch()"
    )
    db.execute(f"GRANT SELECT, INSERT ON {old_t} TO PUBLIC")
    db.execute(f"INSERT INTO {old_t} ({c}) SELECT 'person ' || g FROM generate_series(1, {ROWS}) g")
    before = schema_of(db, table)
    rows_before = db.execute(f"SELECT id, n, {c} FROM {old_t} WHERE id > 1 ORDER BY id").fetchall()

    write_plan(rename_table.plan(rename_table.Change(Name(table, schema), new)), "sql", tmp_path)
    out = tmp_path
    # The sql writer's names end in .sql / .down.sql; run them through the same helper.
    expand = next(out.glob("*_expand.sql"))
    run_file(db, expand)
    run_file(db, expand)  # idempotent: the second run keeps the table and re-creates the view
    assert (_relkind(db, old_t), _relkind(db, new_t)) == ("v", "r")
    acl = db.execute("SELECT relacl::text FROM pg_class WHERE oid = %s::regclass", (old_t,))
    assert "=ar/" in acl.fetchone()[0]  # PUBLIC's SELECT and INSERT carried over to the view

    # Release N-1 uses the old name (the view), release N the new one.
    via_old = db.execute(
        f"INSERT INTO {old_t} ({c}) VALUES ('old writer') RETURNING id, n, created_at, touched"
    ).fetchone()
    via_new = db.execute(
        f"INSERT INTO {new_t} ({c}) VALUES ('new writer') RETURNING id, n, created_at, touched"
    ).fetchone()
    # The table's identity, serial and DEFAULT apply through the view, and its trigger fires.
    assert via_old[0] > ROWS and via_old[1] > ROWS and via_old[2] is not None and via_old[3]
    assert via_new[0] == via_old[0] + 1 and via_new[1] == via_old[1] + 1
    db.execute(f"UPDATE {old_t} SET {c} = 'old update' WHERE id = %s", (via_new[0],))
    db.execute(f"UPDATE {new_t} SET {c} = 'new update' WHERE id = %s", (via_old[0],))
    db.execute(f"DELETE FROM {old_t} WHERE id = 1")
    with pytest.raises(psycopg.errors.CheckViolation):
        db.execute(f"INSERT INTO {old_t} ({c}) VALUES ('')")  # the table's CHECK applies
    written = db.execute(
        f"SELECT id, {c} FROM {new_t} WHERE id IN (%s, %s) ORDER BY id", (via_old[0], via_new[0])
    ).fetchall()
    assert written == [(via_old[0], "new update"), (via_new[0], "old update")]
    assert db.execute(f"SELECT count(*) FROM {old_t}").fetchone()[0] == ROWS + 1

    migrate = next(out.glob("*_migrate.sql"))
    run_file(db, migrate)
    contract = next(out.glob("*_contract.sql"))
    run_file(db, contract)
    run_file(db, contract)  # DROP VIEW IF EXISTS: re-runnable
    assert (_relkind(db, old_t), _relkind(db, new_t)) == (None, "r")

    for phase in ("contract", "migrate", "expand"):
        run_file(db, next(out.glob(f"*_{phase}.down.sql")))
    assert (_relkind(db, old_t), _relkind(db, new_t)) == ("r", None)
    assert schema_of(db, table) == before
    restored = db.execute(f"SELECT id, n, {c} FROM {old_t} WHERE id <= %s ORDER BY id", (ROWS,))
    assert restored.fetchall() == rows_before


def test_rename_table_contract_down_brings_the_view_back(
    db: psycopg.Connection[Any], tmp_path: Path
) -> None:
    db.execute("CREATE TABLE orders (id bigserial PRIMARY KEY, total int DEFAULT 0)")
    write_plan(
        rename_table.plan(rename_table.Change(Name("orders"), "purchases")),
        "golang-migrate",
        tmp_path,
    )
    run_file(db, files(tmp_path, "expand", "up"))
    run_file(db, files(tmp_path, "contract", "up"))
    run_file(db, files(tmp_path, "contract", "down"))
    assert _relkind(db, "orders") == "v"
    assert db.execute("INSERT INTO orders DEFAULT VALUES RETURNING id, total").fetchone() == (1, 0)
    assert db.execute("SELECT count(*) FROM purchases").fetchone()[0] == 1


@pytest.mark.parametrize(
    ("schema", "table", "column", "column_type"),
    [(None, "users", "nickname", "varchar(40)"), ("App", "User Accounts", "order", "text")],
)
def test_drop_column_plan_on_a_real_database(
    db: psycopg.Connection[Any],
    tmp_path: Path,
    schema: str | None,
    table: str,
    column: str,
    column_type: str,
) -> None:
    prefix = _in_schema(db, schema)
    t, c = f'{prefix}"{table}"', f'"{column}"'
    db.execute(
        f"CREATE TABLE {t} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
        f"name text NOT NULL, {c} {column_type})"
    )
    db.execute(
        f"INSERT INTO {t} (name, {c}) SELECT 'p' || g, 'n' || g FROM generate_series(1, {ROWS}) g"
    )
    before = schema_of(db, table)
    names_before = db.execute(f"SELECT id, name FROM {t} ORDER BY id").fetchall()

    change = drop_column.Change(Name(table, schema), column, column_type)
    planned = drop_column.plan(change)
    assert "not restored" in planned.summary
    write_plan(planned, "golang-migrate", tmp_path)
    for phase in ("expand", "migrate"):
        run_file(db, files(tmp_path, phase, "up"))
        run_file(db, files(tmp_path, phase, "up"))
    # Release N-1 still writes the column, release N ignores it: both work.
    db.execute(f"INSERT INTO {t} (name, {c}) VALUES ('old writer', 'x')")
    db.execute(f"INSERT INTO {t} (name) VALUES ('new writer')")
    db.execute(f"UPDATE {t} SET {c} = 'y' WHERE name = 'new writer'")

    contract = files(tmp_path, "contract", "up")
    run_file(db, contract)
    run_file(db, contract)  # DROP COLUMN IF EXISTS: re-runnable
    assert column not in [c[0] for c in schema_of(db, table)["columns"]]
    db.execute(f"INSERT INTO {t} (name) VALUES ('after contract')")

    down = files(tmp_path, "contract", "down")
    assert "data is not restored" in down.read_text()
    _run_downs(db, tmp_path)
    assert schema_of(db, table) == before
    assert db.execute(f"SELECT id, name FROM {t} WHERE id <= {ROWS} ORDER BY id").fetchall() == (
        names_before
    )
    # The column is back, nullable and empty: its data is not restored.
    assert db.execute(f"SELECT count({c}) FROM {t}").fetchone()[0] == 0
    db.execute(f"INSERT INTO {t} (name) VALUES ('after rollback')")


def test_drop_column_needs_the_type() -> None:
    with pytest.raises(PlanError, match="pass --type"):
        drop_column.plan(drop_column.Change(Name("users"), "nickname"))


@pytest.mark.parametrize(("schema", "table"), [(None, "sessions"), ("App", "User Sessions")])
def test_drop_table_plan_on_a_real_database(
    db: psycopg.Connection[Any], tmp_path: Path, schema: str | None, table: str
) -> None:
    prefix = _in_schema(db, schema)
    t = f'{prefix}"{table}"'
    db.execute(f"CREATE TABLE {t} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, token text)")
    db.execute(f"INSERT INTO {t} (token) SELECT 't' || g FROM generate_series(1, {ROWS}) g")
    planned = drop_table.plan(drop_table.Change(Name(table, schema)))
    assert "cannot restore" in planned.summary
    write_plan(planned, "golang-migrate", tmp_path)
    for phase in ("expand", "migrate"):
        run_file(db, files(tmp_path, phase, "up"))
        run_file(db, files(tmp_path, phase, "up"))
    assert _relkind(db, t) == "r"  # nothing happens before the contract

    db.execute(f"CREATE VIEW {prefix}reader AS SELECT token FROM {t}")
    with pytest.raises(psycopg.errors.DependentObjectsStillExist):
        run_file(db, files(tmp_path, "contract", "up"))  # no CASCADE: the view protects it
    db.execute(f"DROP VIEW {prefix}reader")

    contract = files(tmp_path, "contract", "up")
    run_file(db, contract)
    run_file(db, contract)  # DROP TABLE IF EXISTS: re-runnable
    assert _relkind(db, t) is None
    down = files(tmp_path, "contract", "down")
    assert "Irreversible" in down.read_text()
    _run_downs(db, tmp_path)  # the downs run, and say they cannot bring the table back
    assert _relkind(db, t) is None


@pytest.mark.parametrize(("schema", "table"), [(None, "sessions"), ("App", "User Sessions")])
def test_drop_table_keep_copy_is_fully_reversible(
    db: psycopg.Connection[Any], tmp_path: Path, schema: str | None, table: str
) -> None:
    prefix = _in_schema(db, schema)
    t = f'{prefix}"{table}"'
    db.execute(
        f"CREATE TABLE {t} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
        "token text UNIQUE, expires_at timestamptz DEFAULT now())"
    )
    db.execute(f"INSERT INTO {t} (token) SELECT 't' || g FROM generate_series(1, {ROWS}) g")
    before = schema_of(db, table)
    rows_before = db.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()

    planned = drop_table.plan(drop_table.Change(Name(table, schema), keep_copy=True))
    archive = drop_table.archive_name(Name(table, schema))
    assert archive.name in planned.summary and "manual" in planned.summary
    write_plan(planned, "golang-migrate", tmp_path)
    for phase in ("expand", "migrate", "contract"):
        run_file(db, files(tmp_path, phase, "up"))
        run_file(db, files(tmp_path, phase, "up"))
    assert _relkind(db, t) is None
    archived = f'{prefix}"{archive.name}"'
    assert db.execute(f"SELECT count(*) FROM {archived}").fetchone()[0] == ROWS

    _run_downs(db, tmp_path)
    assert _relkind(db, archived) is None
    assert schema_of(db, table) == before
    assert db.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() == rows_before


def test_archive_names_stay_within_the_identifier_limit() -> None:
    long = Name("x" * 60)
    assert len(drop_table.archive_name(long).name.encode()) <= 63


@pytest.mark.parametrize(
    ("label", "planned"),
    [
        ("rename-table", rename_table.plan(rename_table.Change(Name("users"), "accounts"))),
        (
            "drop-column",
            drop_column.plan(drop_column.Change(Name("users"), "nickname", "text")),
        ),
        ("drop-table", drop_table.plan(drop_table.Change(Name("sessions")))),
        (
            "drop-table-keep-copy",
            drop_table.plan(drop_table.Change(Name("sessions"), keep_copy=True)),
        ),
    ],
)
def test_the_plans_lint_clean_with_migralint_itself(
    tmp_path: Path, label: str, planned: Any
) -> None:
    write_plan(planned, "golang-migrate", tmp_path)
    result = lint_paths([tmp_path], Settings(pg_version=(12, 0)))
    found = {
        (label, Path(f.path).name.split("_")[-1], f.rule)
        for f in result.findings
        if f.severity >= 2
    }
    assert found == set()


def test_rename_table_view_keeps_row_level_security(
    db: psycopg.Connection[Any], tmp_path: Path
) -> None:
    """Release N-1 reads and writes through the view under the old name: on PostgreSQL
    15+ it is security_invoker, so the table's policies still decide which rows it sees."""
    role = f"tenant_app_{uuid.uuid4().hex[:8]}"
    db.execute(
        "CREATE TABLE notes (id int PRIMARY KEY, tenant text NOT NULL, body text);"
        "INSERT INTO notes SELECT g, CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END, 'n' "
        "FROM generate_series(1, 10) AS g;"
        "ALTER TABLE notes ENABLE ROW LEVEL SECURITY;"
        "CREATE POLICY own ON notes USING (tenant = current_setting('app.tenant'));"
        f"CREATE ROLE {role}; GRANT SELECT, UPDATE ON notes TO {role}"
    )
    try:
        plan = rename_table.plan(rename_table.Change(Name("notes"), "memos"))
        write_plan(plan, "golang-migrate", tmp_path)
        run_file(db, files(tmp_path, "expand", "up"))
        db.execute(f"SET ROLE {role}; SET app.tenant = 'a'")
        assert db.execute("SELECT count(*) FROM notes").fetchone() == (5,)  # the old name
        assert db.execute("UPDATE notes SET body = 'mine'").rowcount == 5
        db.execute("RESET ROLE")
        counts = db.execute("SELECT tenant, body, count(*) FROM memos GROUP BY 1, 2 ORDER BY 1")
        assert counts.fetchall() == [("a", "mine", 5), ("b", "n", 5)]
    finally:
        db.execute("RESET ROLE")
        db.execute(f"DROP OWNED BY {role}; DROP ROLE {role}")


def test_drop_column_down_re_adds_a_serial_as_its_integer_type() -> None:
    """`ADD COLUMN … bigserial` would rewrite the table and number every row afresh."""
    planned = drop_column.plan(drop_column.Change(Name("tickets"), "n", type="bigserial"))
    assert planned.phases[-1].down.endswith("ADD COLUMN IF NOT EXISTS n bigint;")
