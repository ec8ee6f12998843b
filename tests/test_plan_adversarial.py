"""Adversarial scenarios for the column-copying plans, run on a real PostgreSQL with rows:
release N-1 writing rows the backfill has not reached, old types without `=`, writes that
bypass the sync trigger, volatile defaults, and what a comment line may look like."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from plan_helpers import files, run_file, schema_of

from migralint.plan import add_column
from migralint.plan.change_column_type import Change as ChangeType
from migralint.plan.change_column_type import plan as change_type_plan
from migralint.plan.model import Plan
from migralint.plan.rename_column import Change as RenameColumn
from migralint.plan.rename_column import plan as rename_plan
from migralint.plan.write import write_plan
from migralint.sql.ops import Name

ROWS = 50


def _users(db: psycopg.Connection[Any], name_type: str = "text") -> None:
    db.execute(f"CREATE TABLE users (id bigint PRIMARY KEY, name {name_type} NOT NULL, age int)")
    db.execute("INSERT INTO users SELECT g, 'p' || g, g FROM generate_series(1, %s) AS g", (ROWS,))


def _written(plan: Plan, out: Path) -> Path:
    write_plan(plan, "golang-migrate", out)
    return out


PLANS = {
    "rename": (lambda: rename_plan(RenameColumn(Name("users"), "name", "full_name")), "full_name"),
    "retype": (
        lambda: change_type_plan(
            ChangeType(Name("users"), "name", "varchar(40)", from_type="text", to="name_new")
        ),
        "name_new",
    ),
}


@pytest.mark.parametrize("kind", PLANS)
def test_release_n_minus_1_updates_a_row_the_backfill_has_not_reached(
    db: psycopg.Connection[Any], tmp_path: Path, kind: str
) -> None:
    make, new = PLANS[kind]
    _users(db)
    out = _written(make(), tmp_path)
    run_file(db, files(out, "expand", "up"))
    db.execute("UPDATE users SET age = age + 1 WHERE id = 5")
    assert db.execute(f"SELECT name, {new}, age FROM users WHERE id = 5").fetchone() == (
        "p5",
        "p5",
        6,
    )
    # The side that changed still wins, and a backfilled row keeps agreeing.
    db.execute("UPDATE users SET name = 'changed' WHERE id = 6")
    assert db.execute(f"SELECT name, {new} FROM users WHERE id = 6").fetchone() == (
        "changed",
        "changed",
    )


def test_release_n_minus_1_updates_a_row_after_the_contract_s_down(
    db: psycopg.Connection[Any], tmp_path: Path
) -> None:
    _users(db)
    out = _written(PLANS["rename"][0](), tmp_path)
    for phase in ("expand", "backfill", "contract"):
        run_file(db, files(out, phase, "up"))
    run_file(db, files(out, "contract", "down"))
    # The re-added name is NULL until the migrate phase's down refills it.
    db.execute("UPDATE users SET age = 0 WHERE id = 7")
    assert db.execute("SELECT name, full_name FROM users WHERE id = 7").fetchone() == ("p7", "p7")
    db.execute("UPDATE users SET full_name = 'new side' WHERE id = 8")
    assert db.execute("SELECT name, full_name FROM users WHERE id = 8").fetchone() == (
        "new side",
        "new side",
    )


def _docs(db: psycopg.Connection[Any], body_type: str) -> None:
    body = "point(g, g)" if body_type == "point" else "json_build_object('k', g, 'k2', 'x')"
    db.execute(f"CREATE TABLE docs (id bigint PRIMARY KEY, body {body_type} NOT NULL, n int)")
    db.execute(f"INSERT INTO docs SELECT g, {body} FROM generate_series(1, 30) AS g")


def test_json_to_jsonb_compares_the_json_side_as_text(
    db: psycopg.Connection[Any], pg_server: Any, tmp_path: Path
) -> None:
    _docs(db, "json")
    out = _written(
        change_type_plan(ChangeType(Name("docs"), "body", "jsonb", from_type="json")), tmp_path
    )
    run_file(db, files(out, "expand", "up"))
    db.execute("UPDATE docs SET n = 1 WHERE id = 1")
    db.execute("""UPDATE docs SET body = '{"k": 2,  "k": 3}' WHERE id = 2""")
    db.execute("""INSERT INTO docs (id, body) VALUES (100, '{"b": 1, "a": [1, 2]}')""")
    assert db.execute("SELECT body_new FROM docs WHERE id IN (1, 2) ORDER BY id").fetchall() == [
        ({"k": 1, "k2": "x"},),
        ({"k": 3},),
    ]
    run_file(db, files(out, "backfill", "up"))
    run_file(db, files(out, "contract", "up"))
    got = db.execute("SELECT id, body, n FROM docs ORDER BY id").fetchall()
    with pg_server.database() as plain:
        _docs(plain, "json")
        plain.execute("UPDATE docs SET n = 1 WHERE id = 1")
        plain.execute("""UPDATE docs SET body = '{"k": 2,  "k": 3}' WHERE id = 2""")
        plain.execute("""INSERT INTO docs (id, body) VALUES (100, '{"b": 1, "a": [1, 2]}')""")
        plain.execute("ALTER TABLE docs ALTER COLUMN body TYPE jsonb")
        assert got == plain.execute("SELECT id, body, n FROM docs ORDER BY id").fetchall()
        assert schema_of(db, "docs")["columns"] == schema_of(plain, "docs")["columns"]
    for phase in ("contract", "backfill", "expand"):
        run_file(db, files(out, phase, "down"))
    db.execute("UPDATE docs SET n = 2 WHERE id = 3")
    assert db.execute(
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'docs'::regclass AND attname = 'body'"
    ).fetchone() == ("json",)


def test_an_old_type_without_equality_is_refused_before_anything_changes(
    db: psycopg.Connection[Any], tmp_path: Path
) -> None:
    _docs(db, "point")
    before = schema_of(db, "docs")
    out = _written(
        change_type_plan(
            ChangeType(
                Name("docs"),
                "body",
                "text",
                from_type="point",
                using="body::text",
                reverse_using="body_new::point",
            )
        ),
        tmp_path,
    )
    with pytest.raises(psycopg.errors.RaiseException, match=r"docs\.body has no = operator"):
        run_file(db, files(out, "expand", "up"))
    assert schema_of(db, "docs") == before
    db.execute("UPDATE docs SET n = 1")


def test_a_column_planned_as_json_must_be_json(db: psycopg.Connection[Any], tmp_path: Path) -> None:
    _docs(db, "json")
    db.execute("ALTER TABLE docs ALTER COLUMN body TYPE jsonb")
    out = _written(
        change_type_plan(
            ChangeType(
                Name("docs"), "body", "text", from_type="json", reverse_using="body_new::json"
            )
        ),
        tmp_path,
    )
    with pytest.raises(psycopg.errors.RaiseException, match="planned as json"):
        run_file(db, files(out, "expand", "up"))


@pytest.mark.parametrize("not_null", [False, True])
def test_a_volatile_default_is_evaluated_once_per_row(
    db: psycopg.Connection[Any], pg_server: Any, tmp_path: Path, not_null: bool
) -> None:
    def setup(conn: psycopg.Connection[Any]) -> None:
        conn.execute("CREATE SEQUENCE s1")
        conn.execute("CREATE TABLE t (id bigint PRIMARY KEY, a int)")
        conn.execute("INSERT INTO t SELECT g, g FROM generate_series(1, 40) AS g")

    setup(db)
    change = add_column.Change(
        Name("t"), "d", "bigint", default="nextval('s1')", not_null=not_null, batch_size=7
    )
    out = _written(add_column.plan(change), tmp_path)
    phases = ("expand", "backfill") + (("check", "validate", "not_null") if not_null else ())
    for phase in phases:
        run_file(db, files(out, phase, "up"))
    with pg_server.database() as plain:
        setup(plain)
        null = " NOT NULL" if not_null else ""
        plain.execute(f"ALTER TABLE t ADD COLUMN d bigint{null} DEFAULT nextval('s1')")
        for conn in (db, plain):
            conn.execute("INSERT INTO t (id) VALUES (100)")
        state = "SELECT array_agg(d ORDER BY d), (SELECT last_value FROM s1) FROM t"
        assert db.execute(state).fetchone() == plain.execute(state).fetchone()


BYPASSES = {
    "replica session": (
        "SET session_replication_role = replica; "
        "INSERT INTO users (id, name, age) VALUES (1000, 'r', 41); "
        "RESET session_replication_role"
    ),
    "inheritance child": (
        "CREATE TABLE child () INHERITS (users); "
        "INSERT INTO child (id, name, age) VALUES (1000, 'c', 41)"
    ),
}
# Plans of the nullable age column: (plan, the plan's new column, the final name).
AGE_PLANS = {
    "rename": (rename_plan(RenameColumn(Name("users"), "age", "years")), "years", "years"),
    "retype": (
        change_type_plan(ChangeType(Name("users"), "age", "bigint", from_type="int")),
        "age_new",
        "age",
    ),
}


@pytest.mark.parametrize("kind", AGE_PLANS)
@pytest.mark.parametrize("bypass", BYPASSES)
def test_the_contract_refuses_to_drop_a_value_written_past_the_sync_trigger(
    db: psycopg.Connection[Any], tmp_path: Path, kind: str, bypass: str
) -> None:
    planned, new, final = AGE_PLANS[kind]
    _users(db)
    out = _written(planned, tmp_path)
    run_file(db, files(out, "expand", "up"))
    run_file(db, files(out, "backfill", "up"))
    db.execute(BYPASSES[bypass])
    before = schema_of(db, "users")
    with pytest.raises(psycopg.errors.RaiseException, match="contract: 1 rows of users"):
        run_file(db, files(out, "contract", "up"))
    assert schema_of(db, "users") == before
    db.execute(f"UPDATE users SET {new} = age WHERE {new} IS NULL")
    run_file(db, files(out, "contract", "up"))
    assert db.execute(f"SELECT {final} FROM users WHERE id = 1000").fetchone() == (41,)


def test_the_rename_contract_refuses_an_old_value_the_new_column_does_not_hold(
    db: psycopg.Connection[Any], tmp_path: Path
) -> None:
    _users(db)
    out = _written(PLANS["rename"][0](), tmp_path)
    run_file(db, files(out, "expand", "up"))
    run_file(db, files(out, "backfill", "up"))
    db.execute(
        "SET session_replication_role = replica; UPDATE users SET name = 'r' WHERE id = 3; "
        "RESET session_replication_role"
    )
    with pytest.raises(psycopg.errors.RaiseException, match="contract: 1 rows of users"):
        run_file(db, files(out, "contract", "up"))


@pytest.mark.parametrize("kind", PLANS)
def test_the_expand_refuses_a_table_with_inheritance_children(
    db: psycopg.Connection[Any], tmp_path: Path, kind: str
) -> None:
    _users(db)
    db.execute("CREATE TABLE child () INHERITS (users)")
    before = schema_of(db, "users")
    out = _written(PLANS[kind][0](), tmp_path)
    with pytest.raises(psycopg.errors.RaiseException, match="has inheritance children"):
        run_file(db, files(out, "expand", "up"))
    assert schema_of(db, "users") == before


ATTRIBUTES = (
    "COMMENT ON COLUMN users.name IS 'the name'; "
    "ALTER TABLE users ALTER COLUMN name SET STATISTICS 500; "
    "ALTER TABLE users ALTER COLUMN name SET STORAGE EXTERNAL; "
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'reader') THEN "
    "CREATE ROLE reader; END IF; END $$; "
    "GRANT SELECT (name), UPDATE (name) ON users TO reader; "
    "GRANT SELECT (name) ON users TO PUBLIC"
)


def _attributes(db: psycopg.Connection[Any], column: str) -> tuple[Any, ...]:
    return db.execute(
        "SELECT col_description(attrelid, attnum), attstattarget, attstorage, "
        "attacl::text[] FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = %s",
        (column,),
    ).fetchone()


@pytest.mark.parametrize(
    ("kind", "alter", "final"),
    [
        ("rename", "ALTER TABLE users RENAME COLUMN name TO full_name", "full_name"),
        ("retype", "ALTER TABLE users ALTER COLUMN name TYPE varchar(40)", "name"),
    ],
)
def test_comment_privileges_statistics_and_storage_are_carried(
    db: psycopg.Connection[Any], pg_server: Any, tmp_path: Path, kind: str, alter: str, final: str
) -> None:
    _users(db)
    db.execute(ATTRIBUTES)
    start = _attributes(db, "name")
    out = _written(PLANS[kind][0](), tmp_path)
    for phase in ("expand", "backfill", "contract"):
        run_file(db, files(out, phase, "up"))
    with pg_server.database() as plain:
        _users(plain)
        plain.execute(ATTRIBUTES)
        plain.execute(alter)
        after = _attributes(db, final)
        assert after == _attributes(plain, final)
    for phase in ("contract", "backfill", "expand"):
        run_file(db, files(out, phase, "down"))
    # A type change resets STORAGE to the new type's, and so does changing it back.
    assert _attributes(db, "name") == (start if kind == "rename" else (*start[:2], *after[2:]))


@pytest.mark.parametrize("kind", PLANS)
def test_headers_say_how_the_table_s_own_triggers_meet_the_plan(tmp_path: Path, kind: str) -> None:
    out = _written(PLANS[kind][0](), tmp_path)
    expand = files(out, "expand", "up").read_text(encoding="utf-8")
    assert (
        "-- BEFORE triggers fire in name order: one of the table's own that sorts after" in expand
    )
    backfill = files(out, "backfill", "up").read_text(encoding="utf-8")
    assert "-- Each filled row is an UPDATE: the table's own UPDATE triggers" in backfill
    assert "-- Migrate: " in backfill


@pytest.mark.parametrize("default", ["'x'", "md5(random()::text)"])
def test_add_column_keeps_collate_and_storage(
    db: psycopg.Connection[Any], pg_server: Any, tmp_path: Path, default: str
) -> None:
    _users(db)
    change = add_column.Change(
        Name("users"), "code", "text", default=default, collation="C", storage="external"
    )
    out = _written(add_column.plan(change), tmp_path)
    for phase in ("expand", "migrate" if default == "'x'" else "backfill", "contract"):
        run_file(db, files(out, phase, "up"))
    with pg_server.database() as plain:
        _users(plain)
        plain.execute(f'ALTER TABLE users ADD COLUMN code text COLLATE "C" DEFAULT {default}')
        plain.execute("ALTER TABLE users ALTER COLUMN code SET STORAGE EXTERNAL")
        assert schema_of(db, "users")["columns"] == schema_of(plain, "users")["columns"]
        storage = "SELECT attstorage FROM pg_attribute WHERE attrelid = 'users'::regclass "
        storage += "AND attname = 'code'"
        assert db.execute(storage).fetchone() == plain.execute(storage).fetchone() == ("e",)
