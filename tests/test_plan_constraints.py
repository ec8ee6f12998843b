"""add-foreign-key, add-check, add-unique and add-primary-key on a real PostgreSQL:
orphans, violating rows, duplicates and NULLs make the step fail the way its header
says, the header's query finds them, the step passes once they are cleaned, and every
down brings the catalog back to its snapshot."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import psycopg
import pytest
from plan_helpers import files, run_file, schema_of

from migralint.config import Settings
from migralint.engine import lint_paths
from migralint.plan import add_check, add_foreign_key, add_primary_key, add_unique, sql
from migralint.plan import constraint_steps as steps
from migralint.plan.model import PlanError
from migralint.plan.write import write_plan
from migralint.sql.ops import Name

ROWS = 3000


def header_query(path: Path) -> str:
    """The SELECT a file's header tells to run (indented comment lines after 'by'/'with')."""
    lines, taking = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if taking and line.startswith("--   "):
            lines.append(line[2:].strip())
        elif taking:
            break
        elif line.startswith("--") and line.rstrip().endswith(("listed by", "list them with")):
            taking = True
    assert lines, f"no query in the header of {path.name}"
    return " ".join(lines)


def downs(out: Path) -> list[Path]:
    """Every down file, newest version first."""
    found = list(out.glob("*.down.sql"))
    return sorted(found, key=lambda p: int(p.name.split("_")[0]), reverse=True)


def run_downs(db: psycopg.Connection[Any], out: Path) -> None:
    for down in downs(out):
        run_file(db, down)


def indexes(db: psycopg.Connection[Any], table: str) -> dict[str, bool]:
    return dict(
        db.execute(
            "SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c "
            "ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass",
            (f'"{table}"',),
        ).fetchall()
    )


def validated(db: psycopg.Connection[Any], name: str) -> bool:
    return db.execute(
        "SELECT convalidated FROM pg_constraint WHERE conname = %s", (name,)
    ).fetchone()[0]


# add-foreign-key ---------------------------------------------------------------------


FK_CASES = [
    pytest.param("public", "customers", "id", "orders", "customer_id", id="plain"),
    pytest.param("Sales", "Customers", "Id", "order", "Customer Id", id="mixed-case-reserved"),
]


@pytest.mark.parametrize(("schema", "parent", "key", "child", "column"), FK_CASES)
def test_add_foreign_key_on_a_real_database(
    db: psycopg.Connection[Any],
    tmp_path: Path,
    schema: str,
    parent: str,
    key: str,
    child: str,
    column: str,
) -> None:
    s, p, k, c, col = (f'"{x}"' for x in (schema, parent, key, child, column))
    db.execute(f"CREATE SCHEMA IF NOT EXISTS {s}")
    db.execute(f"SET search_path = {s}, public")
    db.execute(f"CREATE TABLE {p} ({k} bigint PRIMARY KEY)")
    db.execute(f"CREATE TABLE {c} (id bigint PRIMARY KEY, {col} bigint)")
    db.execute(f"INSERT INTO {p} SELECT g FROM generate_series(1, 100) g")
    db.execute(f"INSERT INTO {c} SELECT g, g % 100 + 1 FROM generate_series(1, {ROWS}) g")
    db.execute(f"INSERT INTO {c} VALUES ({ROWS + 1}, 4242), ({ROWS + 2}, NULL)")  # an orphan
    before = {t: schema_of(db, t) for t in (parent, child)}
    references = f'"{schema}"."{parent}"("{key}")'
    change = add_foreign_key.Change(Name(child, schema), f'"{column}"', references=references)
    planned = add_foreign_key.plan(change)
    write_plan(planned, "golang-migrate", tmp_path)
    name = f"{child}_{column}_fkey"  # as PostgreSQL names it

    expand = files(tmp_path, "index", "up")
    run_file(db, expand)
    run_file(db, expand)  # IF NOT EXISTS: re-runnable
    assert indexes(db, child)[f"{child}_{column}_idx"] is True
    migrate = files(tmp_path, "not_valid", "up")
    run_file(db, migrate)
    run_file(db, migrate)  # guarded: re-runnable
    assert validated(db, name) is False

    # Both releases write through the same table: good rows pass, new orphans fail.
    db.execute(f"INSERT INTO {c} VALUES ({ROWS + 3}, 7)")
    db.execute(f"UPDATE {c} SET {col} = 8 WHERE id = 1")
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        db.execute(f"INSERT INTO {c} VALUES ({ROWS + 4}, 9999)")
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        db.execute(f"UPDATE {c} SET {col} = 9999 WHERE id = 2")
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        db.execute(f"DELETE FROM {p} WHERE {k} = 7")  # NO ACTION: still referenced

    # The existing orphan: VALIDATE fails as the header says, its query finds it.
    contract = files(tmp_path, "validate", "up")
    assert "foreign key violation" in contract.read_text()
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        run_file(db, contract)
    assert db.execute(header_query(migrate)).fetchall() == [(4242,)]
    db.execute(f"DELETE FROM {c} WHERE {col} = 4242")
    assert db.execute(header_query(migrate)).fetchall() == []
    run_file(db, contract)
    run_file(db, contract)  # a no-op on a valid constraint
    assert validated(db, name) is True

    run_downs(db, tmp_path)
    assert {t: schema_of(db, t) for t in (parent, child)} == before
    db.execute(f"INSERT INTO {c} VALUES ({ROWS + 5}, 9999)")  # no constraint left


def test_add_foreign_key_options(db: psycopg.Connection[Any], tmp_path: Path) -> None:
    db.execute("CREATE TABLE customers (id bigint, region int, PRIMARY KEY (id, region))")
    db.execute("CREATE TABLE orders (id bigint PRIMARY KEY, cid bigint, reg int)")
    db.execute("INSERT INTO customers VALUES (1, 1), (2, 2)")
    db.execute("INSERT INTO orders VALUES (1, 1, 1), (2, 2, 2), (3, 2, NULL)")  # NULL: unchecked
    before = schema_of(db, "orders")
    change = add_foreign_key.Change(
        Name("orders"),
        "cid, reg",
        ref_table="customers",
        ref_column="id,region",
        name="orders_customer_fk",
        on_delete="cascade",
        no_index=True,
    )
    write_plan(add_foreign_key.plan(change), "golang-migrate", tmp_path)
    for phase in ("index", "not_valid", "validate"):
        run_file(db, files(tmp_path, phase, "up"))
    assert "orders_cid_reg_idx" not in indexes(db, "orders")
    db.execute("DELETE FROM customers WHERE id = 1")
    assert db.execute("SELECT id FROM orders ORDER BY id").fetchall() == [(2,), (3,)]
    run_downs(db, tmp_path)
    assert schema_of(db, "orders") == before


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "--references customers(id), or --ref-table"),
        ({"references": "customers"}, "e.g. customers(id)"),
        ({"references": "customers(id, x)"}, "1 referencing column(s) but 2"),
        ({"references": "a.b.c(id)"}, "[schema.]table"),
        ({"references": "c(id)", "ref_table": "c"}, "not both"),
        ({"references": "c(id)", "on_delete": "explode"}, "--on-delete"),
        ({"references": 'c("id)'}, "comma-separated column names"),
    ],
)
def test_add_foreign_key_refuses_bad_options(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(PlanError, match=re.escape(message)):
        add_foreign_key.plan(add_foreign_key.Change(Name("orders"), "customer_id", **kwargs))


# add-check ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "column"), [("orders", "amount"), ("Order", "Select Amount")], ids=["plain", "mixed"]
)
def test_add_check_on_a_real_database(
    db: psycopg.Connection[Any], tmp_path: Path, table: str, column: str
) -> None:
    t, col = f'"{table}"', f'"{column}"'
    db.execute(f"CREATE TABLE {t} (id bigint PRIMARY KEY, {col} int)")
    db.execute(f"INSERT INTO {t} SELECT g, g FROM generate_series(1, {ROWS}) g")
    db.execute(f"INSERT INTO {t} VALUES ({ROWS + 1}, -5), ({ROWS + 2}, NULL)")
    before = schema_of(db, table)
    change = add_check.Change(Name(table), f"{col} > 0")
    write_plan(add_check.plan(change), "golang-migrate", tmp_path)

    expand = files(tmp_path, "not_valid", "up")
    run_file(db, expand)
    run_file(db, expand)
    db.execute(f"INSERT INTO {t} VALUES ({ROWS + 3}, 3)")
    db.execute(f"UPDATE {t} SET {col} = 4 WHERE id = 1")
    with pytest.raises(psycopg.errors.CheckViolation):
        db.execute(f"INSERT INTO {t} VALUES ({ROWS + 4}, 0)")
    with pytest.raises(psycopg.errors.CheckViolation):
        db.execute(f"UPDATE {t} SET {col} = -1 WHERE id = 2")

    migrate = files(tmp_path, "validate", "up")
    assert "check violation" in migrate.read_text()
    with pytest.raises(psycopg.errors.CheckViolation):
        run_file(db, migrate)
    assert db.execute(header_query(expand)).fetchall() == [(ROWS + 1, -5)]  # not the NULL
    db.execute(f"UPDATE {t} SET {col} = 5 WHERE id = {ROWS + 1}")
    run_file(db, migrate)
    run_file(db, migrate)
    run_file(db, files(tmp_path, "contract", "up"))

    run_downs(db, tmp_path)
    assert schema_of(db, table) == before
    db.execute(f"INSERT INTO {t} VALUES ({ROWS + 5}, -1)")


def test_add_check_refuses_bad_conditions() -> None:
    for check in ("", "amount > 0; DROP TABLE orders", "true", "x > (SELECT 1)"):
        with pytest.raises(PlanError):
            add_check.plan(add_check.Change(Name("orders"), check))


# add-unique --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "columns"),
    [("accounts", ["email"]), ("User", ["Tenant", "user name"])],
    ids=["plain", "mixed-two-columns"],
)
def test_add_unique_on_a_real_database(
    db: psycopg.Connection[Any], tmp_path: Path, table: str, columns: list[str]
) -> None:
    t = f'"{table}"'
    cols = [f'"{x}"' for x in columns]
    values = ", ".join(f"'v' || g || '{i}'" for i in range(len(columns)))
    db.execute(f"CREATE TABLE {t} (id bigint PRIMARY KEY, {', '.join(f'{c} text' for c in cols)})")
    db.execute(f"INSERT INTO {t} SELECT g, {values} FROM generate_series(1, {ROWS}) g")
    nulls = ", ".join("NULL" for _ in cols)
    db.execute(f"INSERT INTO {t} VALUES (-1, {nulls}), (-2, {nulls})")  # NULLs never conflict
    duplicate = ", ".join(f"'v1{i}'" for i in range(len(cols)))
    db.execute(f"INSERT INTO {t} VALUES (0, {duplicate})")
    before = schema_of(db, table)
    change = add_unique.Change(Name(table), ",".join(f'"{c}"' for c in columns))
    write_plan(add_unique.plan(change), "golang-migrate", tmp_path)
    name = sql.generated_name(table, *columns, "key")

    expand = files(tmp_path, "index", "up")
    migrate = files(tmp_path, "attach", "up")
    assert "could not create unique index" in expand.read_text()
    with pytest.raises(psycopg.errors.UniqueViolation, match="could not create unique index"):
        run_file(db, expand)
    assert indexes(db, table)[name] is False  # the INVALID leftover the header describes
    run_file(db, expand)  # IF NOT EXISTS skips it, as the header warns
    with pytest.raises(psycopg.errors.RaiseException, match="is INVALID"):
        run_file(db, migrate)
    assert db.execute(header_query(expand)).fetchall() == [
        (*[f"v1{i}" for i in range(len(cols))], 2)
    ]
    drop = re.search(r"If that says false: (.*)", expand.read_text())
    assert drop is not None
    db.execute(drop[1])
    db.execute(f"DELETE FROM {t} WHERE id = 0")
    run_file(db, expand)
    run_file(db, expand)
    assert indexes(db, table)[name] is True
    with pytest.raises(psycopg.errors.UniqueViolation):
        db.execute(f"INSERT INTO {t} VALUES (0, {duplicate})")
    db.execute(f"UPDATE {t} SET {cols[0]} = 'changed' WHERE id = 2")

    run_file(db, migrate)
    run_file(db, migrate)
    assert db.execute(
        "SELECT contype FROM pg_constraint WHERE conname = %s", (name,)
    ).fetchone() == ("u",)
    run_file(db, files(tmp_path, "contract", "up"))

    # Rolling back the migrate phase drops the index too; going forward asks for expand.
    run_file(db, files(tmp_path, "contract", "down"))
    run_file(db, files(tmp_path, "attach", "down"))
    with pytest.raises(psycopg.errors.RaiseException, match="is missing: run the expand"):
        run_file(db, migrate)
    run_file(db, expand)
    run_file(db, migrate)

    run_downs(db, tmp_path)
    assert schema_of(db, table) == before
    db.execute(f"INSERT INTO {t} VALUES (0, {duplicate})")


# add-primary-key ---------------------------------------------------------------------


@pytest.mark.parametrize("table", ["events", "Group"])
def test_add_primary_key_on_a_real_database(
    db: psycopg.Connection[Any], tmp_path: Path, table: str
) -> None:
    t = f'"{table}"'
    db.execute(f'CREATE TABLE {t} ("Id" bigint, payload text)')
    db.execute(f"INSERT INTO {t} SELECT g, 'p' || g FROM generate_series(1, {ROWS}) g")
    db.execute(f"INSERT INTO {t} VALUES (NULL, 'no id')")
    before = schema_of(db, table)
    write_plan(
        add_primary_key.plan(add_primary_key.Change(Name(table), "Id")), "golang-migrate", tmp_path
    )
    expand = files(tmp_path, "index", "up")
    migrate = files(tmp_path, "attach", "up")

    run_file(db, expand)  # NULLs do not stop the unique index
    run_file(db, expand)
    assert "NOT NULL already: it refuses" in migrate.read_text()
    with pytest.raises(psycopg.errors.RaiseException, match=r'column\(s\) "Id" of .* are nullable'):
        run_file(db, migrate)
    db.execute(f'DELETE FROM {t} WHERE "Id" IS NULL')
    db.execute(f'ALTER TABLE {t} ALTER COLUMN "Id" SET NOT NULL')  # what set-not-null ends with
    run_file(db, migrate)
    run_file(db, migrate)
    assert db.execute(
        "SELECT contype FROM pg_constraint WHERE conname = %s", (f"{table}_pkey",)
    ).fetchone() == ("p",)
    with pytest.raises(psycopg.errors.UniqueViolation):
        db.execute(f"INSERT INTO {t} VALUES (1, 'again')")
    db.execute(f"INSERT INTO {t} VALUES ({ROWS + 1}, 'new')")
    run_file(db, files(tmp_path, "contract", "up"))

    run_downs(db, tmp_path)
    # The downs keep the NOT NULL, which the plan did not set.
    not_null = [(*c[:2], c[0] == "Id" or c[2], *c[3:]) for c in before["columns"]]
    assert schema_of(db, table) == {**before, "columns": not_null}


def test_add_primary_key_refuses_a_second_one(db: psycopg.Connection[Any], tmp_path: Path) -> None:
    db.execute("CREATE TABLE events (id bigint PRIMARY KEY, other bigint NOT NULL)")
    db.execute("INSERT INTO events SELECT g, g FROM generate_series(1, 10) g")
    change = add_primary_key.Change(Name("events"), "other", name="events_other_pkey")
    write_plan(add_primary_key.plan(change), "golang-migrate", tmp_path)
    run_file(db, files(tmp_path, "index", "up"))
    with pytest.raises(psycopg.errors.RaiseException, match="already has a primary key"):
        run_file(db, files(tmp_path, "attach", "up"))


def test_duplicates_make_the_primary_key_index_fail(
    db: psycopg.Connection[Any], tmp_path: Path
) -> None:
    db.execute("CREATE SCHEMA app")
    db.execute("CREATE TABLE app.events (id bigint NOT NULL)")
    db.execute("INSERT INTO app.events VALUES (1), (1), (2)")
    write_plan(
        add_primary_key.plan(add_primary_key.Change(Name("events", "app"), "id")),
        "golang-migrate",
        tmp_path,
    )
    expand = files(tmp_path, "index", "up")
    with pytest.raises(psycopg.errors.UniqueViolation):
        run_file(db, expand)
    assert db.execute(header_query(expand)).fetchall() == [(1, 2)]
    assert "to_regclass('app.events_pkey')" in expand.read_text()
    db.execute(re.search(r"If that says false: (.*)", expand.read_text())[1])  # type: ignore[index]
    db.execute(
        "DELETE FROM app.events WHERE ctid = (SELECT max(ctid) FROM app.events WHERE id = 1)"
    )
    run_file(db, expand)
    run_file(db, files(tmp_path, "attach", "up"))
    assert db.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = 'app.events'::regclass"
    ).fetchall() == [("events_pkey",)]
    run_downs(db, tmp_path)
    assert db.execute("SELECT count(*) FROM pg_indexes WHERE schemaname = 'app'").fetchone() == (0,)


# lint --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["golang-migrate", "flyway", "dbmate", "sql"])
def test_constraint_plans_lint_clean(tmp_path: Path, fmt: str) -> None:
    init = (
        "CREATE TABLE customers (id bigint PRIMARY KEY);\n"
        "CREATE TABLE orders (id bigint NOT NULL, customer_id bigint, amount int, code text);"
    )
    names = {
        "golang-migrate": ("1_init.up.sql", "1_init.down.sql"),
        "flyway": ("V1__init.sql", None),
        "dbmate": ("1_init.sql", None),
        "sql": ("0001_init.sql", None),
    }[fmt]
    up = f"-- migrate:up\n{init}\n" if fmt == "dbmate" else init
    (tmp_path / names[0]).write_text(up)
    if names[1]:
        (tmp_path / names[1]).write_text("DROP TABLE IF EXISTS orders, customers;")
    plans = [
        add_foreign_key.plan(
            add_foreign_key.Change(Name("orders"), "customer_id", references="customers(id)")
        ),
        add_check.plan(add_check.Change(Name("orders"), "amount > 0")),
        add_unique.plan(add_unique.Change(Name("orders"), "code")),
        add_primary_key.plan(add_primary_key.Change(Name("orders"), "id")),
    ]
    for planned in plans:
        write_plan(planned, fmt, tmp_path)
    result = lint_paths([tmp_path], Settings(pg_version=(12, 0)))
    planned_findings = [f for f in result.findings if "init" not in Path(f.path).name]
    assert [
        (Path(f.path).name, f.rule, f.message) for f in planned_findings if f.severity >= 2
    ] == []


def test_default_names_are_the_names_postgresql_gives(db: psycopg.Connection[Any]) -> None:
    """A later `DROP CONSTRAINT <PostgreSQL's name>` must find what a plan created."""
    table, column = "t" * 40, "ç" * 30  # 60 bytes: shortened byte-wise, never mid-character
    db.execute(f'CREATE TABLE "{table}" ("{column}" int UNIQUE, other int, CHECK ("{column}" > 0))')
    db.execute(f'CREATE INDEX ON "{table}" ("{column}", other)')
    found = db.execute(
        "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = %s::regclass "
        "UNION ALL SELECT conname FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'c'",
        (f'"{table}"', f'"{table}"'),
    ).fetchall()
    expected = [
        steps.default_name(Name(table), [column], "check"),
        steps.default_name(Name(table), [column, "other"], "idx"),
        steps.default_name(Name(table), [column], "key"),
    ]
    assert sorted(r[0].strip('"') for r in found) == sorted(expected)


def test_add_check_default_name_follows_postgresql() -> None:
    """`t_a_check` for a condition on one column, `t_check` for several."""
    one = add_check.plan(add_check.Change(Name("t"), "a > 0"))
    several = add_check.plan(add_check.Change(Name("t"), "a > b"))
    assert "ADD CONSTRAINT t_a_check CHECK" in one.phases[0].up
    assert "ADD CONSTRAINT t_check CHECK" in several.phases[0].up
