"""set-not-null's plan on a real PostgreSQL: NULL writes are refused from expand on,
validation fails while NULLs remain, SET NOT NULL needs no scan, and downs restore."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from plan_helpers import files, run_file, schema_of

from migralint.config import Settings
from migralint.engine import lint_paths
from migralint.plan.set_not_null import Change as SetNotNull
from migralint.plan.set_not_null import plan
from migralint.plan.write import write_plan
from migralint.sql.ops import Name


def nullable(db: psycopg.Connection[Any], table: str, column: str) -> str:
    return db.execute(
        "SELECT is_nullable FROM information_schema.columns WHERE table_name = %s "
        "AND column_name = %s",
        (table, column),
    ).fetchone()[0]


def test_set_not_null_plan_on_a_real_database(db: psycopg.Connection[Any], tmp_path: Path) -> None:
    db.execute('CREATE TABLE "Orders" (id bigint PRIMARY KEY, "Email" text)')
    db.execute("""INSERT INTO "Orders" SELECT g, 'a' || g FROM generate_series(1, 500) g""")
    db.execute("""INSERT INTO "Orders" VALUES (501, NULL)""")
    before = schema_of(db, "Orders")
    write_plan(plan(SetNotNull(Name("Orders"), "Email")), "golang-migrate", tmp_path)

    expand = files(tmp_path, "check", "up")
    run_file(db, expand)
    run_file(db, expand)  # guarded: re-runnable
    with pytest.raises(psycopg.errors.CheckViolation):
        db.execute("""INSERT INTO "Orders" VALUES (502, NULL)""")
    with pytest.raises(psycopg.errors.CheckViolation):
        run_file(db, files(tmp_path, "validate", "up"))  # a NULL is left
    db.execute("""UPDATE "Orders" SET "Email" = 'filled' WHERE "Email" IS NULL""")
    run_file(db, files(tmp_path, "validate", "up"))

    [contract_up] = [p for p in tmp_path.glob("*_not_null.up.sql")]
    run_file(db, contract_up)
    assert nullable(db, "Orders", "Email") == "NO"
    assert schema_of(db, "Orders")["constraints"] == before["constraints"]

    run_file(db, contract_up.with_name(contract_up.name.replace(".up.", ".down.")))
    run_file(db, files(tmp_path, "validate", "down"))
    run_file(db, files(tmp_path, "check", "down"))
    assert nullable(db, "Orders", "Email") == "YES"
    assert schema_of(db, "Orders") == before


def test_set_not_null_plan_lints_clean(tmp_path: Path) -> None:
    (tmp_path / "1_orders.up.sql").write_text(
        "CREATE TABLE orders (id bigint PRIMARY KEY, email text);"
    )
    (tmp_path / "1_orders.down.sql").write_text("DROP TABLE IF EXISTS orders;")
    write_plan(plan(SetNotNull(Name("orders"), "email")), "golang-migrate", tmp_path)
    result = lint_paths([tmp_path], Settings(pg_version=(12, 0)))
    planned = [f for f in result.findings if "not_null" in Path(f.path).name]
    assert [(Path(f.path).name, f.rule) for f in planned if f.severity >= 2] == []
