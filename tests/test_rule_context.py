"""Rules judge in context: what the migration created, the PG version, the session."""

from __future__ import annotations

from pathlib import Path

from helpers import lint_tree, rules_of

from migralint.config import Settings
from migralint.engine import lint_text


def rules_in(sql: str, **settings: object) -> list[str]:
    settings.setdefault("ignore", ("idempotency",))
    return [f.rule for f in lint_text(sql, Settings(**settings))]  # type: ignore[arg-type]


def test_lock_rules_are_quiet_on_a_table_created_in_the_same_migration() -> None:
    sql = """
    CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, amount int);
    CREATE INDEX idx_orders_customer ON orders (customer_id);
    ALTER TABLE orders ADD CONSTRAINT amount_positive CHECK (amount > 0);
    ALTER TABLE orders ALTER COLUMN amount SET NOT NULL;
    ALTER TABLE orders ALTER COLUMN amount TYPE bigint;
    ALTER TABLE orders RENAME COLUMN amount TO total;
    DROP INDEX idx_orders_customer;
    """
    assert rules_in(sql, assume_in_transaction=True) == []


def test_lock_rules_fire_on_an_existing_table() -> None:
    sql = """
    SET lock_timeout = '2s';
    CREATE INDEX idx_orders_customer ON orders (customer_id);
    ALTER TABLE orders ADD CONSTRAINT amount_positive CHECK (amount > 0);
    ALTER TABLE orders ALTER COLUMN amount SET NOT NULL;
    """
    assert rules_in(sql, assume_in_transaction=True) == [
        "require-concurrent-index-creation",
        "constraint-missing-not-valid",  # and the SET NOT NULL's scan under its lock
    ]
    [*_, check] = lint_text(sql, Settings(assume_in_transaction=True, ignore=("idempotency",)))
    assert "then line 5 scans orders under this statement's lock" in check.message
    assert rules_in(sql, assume_in_transaction=False)[-1] == "setting-not-null"  # on its own


def test_set_not_null_after_a_validated_check_is_safe_from_pg12() -> None:
    sql = """
    SET lock_timeout = '2s';
    ALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID;
    ALTER TABLE users VALIDATE CONSTRAINT email_nn;
    ALTER TABLE users ALTER COLUMN email SET NOT NULL;
    """
    assert rules_in(sql, pg_version=(12, 0)) == []
    assert rules_in(sql, pg_version=(11, 0)) == ["setting-not-null"]
    unvalidated = sql.replace("ALTER TABLE users VALIDATE CONSTRAINT email_nn;", "")
    assert rules_in(unvalidated) == ["setting-not-null"]


def test_defaults_rewrite_only_when_volatile_or_before_pg11() -> None:
    constant = "SET lock_timeout = '1s'; ALTER TABLE t ADD COLUMN c timestamptz DEFAULT now();"
    assert rules_in(constant) == []
    assert rules_in(constant, pg_version=(10, 0)) == ["adding-field-with-default"]
    volatile = "SET lock_timeout = '1s'; ALTER TABLE t ADD COLUMN c uuid DEFAULT gen_random_uuid();"
    assert rules_in(volatile) == ["adding-field-with-default"]
    assert rules_in("SET lock_timeout = '1s'; ALTER TABLE t ADD COLUMN n bigserial;") == [
        "adding-field-with-default"
    ]


def test_type_changes_use_the_type_an_earlier_migration_created(tmp_path: Path) -> None:
    files = {
        "V1__create.sql": "CREATE TABLE t (name varchar(10), at timestamp, n int);",
        "V2__widen.sql": "SET lock_timeout = '1s';\nALTER TABLE t ALTER COLUMN name TYPE varchar(20);",
        "V3__text.sql": "SET lock_timeout = '1s';\nALTER TABLE t ALTER COLUMN name TYPE text;",
        "V4__narrow.sql": "SET lock_timeout = '1s';\nALTER TABLE t ALTER COLUMN name TYPE varchar(5);",
        "V5__int.sql": "SET lock_timeout = '1s';\nALTER TABLE t ALTER COLUMN n TYPE bigint;",
        "V6__tz.sql": "SET lock_timeout = '1s';\nSET timezone = 'UTC';\n"
        "ALTER TABLE t ALTER COLUMN at TYPE timestamptz;",
    }
    result = lint_tree(tmp_path, files, select=("compatibility",))
    found = [(Path(f.path).name, f.rule) for f in result.findings]
    assert found == [
        ("V4__narrow.sql", "narrowing-column-type"),  # one finding per concern
        ("V5__int.sql", "changing-column-type"),
    ]
    assert "varchar(5)" in result.findings[0].message.lower()


def test_a_type_change_of_a_column_this_file_added_makes_no_n_1_claim(tmp_path: Path) -> None:
    files = {
        "V1__create.sql": "CREATE TABLE t (id int PRIMARY KEY, n int);",
        "V2__change.sql": "ALTER TABLE t ADD COLUMN tmp int;\n"
        "ALTER TABLE t ALTER COLUMN tmp TYPE text;\nALTER TABLE t ALTER COLUMN n TYPE text;",
    }
    result = lint_tree(tmp_path, files, select=("changing-column-type",))
    messages = {f.line: f.message for f in result.findings}
    assert set(messages) == {2, 3}  # both rewrite the table
    assert "release N-1" not in messages[2]  # release N-1 never knew t.tmp
    assert "may break release N-1" in messages[3]


def test_a_replacement_renamed_into_place_is_called_a_change_in_place(tmp_path: Path) -> None:
    files = {
        "V1__create.sql": "CREATE TABLE t (id uuid PRIMARY KEY);",
        "V2__swap.sql": "ALTER TABLE t ADD COLUMN id_text text;\nUPDATE t SET id_text = id::text;\n"
        "ALTER TABLE t DROP COLUMN id;\nALTER TABLE t RENAME COLUMN id_text TO id;",
    }
    result = lint_tree(tmp_path, files, select=("expand-contract-coupled",))
    [finding] = result.findings
    assert finding.line == 3
    assert "a change of the column in place" in finding.message
    assert "now of type text" in finding.message
    assert "rolling the code back is no longer possible" not in finding.message  # N-1 finds id


def test_require_lock_timeout_is_reported_once_per_file_and_names_the_lock() -> None:
    sql = "ALTER TABLE a ADD COLUMN x int;\nALTER TABLE b ADD COLUMN y int;"
    findings = lint_text(sql, Settings(select=("require-lock-timeout",)))
    assert len(findings) == 1
    assert "ACCESS EXCLUSIVE" in findings[0].message
    assert rules_in("SET LOCAL lock_timeout = '2s';\nALTER TABLE a ADD COLUMN x int;") == [
        "require-lock-timeout"
    ]  # SET LOCAL outside a transaction does nothing
    assert rules_in("CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON a (x);") == []


def test_transaction_mode_comes_from_the_migration_tool(tmp_path: Path) -> None:
    cic = "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON users (email);"
    result = lint_tree(
        tmp_path,
        {
            "flyway/V1__idx.sql": cic,
            "golang/1_idx.up.sql": cic,
            "golang/2_idx.up.sql": "SET lock_timeout = '1s';\n" + cic,
            "popx/20210101000000000000_idx.autocommit.up.sql": cic,
            "popx/20210101000000000001_idx.postgres.up.sql": cic,
        },
    )
    flagged = sorted(
        Path(f.path).relative_to(tmp_path).as_posix()
        for f in result.findings
        if f.rule == "concurrent-index-in-transaction"
    )
    assert flagged == [
        "flyway/V1__idx.sql",
        "golang/2_idx.up.sql",
        "popx/20210101000000000001_idx.postgres.up.sql",
    ]


def test_idempotency_matters_only_without_a_transaction_or_in_expand(tmp_path: Path) -> None:
    ddl = (
        "CREATE TABLE IF NOT EXISTS t (id int);\nALTER TABLE t ADD COLUMN c int;\n"
        "CREATE INDEX IF NOT EXISTS t_c ON t (c);\n"
    )
    result = lint_tree(
        tmp_path,
        {
            "flyway/V1__t.sql": ddl,
            "flyway/V2__expand.sql": "-- migralint: phase=expand\n" + ddl,
            "plain/001_t.sql": ddl,
            "plain/002_one_statement.sql": "CREATE TABLE t2 (id int);",
        },
    )
    flagged = sorted(
        Path(f.path).relative_to(tmp_path).as_posix()
        for f in result.findings
        if f.rule == "add-column-without-if-not-exists"
    )
    assert flagged == ["flyway/V2__expand.sql", "plain/001_t.sql"]


def test_destructive_rules_accept_down_migrations_and_contract_phase(tmp_path: Path) -> None:
    drop = "DROP TABLE legacy;"
    result = lint_tree(
        tmp_path,
        {
            "1_legacy.up.sql": "SELECT 1;",
            "1_legacy.down.sql": drop,
            "2_contract.up.sql": "-- migralint: phase=contract\n" + drop,
            "3_drop.up.sql": drop,
        },
        select=("destructive",),
    )
    assert [(Path(f.path).name, f.rule) for f in result.findings] == [
        ("3_drop.up.sql", "drop-table")
    ]


def test_rename_table_keeping_a_view_under_the_old_name_is_safe() -> None:
    sql = """
    BEGIN;
    ALTER TABLE customers RENAME TO clients;
    CREATE VIEW customers AS SELECT * FROM clients;
    COMMIT;
    """
    assert rules_in(sql, select=("rename-table",)) == []
    assert rules_in("ALTER TABLE customers RENAME TO clients;", select=("rename-table",)) == [
        "rename-table"
    ]


def test_fresh_install_dumps_get_no_operational_findings(tmp_path: Path) -> None:
    dump = (
        "--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n"
        "CREATE TABLE public.a (id integer NOT NULL);\n"
        "ALTER TABLE ONLY public.a ADD CONSTRAINT a_pkey PRIMARY KEY (id);\n"
        "CREATE INDEX a_idx ON public.b USING btree (id);\n"
        "ALTER TABLE ONLY public.b ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES public.c(id);\n"
        "ALTER TABLE public.b ALTER COLUMN x SET NOT NULL;\n"
    )
    result = lint_tree(tmp_path, {"schema/dump.sql": dump, "V1__base_schema.sql": "SELECT 1;"})
    assert rules_of(result) == []


def test_configuration_overrides_how_the_tool_runs_a_file(tmp_path: Path) -> None:
    cic = "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON users (email);"
    files = {"V1__idx.sql": cic, "V2__idx.sql": cic}
    result = lint_tree(
        tmp_path,
        files,
        transaction={"V2__*.sql": "none"},
        select=("concurrent-index-in-transaction",),
    )
    assert [Path(f.path).name for f in result.findings] == ["V1__idx.sql"]


def test_unique_index_before_dedupe_only_for_the_indexed_data() -> None:
    index = "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS k ON users (email);\n"
    select = ("unique-before-dedupe",)
    assert rules_in(index + "UPDATE users SET email = lower(email);", select=select) == [
        "unique-before-dedupe"
    ]
    assert rules_in(index + "UPDATE users SET name = 'x';", select=select) == []
    assert rules_in(index + "DELETE FROM orders WHERE id < 10;", select=select) == []
    assert rules_in("UPDATE users SET email = lower(email);\n" + index, select=select) == []
