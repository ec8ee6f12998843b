"""Idempotency, transaction and phase rules, judged in context."""

from __future__ import annotations

from pathlib import Path

from helpers import lint_tree

from migralint.config import Settings
from migralint.engine import lint_text

IDEMPOTENCY = (
    "create-without-if-not-exists",
    "add-column-without-if-not-exists",
    "drop-without-if-exists",
    "create-without-or-replace",
    "create-type-without-guard",
    "create-trigger-without-drop",
    "unguarded-backfill",
    "insert-without-on-conflict",
)


def lines_of(sql: str, *rules: str, **settings: object) -> list[tuple[int, str]]:
    found = lint_text(sql, Settings(select=rules, **settings))  # type: ignore[arg-type]
    return [(f.line, f.rule) for f in found]


def flagged(result, rule: str, root: Path) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(
        {Path(f.path).relative_to(root).as_posix() for f in result.findings if f.rule == rule}
    )


# Idempotency: when re-running matters


def test_every_statement_of_a_bare_file_needs_a_guard(
    tmp_path: Path, every_rerun_statement: None
) -> None:
    sql = "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n"
    assert lines_of(sql, *IDEMPOTENCY) == [
        (1, "create-without-if-not-exists"),
        (2, "create-without-if-not-exists"),  # re-run when the tool dies before recording it
    ]
    # A tool that sends the file as one implicit transaction makes it atomic, even alone.
    result = lint_tree(tmp_path, {"1_a.up.sql": "CREATE TABLE a (id int);"})
    assert flagged(result, "create-without-if-not-exists", tmp_path) == []


def test_a_transaction_makes_re_running_safe_unless_the_file_is_an_expand_phase(
    every_rerun_statement: None,
) -> None:
    sql = "ALTER TABLE t ADD COLUMN c int;\nDROP INDEX i;\nSELECT 1;\n"
    assert lines_of(sql, *IDEMPOTENCY, assume_in_transaction=True) == []
    expand = "-- migralint: phase=expand\n" + sql
    assert lines_of(expand, *IDEMPOTENCY, assume_in_transaction=True) == [
        (2, "add-column-without-if-not-exists"),
        (3, "drop-without-if-exists"),
    ]


def test_an_explicit_transaction_protects_only_what_no_later_statement_follows(
    every_rerun_statement: None,
) -> None:
    inside = "BEGIN;\nCREATE TABLE a (id int);\nCREATE TABLE b (id int);\nCOMMIT;\n"
    assert lines_of(inside, *IDEMPOTENCY) == []
    committed_early = inside + "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON a (id);\n"
    assert lines_of(committed_early, *IDEMPOTENCY) == [
        (2, "create-without-if-not-exists"),
        (3, "create-without-if-not-exists"),
    ]


def test_repeatable_flyway_migrations_must_always_be_re_runnable(tmp_path: Path) -> None:
    files = {
        "db/V1__t.sql": "CREATE TABLE t (id int);",
        "db/R__views.sql": "CREATE VIEW v AS SELECT id FROM t;",
        "db/R__functions.sql": "CREATE OR REPLACE FUNCTION f() RETURNS int AS 'SELECT 1' "
        "LANGUAGE sql;",
    }
    result = lint_tree(tmp_path, files, select=IDEMPOTENCY)
    assert flagged(result, "create-without-or-replace", tmp_path) == ["db/R__views.sql"]


def test_guards_and_the_drop_then_create_idiom_are_idempotent() -> None:
    sql = """
    DROP TRIGGER IF EXISTS trg ON users;
    CREATE TRIGGER trg BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION f();
    DROP TYPE IF EXISTS mood;
    CREATE TYPE mood AS ENUM ('ok');
    ALTER TABLE users DROP CONSTRAINT IF EXISTS users_age_check;
    ALTER TABLE users ADD CONSTRAINT users_age_check CHECK (age > 0);
    DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'color') THEN
        CREATE TYPE color AS ENUM ('red');
      END IF;
    END $$;
    CREATE TABLE IF NOT EXISTS tmp (id int);
    DROP TABLE tmp;
    SELECT 1;
    """
    assert lines_of(sql, *IDEMPOTENCY) == []


def test_constraints_and_triggers_have_no_if_not_exists(every_rerun_statement: None) -> None:
    sql = """ALTER TABLE users ADD CONSTRAINT users_age_check CHECK (age > 0);
ALTER TABLE users ADD PRIMARY KEY (id);
CREATE TRIGGER trg BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION f();
CREATE TYPE mood AS ENUM ('ok');
SELECT 1;
"""
    assert lines_of(sql, *IDEMPOTENCY) == [
        (1, "create-without-if-not-exists"),
        (2, "create-without-if-not-exists"),
        (3, "create-trigger-without-drop"),
        (4, "create-type-without-guard"),
    ]
    trigger = lint_text(sql, Settings(select=("create-trigger-without-drop",), pg_version=(13, 0)))
    assert "OR REPLACE" not in trigger[0].help


def test_statements_that_are_idempotent_anyway_stay_quiet() -> None:
    sql = """
    ALTER TABLE users ENABLE ROW LEVEL SECURITY;
    ALTER TABLE users ALTER COLUMN age SET DEFAULT 0;
    ALTER TABLE users ALTER COLUMN age TYPE bigint;
    CREATE EXTENSION IF NOT EXISTS pgcrypto;
    CREATE OR REPLACE VIEW v AS SELECT 1;
    UPDATE users SET email = lower(trim(email));
    UPDATE users SET url = replace(url, 'http://', 'https://');
    UPDATE users SET status = CASE WHEN status = 'x' THEN 'y' ELSE status END;
    UPDATE users SET score = coalesce(score, 0), seen = true;
    INSERT INTO roles (name) VALUES ('admin') ON CONFLICT DO NOTHING;
    INSERT INTO roles (name) SELECT 'admin' WHERE NOT EXISTS (SELECT 1 FROM roles);
    SELECT 1;
    """
    assert lines_of(sql, *IDEMPOTENCY) == []


def test_an_update_that_reads_what_it_overwrites_is_applied_twice() -> None:
    sql = """UPDATE t SET n = n + 1;
UPDATE t u SET tags = u.tags || 'x';
UPDATE t SET n = CASE WHEN n > 0 THEN n - 1 ELSE n END;
UPDATE t SET total = total + (SELECT sum(x) FROM o WHERE o.tid = t.id);
UPDATE t SET total = (SELECT sum(x) FROM o WHERE o.tid = t.id);
SELECT 1;
"""
    assert lines_of(sql, "unguarded-backfill") == [
        (1, "unguarded-backfill"),
        (2, "unguarded-backfill"),
        (3, "unguarded-backfill"),
        (4, "unguarded-backfill"),
    ]


def test_a_jsonb_merge_settles(tmp_path: Path) -> None:
    files = {
        "001_t.sql": "CREATE TABLE t (id int, data jsonb, note text);",
        "002_u.sql": "UPDATE t SET data = data || '{\"a\": 1}';\n"
        "UPDATE t SET note = note || '!';\nSELECT 1;",
    }
    result = lint_tree(tmp_path, files, select=("unguarded-backfill",))
    assert [f.line for f in result.findings] == [2]


def test_an_unguarded_copy_is_flagged_only_where_the_new_release_may_write() -> None:
    copy = "UPDATE users SET name = full_name;\nSELECT 1;\n"
    assert lines_of(copy, "unguarded-backfill") == []
    expand = "-- migralint: phase=expand\n" + copy
    assert lines_of(expand, "unguarded-backfill") == [(2, "unguarded-backfill")]
    guarded = expand.replace(";\nSELECT", " WHERE name IS NULL;\nSELECT")
    assert lines_of(guarded, "unguarded-backfill") == []


def test_seed_rows_fail_or_duplicate_depending_on_the_key(tmp_path: Path) -> None:
    files = {
        "001_t.sql": "CREATE TABLE roles (name text PRIMARY KEY);\n"
        "CREATE TABLE logs (id serial PRIMARY KEY, msg text);",
        "002_seed.sql": "INSERT INTO roles VALUES ('admin');\nINSERT INTO logs (msg) VALUES ('x');\n"
        "SELECT 1;",
    }
    result = lint_tree(
        tmp_path, files, select=("insert-without-on-conflict",), transaction={"*": "none"}
    )
    messages = [f.message for f in result.findings]
    assert len(messages) == 2
    assert "duplicate key" in messages[0] and "second time" in messages[1]


def test_an_index_built_concurrently_warns_about_invalid_leftovers() -> None:
    sql = "CREATE INDEX CONCURRENTLY i ON t (a);\nSELECT 1;"
    [finding] = lint_text(sql, Settings(select=("create-without-if-not-exists",)))
    assert "INVALID" in finding.help


def test_add_column_help_before_9_6_uses_a_do_block() -> None:
    sql = "ALTER TABLE t ADD COLUMN c int;\nSELECT 1;"
    [finding] = lint_text(
        sql, Settings(select=("add-column-without-if-not-exists",), pg_version=(9, 5))
    )
    assert "DO block" in finding.help


# Transactions


def test_nested_begin_and_commit_without_begin() -> None:
    sql = "BEGIN;\nSELECT 1;\nBEGIN;\nCOMMIT;\nUPDATE t SET a = 1;\nCOMMIT;\n"
    assert lines_of(sql, "nested-transaction", "commit-without-begin") == [
        (3, "nested-transaction"),
        (6, "commit-without-begin"),
    ]
    # right after the COMMIT that ended the transaction, nothing ran outside one
    assert lines_of("BEGIN;\nSELECT 1;\nCOMMIT;\nCOMMIT;\n", "commit-without-begin") == []
    assert lines_of("SELECT 1;\nROLLBACK;\n", "commit-without-begin") == [
        (2, "commit-without-begin")
    ]


def test_commit_without_begin_is_quiet_in_a_wrapped_file() -> None:
    sql = "SELECT 1;\nCOMMIT;\n"
    assert lines_of(sql, "commit-without-begin", assume_in_transaction=True) == []


def test_uncommitted_transaction_is_reported_at_its_begin() -> None:
    sql = "SELECT 1;\nBEGIN;\nALTER TABLE t ADD COLUMN c int;\n"
    assert lines_of(sql, "uncommitted-transaction") == [(2, "uncommitted-transaction")]
    assert lines_of(sql + "COMMIT;\n", "uncommitted-transaction") == []
    assert lines_of(sql + "ROLLBACK;\n", "uncommitted-transaction") == []
    assert lines_of(sql, "uncommitted-transaction", assume_in_transaction=True) == []


def test_commit_in_a_wrapped_file(tmp_path: Path) -> None:
    body = "BEGIN;\nALTER TABLE t ADD COLUMN c int;\nCOMMIT;\n"
    files = {
        "flyway/V1__whole.sql": body,
        "flyway/V2__split.sql": body + "CREATE INDEX i ON t (c);\n",
        "flyway/V3__rollback.sql": "ALTER TABLE t ADD COLUMN d int;\nROLLBACK;\n",
        "gm/1_whole.up.sql": body,
        "gm/2_split.up.sql": body + "CREATE INDEX i ON t (c);\n",  # one query, no tool BEGIN
        "gm/3_rollback.up.sql": "ALTER TABLE t ADD COLUMN d int;\nROLLBACK;\n",
        "plain/001_split.sql": body + "CREATE INDEX i ON t (c);\n",
    }
    result = lint_tree(tmp_path, files, select=("transaction-in-wrapped-file",))
    assert flagged(result, "transaction-in-wrapped-file", tmp_path) == [
        "flyway/V2__split.sql",
        "flyway/V3__rollback.sql",
        "gm/3_rollback.up.sql",
    ]


# Phases


def test_expand_and_contract_coupled_in_one_migration() -> None:
    sql = """ALTER TABLE users ADD COLUMN name text;
UPDATE users SET name = full_name;
ALTER TABLE users DROP COLUMN full_name;
"""
    [finding] = lint_text(sql, Settings(select=("expand-contract-coupled",)))
    assert finding.line == 3
    assert "migralint plan replace-column --table users --column full_name --to name" in (
        finding.help
    )


def test_unrelated_add_and_drop_are_not_coupled() -> None:
    sql = "ALTER TABLE users ADD COLUMN name text;\nALTER TABLE users DROP COLUMN legacy;\n"
    assert lines_of(sql, "expand-contract-coupled") == []


def test_column_swap_and_table_rebuild_are_coupled_once() -> None:
    swap = """ALTER TABLE t RENAME COLUMN amount TO amount_old;
ALTER TABLE t ADD COLUMN amount bigint;
UPDATE t SET amount = amount_old;
ALTER TABLE t DROP COLUMN amount_old;
"""
    assert lines_of(swap, "expand-contract-coupled") == [(1, "expand-contract-coupled")]
    rebuild = """CREATE TABLE users_new (id bigint, name text);
INSERT INTO users_new SELECT id, name FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
"""
    assert lines_of(rebuild, "expand-contract-coupled") == [(3, "expand-contract-coupled")]


def test_coupling_on_a_table_this_migration_created_is_fine() -> None:
    sql = """CREATE TABLE t (a int);
ALTER TABLE t ADD COLUMN b int;
UPDATE t SET b = a;
ALTER TABLE t DROP COLUMN a;
"""
    assert lines_of(sql, "expand-contract-coupled") == []


def test_expand_phase_allows_only_additive_changes(tmp_path: Path) -> None:
    files = {
        "001_t.sql": "CREATE TABLE t (a varchar(10), b int);",
        "002_expand.sql": """-- migralint: phase=expand
ALTER TABLE t ADD COLUMN IF NOT EXISTS c int NOT NULL DEFAULT 0;
ALTER TABLE t ALTER COLUMN a TYPE varchar(20);
DROP TRIGGER IF EXISTS trg ON t;
CREATE TRIGGER trg BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f();
ALTER TABLE t ADD COLUMN d int NOT NULL;
ALTER TABLE t ALTER COLUMN b TYPE text;
ALTER TABLE t ALTER COLUMN b SET NOT NULL;
ALTER TABLE t RENAME COLUMN a TO aa;
DROP INDEX IF EXISTS old_idx;
""",
        "003_unmarked.sql": "ALTER TABLE t DROP COLUMN b;",
    }
    result = lint_tree(tmp_path, files, select=("expand-phase-violation",))
    assert [f.line for f in result.findings] == [6, 7, 8, 9, 10]
    assert all(f.severity.name == "ERROR" for f in result.findings)


def test_contract_phase_holds_removals_only() -> None:
    sql = """-- migralint: phase=contract
DROP TRIGGER IF EXISTS trg_sync ON users;
ALTER TABLE users DROP COLUMN IF EXISTS full_name;
CREATE OR REPLACE VIEW v AS SELECT id FROM users;
DROP INDEX IF EXISTS users_name_idx;
CREATE INDEX users_name_idx ON users (name);
ALTER TABLE users ALTER COLUMN name SET NOT NULL;
ALTER TABLE users ADD COLUMN nickname text;
CREATE TABLE audit (id bigint);
ALTER TYPE mood ADD VALUE 'sad';
"""
    assert [line for line, _ in lines_of(sql, "contract-phase-violation")] == [8, 9, 10]
    assert lines_of(sql.replace("phase=contract", "phase=expand"), "contract-phase-violation") == []


def test_missing_down_migration_only_where_the_project_writes_downs(tmp_path: Path) -> None:
    files = {
        "paired/1_a.up.sql": "CREATE TABLE a (id int);",
        "paired/1_a.down.sql": "DROP TABLE a;",
        "paired/2_b.up.sql": "CREATE TABLE b (id int);",
        "forward/1_a.up.sql": "CREATE TABLE a (id int);",
        "forward/2_b.up.sql": "CREATE TABLE b (id int);",
        "popx/20200101000000000000_a.postgres.up.sql": "CREATE TABLE a (id int);",
        "popx/20200101000000000000_a.mysql.up.sql": "CREATE TABLE a (id int);",
        "popx/20200101000000000000_a.down.sql": "DROP TABLE a;",
        "diesel/2020-01-01-000000_a/up.sql": "CREATE TABLE a (id int);",
        "diesel/2020-01-01-000000_a/down.sql": "DROP TABLE a;",
        "diesel/2020-01-02-000000_b/up.sql": "CREATE TABLE b (id int);",
        "flyway/V1__a.sql": "CREATE TABLE a (id int);",
    }
    result = lint_tree(tmp_path, files, select=("missing-down-migration",))
    assert flagged(result, "missing-down-migration", tmp_path) == [
        "diesel/2020-01-02-000000_b/up.sql",
        "paired/2_b.up.sql",
    ]


def test_irreversible_down_unless_refilled_or_noted(tmp_path: Path) -> None:
    files = {
        "1_users.up.sql": "CREATE TABLE users (id int, name text, full_name text);\n"
        "CREATE TABLE accounts (id int, email text, plan text);",
        "2_drop.up.sql": "ALTER TABLE users DROP COLUMN full_name;",
        "2_drop.down.sql": "ALTER TABLE users ADD COLUMN full_name text;",
        "3_drop.up.sql": "ALTER TABLE users DROP COLUMN name;",
        "3_drop.down.sql": "ALTER TABLE users ADD COLUMN name text;\nUPDATE users SET name = 'x';",
        "4_rebuild.up.sql": "SELECT 1;",
        "4_rebuild.down.sql": "CREATE TABLE _accounts_tmp (id int, email text, plan text);",
        "5_noted.up.sql": "DROP TABLE legacy;",
        "5_noted.down.sql": "-- data is lost: structure only\nCREATE TABLE legacy (id int);",
    }
    result = lint_tree(tmp_path, files, select=("irreversible-down",))
    assert flagged(result, "irreversible-down", tmp_path) == ["2_drop.down.sql"]
    assert result.findings[0].severity.name == "INFO"
