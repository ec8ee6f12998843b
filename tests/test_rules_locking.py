"""Locking rules judge in context: PG version, transactions, new tables, earlier files."""

from __future__ import annotations

from pathlib import Path

from helpers import lint_tree, rules_of

from migralint.config import Settings, parse_pg_version
from migralint.engine import lint_text


def run(sql: str, rule: str, **settings: object) -> list[str]:
    found = lint_text(sql, Settings(select=(rule,), **settings))  # type: ignore[arg-type]
    return [f.message for f in found if f.rule == rule]


def test_lock_timeout_is_one_finding_naming_the_mode_and_both_settings() -> None:
    sql = "ALTER TABLE users ADD COLUMN a text;\nALTER TABLE users ADD COLUMN b text;\n"
    found = lint_text(sql, Settings(select=("require-lock-timeout",)))
    assert len(found) == 1
    assert "ACCESS EXCLUSIVE" in found[0].message
    assert "statement_timeout" in found[0].help
    quiet = "SET lock_timeout = '2s';\n" + sql
    assert run(quiet, "require-lock-timeout") == []
    # a statement_timeout must not be advised blindly for CONCURRENTLY statements
    cic = sql + "CREATE INDEX CONCURRENTLY i ON users (a);\n"
    help = lint_text(cic, Settings(select=("require-lock-timeout",)))[0].help
    assert "INVALID index" in help
    ignored = "-- squawk-ignore require-timeout-settings\nALTER TABLE users ADD COLUMN a text;"
    assert run(ignored, "require-lock-timeout") == []


def test_require_statement_timeout_names_only_the_opt_in_rule() -> None:
    """The opt-in rule's id is no alias of require-lock-timeout: selecting it, or
    suppressing it, reaches that rule alone."""
    sql = "SET lock_timeout = '2s';\nALTER TABLE users ALTER COLUMN a TYPE bigint;\n"
    selected = lint_text(sql, Settings(select=("require-statement-timeout",)))
    assert {f.rule for f in selected} == {"require-statement-timeout"}
    bare = "ALTER TABLE users ALTER COLUMN a TYPE bigint;\n"
    assert [f.rule for f in lint_text(bare, Settings(select=("require-statement-timeout",)))] == []
    ignored = "-- squawk-ignore require-statement-timeout\n" + bare
    assert len(run(ignored, "require-lock-timeout")) == 1


def test_reindex_advice_depends_on_the_version() -> None:
    assert run("REINDEX INDEX CONCURRENTLY i;", "require-concurrent-reindex") == []
    old = lint_text(
        "REINDEX TABLE t;", Settings(select=("require-concurrent-reindex",), pg_version=(11, 0))
    )
    assert "no REINDEX CONCURRENTLY" in old[0].help
    assert run("REINDEX SYSTEM db;", "require-concurrent-reindex") == []


def test_partition_detach_only_from_pg14() -> None:
    sql = "ALTER TABLE events DETACH PARTITION events_2019;"
    assert run(sql, "require-concurrent-partition-detach", pg_version=(13, 0)) == []
    assert len(run(sql, "require-concurrent-partition-detach", pg_version=(14, 0))) == 1


def test_validate_is_fine_in_a_later_transaction() -> None:
    sql = (
        "BEGIN;\nALTER TABLE o ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\nCOMMIT;\n"
        "BEGIN;\nALTER TABLE o VALIDATE CONSTRAINT c;\nCOMMIT;\n"
    )
    assert run(sql, "validate-in-same-transaction") == []
    plain = "ALTER TABLE o ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\nALTER TABLE o VALIDATE CONSTRAINT c;"
    assert run(plain, "validate-in-same-transaction") == []  # no transaction: the add committed
    assert len(run(plain, "validate-in-same-transaction", assume_in_transaction=True)) == 1


def test_generated_column_mentions_virtual_on_pg18() -> None:
    sql = "ALTER TABLE o ADD COLUMN c int GENERATED ALWAYS AS (a * 2) STORED;"
    assert (
        "VIRTUAL"
        in lint_text(sql, Settings(select=("adding-generated-column",), pg_version=(18, 0)))[0].help
    )
    assert "VIRTUAL" not in lint_text(sql, Settings(select=("adding-generated-column",)))[0].help
    new = "CREATE TABLE o (a int);\n" + sql
    assert run(new, "adding-generated-column") == []


def test_unique_and_primary_key_using_index_are_safe() -> None:
    assert (
        run("ALTER TABLE u ADD CONSTRAINT k UNIQUE USING INDEX k;", "adding-unique-constraint")
        == []
    )
    assert run("ALTER TABLE u ADD COLUMN e text UNIQUE;", "adding-unique-constraint") != []
    help = lint_text(
        "ALTER TABLE u ADD UNIQUE (e);", Settings(select=("adding-unique-constraint",))
    )[0].help
    assert "NOT VALID" not in help and "USING INDEX" in help
    assert (
        run("ALTER TABLE u ADD CONSTRAINT p PRIMARY KEY USING INDEX p;", "adding-primary-key") == []
    )


def test_primary_key_on_a_nullable_column_mentions_the_scan(tmp_path: Path) -> None:
    files = {
        "V1__t.sql": "CREATE TABLE t (id bigint, code text NOT NULL);",
        "V2__pk.sql": "SET lock_timeout = '1s';\nALTER TABLE t ADD PRIMARY KEY (id);",
        "V3__pk.sql": "SET lock_timeout = '1s';\nALTER TABLE t ADD CONSTRAINT t_code UNIQUE (code);",
    }
    result = lint_tree(tmp_path, files, select=("adding-primary-key",))
    assert len(result.findings) == 1 and "scanning for NULLs in id" in result.findings[0].message


def test_maintenance_rules_stay_quiet_on_new_objects() -> None:
    sql = (
        "CREATE TABLE t (id int);\nVACUUM FULL t;\nCLUSTER t USING i;\n"
        "CREATE MATERIALIZED VIEW mv AS SELECT 1;\nREFRESH MATERIALIZED VIEW mv;\n"
    )
    for rule in ("vacuum-full", "cluster-table", "refresh-materialized-view"):
        assert run(sql, rule) == []
    assert run("VACUUM t;", "vacuum-full") == []
    assert run("REFRESH MATERIALIZED VIEW CONCURRENTLY mv;", "refresh-materialized-view") == []


def test_lock_table_only_flags_write_blocking_modes() -> None:
    assert run("BEGIN; LOCK TABLE t IN ROW EXCLUSIVE MODE; COMMIT;", "lock-table") == []
    assert run("BEGIN; LOCK TABLE t IN SHARE MODE; COMMIT;", "lock-table") != []
    assert run("CREATE TABLE t (a int); LOCK t;", "lock-table", assume_in_transaction=True) == []


def test_statements_after_access_exclusive_once_per_transaction() -> None:
    sql = (
        "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\n"
        "CREATE INDEX i1 ON customers (email);\nCREATE INDEX i2 ON customers (name);\nCOMMIT;\n"
    )
    found = run(sql, "statements-after-access-exclusive")
    assert len(found) == 1 and "orders" in found[0] and "line 2" in found[0]
    # DDL on the held table itself is its own rule's business; a committed lock is gone
    same = "BEGIN;\nALTER TABLE orders ADD COLUMN n int;\nCREATE INDEX i ON orders (n);\nCOMMIT;"
    assert run(same, "statements-after-access-exclusive") == []
    split = (
        "BEGIN;\nALTER TABLE orders ADD COLUMN n int;\nCOMMIT;\nCREATE INDEX i ON customers (e);"
    )
    assert run(split, "statements-after-access-exclusive") == []
    # a lock_timeout bounds the wait for another table's lock
    bounded = "SET lock_timeout = '1s';\n" + sql.replace(
        "CREATE INDEX i1 ON customers (email);\nCREATE INDEX i2",
        "ALTER TABLE customers ADD c int; --",
    )
    assert run(bounded, "statements-after-access-exclusive") == []
    # the lock on a table this migration created blocks no one
    new = "BEGIN;\nCREATE TABLE n (a int);\nALTER TABLE n ADD b int;\nCREATE INDEX i ON c (e);\nCOMMIT;"
    assert run(new, "statements-after-access-exclusive") == []


def test_index_advice_fits_a_transaction_that_holds_the_table() -> None:
    """An earlier statement's ACCESS EXCLUSIVE lock lasts until commit: a build blocks
    reads too, and only committing first helps (a plain DROP INDEX then costs nothing:
    fixtures/overlaps/held_lock_drop_index)."""
    held = "BEGIN;\nALTER TABLE orders ADD COLUMN n int;\n"
    [build] = lint_text(
        held + "CREATE INDEX i ON orders (n);\nCOMMIT;",
        Settings(select=("require-concurrent-index-creation",)),
    )
    assert "blocks reads and writes of orders" in build.message and "(line 2)" in build.message
    assert build.help.startswith("Commit right after line 2")
    [alone] = run("CREATE INDEX i ON orders (n);", "require-concurrent-index-creation")
    assert "blocks all writes" in alone


def test_multiple_alter_table_is_opt_in_and_outside_transactions_only() -> None:
    sql = "ALTER TABLE u ADD COLUMN a text;\nALTER TABLE u ADD COLUMN b text;\n"
    assert rules_of_text(sql) == []
    assert len(run(sql, "multiple-alter-table")) == 1
    assert run(sql, "multiple-alter-table", assume_in_transaction=True) == []
    one = "ALTER TABLE u ADD COLUMN a text, ADD COLUMN b text;\nALTER TABLE v ADD COLUMN c text;"
    assert run(one, "multiple-alter-table") == []


def rules_of_text(sql: str) -> list[str]:
    return [f.rule for f in lint_text(sql) if f.rule == "multiple-alter-table"]


def test_foreign_key_index_from_earlier_migrations_or_later_in_the_file(tmp_path: Path) -> None:
    fk = "ALTER TABLE o ADD CONSTRAINT fk FOREIGN KEY (c_id) REFERENCES c (id) NOT VALID;"
    assert len(run(fk, "foreign-key-without-index")) == 1
    assert (
        run(fk + "\nCREATE INDEX CONCURRENTLY i ON o (c_id, at);", "foreign-key-without-index")
        == []
    )
    files = {
        "001_a.sql": "CREATE TABLE o (id int, c_id int);\nCREATE INDEX o_c ON o (c_id);",
        "002_b.sql": fk,
        "003_c.sql": "ALTER TABLE o ADD COLUMN d_id int REFERENCES d (id);",
    }
    result = lint_tree(tmp_path, files, select=("foreign-key-without-index",))
    assert [Path(f.path).name for f in result.findings] == ["003_c.sql"]


def test_cic_bug_rule_fires_on_14_0_to_14_3_only() -> None:
    sql = "CREATE INDEX CONCURRENTLY i ON t (a);"

    def found(version: str) -> list[str]:
        s = Settings(select=("cic-on-pg14-bug",), pg_version=parse_pg_version(version))
        return [f.rule for f in lint_text(sql, s)]

    assert found("14.2") == ["cic-on-pg14-bug"]
    assert found("14.4") == [] and found("15") == []
    assert found("14") == []  # a bare major version means its latest minor release


def test_enum_add_value_by_version_and_use() -> None:
    add = "BEGIN;\nALTER TYPE s ADD VALUE 'x';\n"
    assert len(run(add + "COMMIT;", "enum-add-value-in-transaction", pg_version=(11, 0))) == 1
    assert run(add + "COMMIT;", "enum-add-value-in-transaction") == []
    used = add + "UPDATE t SET s = 'x';\nCOMMIT;"
    found = lint_text(used, Settings(select=("enum-add-value-in-transaction",)))
    assert len(found) == 1 and found[0].line == 3
    after_commit = add + "COMMIT;\nUPDATE t SET s = 'x';"
    assert run(after_commit, "enum-add-value-in-transaction") == []
    created = "BEGIN;\nCREATE TYPE s AS ENUM ('a');\nALTER TYPE s ADD VALUE 'x';\nCOMMIT;"
    assert run(created, "enum-add-value-in-transaction", pg_version=(11, 0)) == []
    assert (
        run("ALTER TYPE s ADD VALUE 'x';", "enum-add-value-in-transaction", pg_version=(11, 0))
        == []
    )


def test_unbatched_backfill_recognises_batches() -> None:
    rule = "unbatched-backfill"
    assert len(run("UPDATE u SET a = 1;", rule)) == 1
    assert len(run("UPDATE u SET a = 1 WHERE a IS NULL;", rule)) == 1
    assert len(run("UPDATE u SET a = 1 WHERE status = 'new';", rule)) == 1
    assert len(run("UPDATE u SET a = v.a FROM v WHERE v.id = u.v_id;", rule)) == 1
    assert run("UPDATE u SET a = 1 WHERE id BETWEEN 1 AND 1000;", rule) == []
    assert run("UPDATE u SET a = 1 WHERE id = 5;", rule) == []
    assert run("UPDATE u SET a = 1 WHERE email = 'x@y';", rule) == []
    assert run("UPDATE u SET a = 1 WHERE id IN (1, 2);", rule) == []
    assert run("UPDATE u SET a = 1 WHERE id IN (SELECT id FROM u LIMIT 100);", rule) == []
    assert run("UPDATE u SET a = 1 WHERE id > 100 AND id <= 200;", rule) == []
    assert run("CREATE TABLE u (a int);\nUPDATE u SET a = 1;", rule) == []


def test_backfill_with_ddl_owns_the_update_after_ddl() -> None:
    sql = (
        "ALTER TABLE u ADD COLUMN a int;\nUPDATE u SET a = 1;\nUPDATE u SET a = 2 WHERE a IS NULL;"
    )
    s = Settings(select=("backfill-with-ddl", "unbatched-backfill"), assume_in_transaction=True)
    assert [f.rule for f in lint_text(sql, s)] == ["backfill-with-ddl"]  # once, and not twice
    s = Settings(select=("backfill-with-ddl", "unbatched-backfill"))
    assert [f.rule for f in lint_text(sql, s)] == ["unbatched-backfill", "unbatched-backfill"]
    other = "BEGIN;\nALTER TABLE u ADD COLUMN a int;\nUPDATE v SET b = 1 WHERE id = 3;\nCOMMIT;"
    assert len(run(other, "backfill-with-ddl")) == 1  # u stays locked during v's update
    dropped = "BEGIN;\nDROP TABLE u;\nUPDATE v SET b = 1 WHERE id = 3;\nCOMMIT;"
    assert run(dropped, "backfill-with-ddl") == []


def test_lock_rules_skip_a_flyway_file_that_creates_the_table(tmp_path: Path) -> None:
    files = {
        "V1__t.sql": "CREATE TABLE t (id int, p_id int);\nALTER TABLE t ADD UNIQUE (id);\n"
        "ALTER TABLE t ADD FOREIGN KEY (p_id) REFERENCES t (id);\nUPDATE t SET p_id = 1;\n"
    }
    result = lint_tree(tmp_path, files, select=("locking",))
    assert rules_of(result) == []


def test_unbatched_backfill_batches_on_the_tables_own_key(tmp_path: Path) -> None:
    files = {
        "V1__t.sql": "CREATE TABLE prefs (pref_name text PRIMARY KEY, v text);",
        "V2__u.sql": "UPDATE prefs SET v = 'x';",
        "V3__u.sql": "UPDATE app_version SET schema_version = 2;",
    }
    known, unknown = lint_tree(tmp_path, files, select=("unbatched-backfill",)).findings
    assert "WHERE pref_name IN (SELECT pref_name FROM prefs" in known.help
    assert "WHERE <key> IN (SELECT <key> FROM app_version" in unknown.help
