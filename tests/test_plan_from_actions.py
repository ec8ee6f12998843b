"""`plan --from` accounts for every action: multi-action ALTER TABLE, dependencies between
kept and planned statements, objects redefined under their own name, folder-per-migration
sets, and what is refused. Plans are run on a real PostgreSQL and compared with the
original migration run on another database."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from plan_helpers import run_file, schema_of
from postgres import Server

from migralint.cli import main
from migralint.sql.split import split_statements


def plan_from(source: Path, out: Path, fmt: str = "golang-migrate") -> Any:
    return CliRunner().invoke(
        main, ["plan", "--from", str(source), "--format", fmt, "--out", str(out)]
    )


def ups(out: Path) -> list[Path]:
    return sorted(out.glob("*.up.sql"), key=lambda p: int(p.name.split("_", 1)[0]))


def same_result(
    pg_server: Server, setup: str, original: str, out: Path, tables: Sequence[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The tables after the original migration, and after the plan's ups (each phase
    twice: phases are re-runnable; kept statements run once, as written)."""
    found = []
    for run in (original, None):
        with pg_server.database() as db:
            db.execute(setup)
            if run is not None:
                db.execute(run)
            else:
                for path in ups(out):
                    run_file(db, path)
                    if path.read_text().startswith("-- migralint: phase="):
                        run_file(db, path)
            found.append({t: _state(db, t) for t in tables})
    return found[0], found[1]


def _state(db: psycopg.Connection[Any], table: str) -> dict[str, Any]:
    state = schema_of(db, table)
    state.pop("triggers")
    state["rows"] = db.execute(f"SELECT to_jsonb(r) FROM {table} AS r ORDER BY 1").fetchall()
    return state


OBSERVATIONS = """\
CREATE TABLE observations (
    id text PRIMARY KEY, prompt_tokens int, completion_tokens int, total_tokens int
);
"""
TOKENS_NON_NULL = """\
-- AlterTable
UPDATE observations SET prompt_tokens = COALESCE(prompt_tokens, 0);
UPDATE observations SET completion_tokens = COALESCE(completion_tokens, 0);
UPDATE observations SET total_tokens = COALESCE(total_tokens, 0);

ALTER TABLE "observations"
ALTER COLUMN "completion_tokens" SET DEFAULT 0,
ALTER COLUMN "prompt_tokens" SET DEFAULT 0,
ALTER COLUMN "total_tokens" SET DEFAULT 0,
ALTER COLUMN "completion_tokens" SET NOT NULL,
ALTER COLUMN "prompt_tokens" SET NOT NULL,
ALTER COLUMN "total_tokens" SET NOT NULL;
"""


def test_every_action_of_a_multi_action_alter_is_planned_or_kept(
    pg_server: Server, tmp_path: Path
) -> None:
    """langfuse's 20230720172051_tokens_non_null, in a Prisma folder-per-migration set."""
    migrations = tmp_path / "prisma" / "migrations"
    (migrations / "20230710_init").mkdir(parents=True)
    (migrations / "20230710_init" / "migration.sql").write_text(OBSERVATIONS)
    (migrations / "20230720172051_tokens_non_null").mkdir()
    source = migrations / "20230720172051_tokens_non_null" / "migration.sql"
    source.write_text(TOKENS_NON_NULL)
    result = plan_from(source, tmp_path / "out")
    assert result.exit_code == 0, result.output
    for line, column in ((10, "completion"), (11, "prompt"), (12, "total")):
        assert f"line {line}: Setting observations.{column}_tokens NOT NULL" in result.output
    kept = ups(tmp_path / "out")[0].read_text()
    for column in ("completion", "prompt", "total"):
        assert f'ALTER TABLE "observations"\nALTER COLUMN "{column}_tokens" SET DEFAULT 0;' in kept
    assert "SET NOT NULL" not in kept

    seed = OBSERVATIONS + "INSERT INTO observations VALUES ('a', NULL, 2, NULL), ('b', 1, NULL, 3);"
    original, planned = same_result(
        pg_server, seed, TOKENS_NON_NULL, tmp_path / "out", ["observations"]
    )
    assert planned == original
    assert [c[2] for c in planned["observations"]["columns"]] == [True] * 4  # all NOT NULL


USERS = "CREATE TABLE users (id bigint PRIMARY KEY, full_name text NOT NULL, email text);\n"
USER_ROWS = "INSERT INTO users VALUES (1, 'Ada', 'ada@example.com'), (2, 'Bob', NULL);\n"


def test_a_kept_statement_using_a_renamed_column_runs_after_the_contract(
    pg_server: Server, tmp_path: Path
) -> None:
    (tmp_path / "1_users.up.sql").write_text(USERS)
    change = (
        "SET lock_timeout = '2s';\n"
        "ALTER TABLE users RENAME COLUMN full_name TO name;\n"
        "COMMENT ON COLUMN users.name IS 'as shown';\n"
        "CREATE TABLE IF NOT EXISTS tags (id bigint PRIMARY KEY);\n"
    )
    (tmp_path / "2_rename.up.sql").write_text(change)
    result = plan_from(tmp_path / "2_rename.up.sql", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "line 3: kept as written, after the contract phases" in result.output
    names = [p.name for p in ups(tmp_path / "out")]
    assert names[0] == "1_rename_kept.up.sql"
    assert names[-1] == f"{len(names)}_rename_kept_after_contract.up.sql"
    first, last = ups(tmp_path / "out")[0].read_text(), ups(tmp_path / "out")[-1].read_text()
    assert "CREATE TABLE IF NOT EXISTS tags" in first and "COMMENT" not in first
    assert "COMMENT ON COLUMN users.name IS 'as shown';" in last

    original, planned = same_result(
        pg_server, USERS + USER_ROWS, change, tmp_path / "out", ["users", "tags"]
    )
    assert planned["users"]["rows"] == original["users"]["rows"]
    assert planned["tags"] == original["tags"]
    with pg_server.database() as db:
        db.execute(USERS)
        for path in ups(tmp_path / "out"):
            run_file(db, path)
        assert db.execute(
            "SELECT col_description('users'::regclass, attnum) FROM pg_attribute "
            "WHERE attrelid = 'users'::regclass AND attname = 'name'"
        ).fetchone() == ("as shown",)


def test_a_kept_insert_into_a_planned_column_runs_after_the_expand(
    pg_server: Server, tmp_path: Path
) -> None:
    (tmp_path / "1_users.up.sql").write_text(USERS)
    change = (
        "SET lock_timeout = '2s';\n"
        "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();\n"
        "INSERT INTO users (id, full_name, token) "
        "VALUES (3, 'Cy', '00000000-0000-0000-0000-000000000003');\n"
    )
    (tmp_path / "2_token.up.sql").write_text(change)
    result = plan_from(tmp_path / "2_token.up.sql", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "line 3: kept as written, after the expand phases" in result.output
    names = [p.name.split("_", 1)[1] for p in ups(tmp_path / "out")]
    assert (
        names.index("token_kept_after_expand.up.sql")
        == names.index("add_users_token_expand.up.sql") + 1
    )

    original, planned = same_result(
        pg_server, USERS + USER_ROWS, change, tmp_path / "out", ["users"]
    )
    assert planned["users"]["columns"] == original["users"]["columns"]
    rows = {r["id"]: r for (r,) in planned["users"]["rows"]}
    assert rows[3]["token"] == "00000000-0000-0000-0000-000000000003"
    assert all(r["token"] is not None for r in rows.values())  # backfilled


def test_a_kept_statement_between_two_dependent_plans_is_refused_with_the_lines(
    tmp_path: Path,
) -> None:
    (tmp_path / "1_users.up.sql").write_text(USERS)
    source = tmp_path / "2_both.up.sql"
    source.write_text(
        "ALTER TABLE users RENAME COLUMN full_name TO name;\n"
        "UPDATE users SET email = name || '@example.com' WHERE email IS NULL;\n"
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n"
    )
    result = plan_from(source, tmp_path / "out")
    assert result.exit_code == 2
    assert "line 2 uses what line 1 plans, so it must run after the contract phases" in (
        result.output
    )
    assert "line 3 plans a change that needs it first" in result.output
    assert not (tmp_path / "out").exists()


def test_actions_of_one_alter_on_a_replaced_column_are_refused(tmp_path: Path) -> None:
    (tmp_path / "1_users.up.sql").write_text(USERS + "ALTER TABLE users ADD COLUMN age int;\n")
    source = tmp_path / "2_age.up.sql"
    source.write_text(
        "ALTER TABLE users\n  ALTER COLUMN age TYPE bigint,\n  ALTER COLUMN age SET DEFAULT 0;\n"
    )
    result = plan_from(source, tmp_path / "out")
    assert result.exit_code == 2
    assert (
        "line 1: the action on line 2 plans change-column-type and the action on line 3 also "
        "uses what it changes" in result.output
    )


INDEXED = """\
CREATE TABLE flows (id text PRIMARY KEY, tenant_id text, namespace text, deleted bool);
CREATE INDEX flows_namespace ON flows (namespace);
"""
REDEFINE = """\
DROP INDEX IF EXISTS flows_namespace;
CREATE INDEX IF NOT EXISTS flows_namespace ON flows ("deleted", "tenant_id", "namespace");
"""


def test_an_index_redefined_under_its_name_exists_with_the_new_definition(
    db: psycopg.Connection[Any], pg_server: Server, tmp_path: Path
) -> None:
    """kestra's V1_10__multitenant_indices: today no index is left at all."""
    (tmp_path / "V1__init.sql").write_text(INDEXED)
    (tmp_path / "V2__indices.sql").write_text(REDEFINE)
    out = tmp_path / "out"
    result = plan_from(tmp_path / "V2__indices.sql", out)
    assert result.exit_code == 0, result.output
    assert "line 1: Redefining index flows_namespace on flows" in result.output
    original, planned = same_result(pg_server, INDEXED, REDEFINE, out, ["flows"])
    assert planned == original
    assert planned["flows"]["indexes"][0] == (
        "flows_namespace",
        "CREATE INDEX flows_namespace ON public.flows USING btree (deleted, tenant_id, namespace)",
    )

    db.execute(INDEXED)
    before = schema_of(db, "flows")
    for path in ups(out):
        run_file(db, path)
    for path in reversed(sorted(out.glob("*.down.sql"), key=lambda p: int(p.name.split("_")[0]))):
        run_file(db, path)
        run_file(db, path)
    assert schema_of(db, "flows") == before


def test_a_constraint_dropped_and_added_again_ends_with_the_new_definition(
    pg_server: Server, tmp_path: Path
) -> None:
    (tmp_path / "1_users.up.sql").write_text(
        USERS + "ALTER TABLE users ADD CONSTRAINT users_email_check CHECK (email <> '');\n"
    )
    change = (
        "SET lock_timeout = '2s';\n"
        "ALTER TABLE users DROP CONSTRAINT users_email_check;\n"
        "ALTER TABLE users ADD CONSTRAINT users_email_check CHECK (email LIKE '%@%');\n"
    )
    (tmp_path / "2_check.up.sql").write_text(change)
    result = plan_from(tmp_path / "2_check.up.sql", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "line 3: " in result.output and "kept as written, after" not in result.output
    setup = (tmp_path / "1_users.up.sql").read_text() + USER_ROWS
    original, planned = same_result(pg_server, setup, change, tmp_path / "out", ["users"])
    assert planned == original


def test_a_planned_table_drop_followed_by_its_creation_is_refused(tmp_path: Path) -> None:
    (tmp_path / "1_users.up.sql").write_text(USERS)
    source = tmp_path / "2_again.up.sql"
    source.write_text("DROP TABLE users;\nCREATE TABLE users (id bigint PRIMARY KEY);\n")
    result = plan_from(source, tmp_path / "out")
    assert result.exit_code == 2
    assert "line 1 drops table users and line 2 creates it again" in result.output


def test_a_diesel_migration_is_planned_with_the_types_of_the_earlier_ones(
    pg_server: Server, tmp_path: Path
) -> None:
    migrations = tmp_path / "migrations"
    (migrations / "2024-01-01-000000_users").mkdir(parents=True)
    (migrations / "2024-01-01-000000_users" / "up.sql").write_text(USERS)
    (migrations / "2024-01-01-000000_users" / "down.sql").write_text("DROP TABLE users;\n")
    (migrations / "2024-02-01-000000_rename").mkdir()
    source = migrations / "2024-02-01-000000_rename" / "up.sql"
    change = "ALTER TABLE users RENAME COLUMN full_name TO name;\n"
    source.write_text(change)
    result = plan_from(source, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "Renaming users.full_name to name" in result.output
    original, planned = same_result(
        pg_server, USERS + USER_ROWS, change, tmp_path / "out", ["users"]
    )
    assert planned["users"]["rows"] == original["users"]["rows"]
    assert [c[:2] for c in planned["users"]["columns"]] == [
        c[:2] for c in original["users"]["columns"]
    ]


def test_a_required_column_without_a_default_names_what_plan_from_needs(tmp_path: Path) -> None:
    (tmp_path / "1_users.up.sql").write_text(USERS)
    source = tmp_path / "2_age.up.sql"
    source.write_text("ALTER TABLE users ADD COLUMN age int NOT NULL;\n")
    result = plan_from(source, tmp_path / "out")
    assert result.exit_code == 2
    assert "line 1: existing rows of users need a value for NOT NULL age: give it a DEFAULT" in (
        result.output
    )
    assert "pass --default" not in result.output


def test_a_kept_concurrent_index_gets_a_non_transactional_migration_of_its_own(
    db: psycopg.Connection[Any], tmp_path: Path
) -> None:
    (tmp_path / "V1__users.sql").write_text(USERS)
    (tmp_path / "V2__rename.sql").write_text(
        "ALTER TABLE users RENAME COLUMN full_name TO name;\n"
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);\n"
        "CREATE TABLE IF NOT EXISTS tags (id bigint PRIMARY KEY);\n"
    )
    out = tmp_path / "out"
    result = plan_from(tmp_path / "V2__rename.sql", out, "flyway")
    assert result.exit_code == 0, result.output
    kept = (out / "V1__rename_kept.sql").read_text()
    assert "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);" in kept
    assert "RENAME" not in kept and "tags" not in kept
    assert "executeInTransaction=false" in (out / "V1__rename_kept.sql.conf").read_text()
    assert "CREATE TABLE IF NOT EXISTS tags" in (out / "V2__rename_kept_2.sql").read_text()
    assert not (out / "V2__rename_kept_2.sql.conf").exists()

    db.execute(USERS)
    for stmt in split_statements(kept, "postgres").statements:  # as Flyway runs it
        db.execute(stmt.text)
    indexes = db.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'users'")
    assert ("users_email_idx",) in indexes.fetchall()


def test_statements_sharing_a_line_are_told_apart(tmp_path: Path) -> None:
    (tmp_path / "1_users.up.sql").write_text(USERS)
    source = tmp_path / "2_rename.up.sql"
    source.write_text(
        "SET lock_timeout = '2s'; ALTER TABLE users RENAME COLUMN full_name TO name; "
        "COMMENT ON COLUMN users.name IS 'x';\n"
    )
    result = plan_from(source, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "no plan for" not in result.output
    assert "line 1: kept as written, after the contract phases" in result.output
    first, *_, last = ups(tmp_path / "out")
    assert first.read_text().rstrip().endswith("SET lock_timeout = '2s';")
    assert last.read_text().rstrip().endswith("COMMENT ON COLUMN users.name IS 'x';")


def test_a_file_that_is_not_utf8_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "1_users.up.sql").write_text(USERS)
    source = tmp_path / "2_rename.up.sql"
    source.write_bytes(b"ALTER TABLE users RENAME COLUMN full_name TO n\xe9;\n")
    result = plan_from(source, tmp_path / "out")
    assert result.exit_code == 2
    assert result.output.startswith(f"migralint: error: cannot read {source} as UTF-8 text")
    assert not (tmp_path / "out").exists()


def test_a_down_migration_is_refused(tmp_path: Path) -> None:
    (tmp_path / "1_users.up.sql").write_text(USERS)
    (tmp_path / "1_users.down.sql").write_text(
        "ALTER TABLE users RENAME COLUMN name TO full_name;\n"
    )
    result = plan_from(tmp_path / "1_users.down.sql", tmp_path / "out")
    assert result.exit_code == 2
    assert (
        "1_users.down.sql is a down migration; `plan --from` plans up migrations" in result.output
    )


def test_redefining_an_index_of_a_partitioned_table_is_kept_with_the_reason(
    tmp_path: Path,
) -> None:
    """No index of a partitioned table can be built or dropped CONCURRENTLY: the expand
    of the redefinition used to stop at run time; both statements are kept instead."""
    setup = (
        "CREATE TABLE events (id bigint, at date, kind text) PARTITION BY RANGE (at);\n"
        "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') "
        "TO ('2025-01-01');\n"
        "CREATE INDEX events_kind ON events (kind);\n"
    )
    (tmp_path / "1_events.up.sql").write_text(setup)
    (tmp_path / "2_kind.up.sql").write_text(
        "DROP INDEX events_kind;\nCREATE INDEX events_kind ON events (kind, at);\n"
    )
    out = tmp_path / "out"
    result = plan_from(tmp_path / "2_kind.up.sql", out)
    assert result.exit_code == 0, result.output
    for line in (1, 2):
        assert (
            f"line {line}: kept as written, plan it by hand: events is partitioned (PARTITION BY)"
        ) in result.output
    assert not out.exists() or not any(out.iterdir())


def test_a_trigger_created_after_a_planned_change_does_not_fire_on_its_backfill(
    pg_server: Server, tmp_path: Path
) -> None:
    (tmp_path / "1_users.up.sql").write_text(USERS)
    change = (
        "SET lock_timeout = '2s';\n"
        "CREATE TABLE audit (user_id bigint);\n"
        "CREATE FUNCTION audit_user() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN INSERT INTO audit VALUES (NEW.id); RETURN NEW; END $$;\n"
        "ALTER TABLE users RENAME COLUMN full_name TO name;\n"
        "CREATE TRIGGER users_audit AFTER UPDATE ON users\n"
        "  FOR EACH ROW EXECUTE FUNCTION audit_user();\n"
    )
    (tmp_path / "2_audit.up.sql").write_text(change)
    result = plan_from(tmp_path / "2_audit.up.sql", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "line 6: kept as written, after the contract phases" in result.output
    original, planned = same_result(
        pg_server, USERS + USER_ROWS, change, tmp_path / "out", ["users", "audit"]
    )
    assert planned["audit"] == original["audit"]
    assert planned["audit"]["rows"] == []


def test_a_plan_after_a_search_path_change_is_refused(tmp_path: Path) -> None:
    (tmp_path / "1_users.up.sql").write_text("CREATE SCHEMA app;\nSET search_path = app;\n" + USERS)
    source = tmp_path / "2_rename.up.sql"
    source.write_text(
        "SET search_path TO app;\nALTER TABLE users RENAME COLUMN full_name TO name;\n"
    )
    result = plan_from(source, tmp_path / "out")
    assert result.exit_code == 2
    assert "line 1 sets search_path to app, and the plan of line 2 names tables without it" in (
        result.output
    )


SCORES = """\
CREATE TYPE "ScoreSource" AS ENUM ('ANNOTATION', 'API', 'EVAL', 'REVIEW');
CREATE TABLE scores (id text PRIMARY KEY, source "ScoreSource" NOT NULL);
"""
ENUM_SWAP = """\
BEGIN;
CREATE TYPE "ScoreSource_new" AS ENUM ('ANNOTATION', 'API', 'EVAL');
ALTER TABLE "scores" ALTER COLUMN "source" TYPE "ScoreSource_new" USING ("source"::text::"ScoreSource_new");
ALTER TYPE "ScoreSource" RENAME TO "ScoreSource_old";
ALTER TYPE "ScoreSource_new" RENAME TO "ScoreSource";
DROP TYPE "ScoreSource_old";
COMMIT;
"""


def test_an_enum_swapped_under_a_column_type_change_is_refused_at_plan_time(
    tmp_path: Path,
) -> None:
    """langfuse's 20240524165931_scores_source_enum_drop_review: the plan converts back
    to the old enum (N-1's writes, the downs), which `--from` cannot know: refused up front,
    naming the option, and nothing is written."""
    (tmp_path / "1_scores.up.sql").write_text(SCORES)
    (tmp_path / "2_enum.up.sql").write_text(ENUM_SWAP)
    result = plan_from(tmp_path / "2_enum.up.sql", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert "line 3: scores.source" in result.output and "--reverse-using" in result.output
    assert not (tmp_path / "out").exists()


def test_a_type_whose_column_a_plan_drops_is_dropped_after_the_contract(tmp_path: Path) -> None:
    """The old enum was dropped first in langfuse's enum swap, while the column still used
    it: a DROP TYPE waits for the contract that drops its last column."""
    (tmp_path / "1_scores.up.sql").write_text(SCORES)
    (tmp_path / "2_drop.up.sql").write_text(
        'ALTER TABLE scores DROP COLUMN source;\nDROP TYPE "ScoreSource";\n'
    )
    result = plan_from(tmp_path / "2_drop.up.sql", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "line 2: kept as written, after the contract phases" in result.output
    *_, last = ups(tmp_path / "out")
    assert last.read_text().rstrip().endswith('DROP TYPE "ScoreSource";')


SESSIONS = """\
CREATE TABLE trace_sessions (id text PRIMARY KEY, project_id text NOT NULL);
CREATE UNIQUE INDEX trace_sessions_id_project_id_key ON trace_sessions (id, project_id);
CREATE TABLE traces (id text PRIMARY KEY, session_id text, project_id text NOT NULL);
ALTER TABLE traces ADD CONSTRAINT traces_session_id_fkey FOREIGN KEY (session_id)
    REFERENCES trace_sessions (id);
"""
COMPOSITE_KEY = """\
ALTER TABLE "traces" DROP CONSTRAINT "traces_session_id_fkey";
DROP INDEX "trace_sessions_id_project_id_key";
ALTER TABLE "trace_sessions" DROP CONSTRAINT "trace_sessions_pkey",
ADD CONSTRAINT "trace_sessions_pkey" PRIMARY KEY ("id", "project_id");
ALTER TABLE "traces" ADD CONSTRAINT "traces_session_id_project_id_fkey"
    FOREIGN KEY ("session_id", "project_id") REFERENCES "trace_sessions"("id", "project_id")
    ON DELETE RESTRICT ON UPDATE CASCADE;
"""


def test_a_kept_foreign_key_waits_for_the_planned_keys_of_the_table_it_references(
    pg_server: Server, tmp_path: Path
) -> None:
    """langfuse's 20240124140443_session_composite_key: the kept foreign key was bound to
    the unique index that the contract then could not drop."""
    (tmp_path / "1_sessions.up.sql").write_text(SESSIONS)
    (tmp_path / "2_key.up.sql").write_text(COMPOSITE_KEY)
    result = plan_from(tmp_path / "2_key.up.sql", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "line 5: kept as written, after the contract phases" in result.output
    seed = SESSIONS + (
        "INSERT INTO trace_sessions VALUES ('s1', 'p1'), ('s2', 'p1');"
        "INSERT INTO traces VALUES ('t1', 's1', 'p1'), ('t2', NULL, 'p1');"
    )
    original, planned = same_result(
        pg_server, seed, COMPOSITE_KEY, tmp_path / "out", ["trace_sessions", "traces"]
    )
    assert planned == original


def test_a_primary_key_on_a_column_made_not_null_in_the_same_file_is_refused(
    tmp_path: Path,
) -> None:
    """langfuse's 20240718004923_datasets_tables_add_projectid_composite_key: the primary
    key's attach ran before the contract that made its column NOT NULL."""
    (tmp_path / "1_items.up.sql").write_text(
        "CREATE TABLE items (id text PRIMARY KEY, project_id text);\n"
    )
    source = tmp_path / "2_key.up.sql"
    source.write_text(
        'ALTER TABLE "items"\nALTER COLUMN "project_id" SET NOT NULL,\n'
        'DROP CONSTRAINT "items_pkey",\nADD CONSTRAINT "items_pkey" PRIMARY KEY ("id", "project_id");\n'
    )
    result = plan_from(source, tmp_path / "out")
    assert result.exit_code == 2
    assert "line 4 plans a primary key on project_id, which line 2 makes NOT NULL only in" in (
        result.output
    )


def test_a_planned_foreign_key_adds_no_index_the_migration_does_not(
    pg_server: Server, tmp_path: Path
) -> None:
    """langfuse's 20250523120545_add_nullable_job_template_id."""
    setup = (
        "CREATE TABLE templates (id text PRIMARY KEY);\n"
        "CREATE TABLE jobs (id text PRIMARY KEY);\n"
        "INSERT INTO templates VALUES ('t');\nINSERT INTO jobs VALUES ('j1'), ('j2');\n"
    )
    (tmp_path / "1_init.up.sql").write_text(setup)
    change = (
        'ALTER TABLE "jobs" ADD COLUMN "template_id" TEXT;\n'
        'ALTER TABLE "jobs" ADD CONSTRAINT "jobs_template_id_fkey" FOREIGN KEY ("template_id") '
        'REFERENCES "templates"("id") ON DELETE SET NULL;\n'
    )
    (tmp_path / "2_fk.up.sql").write_text(change)
    result = plan_from(tmp_path / "2_fk.up.sql", tmp_path / "out")
    assert result.exit_code == 0, result.output
    original, planned = same_result(pg_server, setup, change, tmp_path / "out", ["jobs"])
    assert planned == original


def test_an_enum_of_a_dropped_table_is_dropped_after_the_table(
    db: psycopg.Connection[Any], tmp_path: Path
) -> None:
    """langfuse's 20240606093356_drop_unused_pricings_table and 20260723150000_drop_legacy_
    tracing_tables: the DROP TYPE ran first (the catalog may know the type by another name)."""
    setup = (
        "CREATE TYPE \"PricingUnit_new\" AS ENUM ('TOKENS', 'CHARACTERS');\n"
        'CREATE TABLE pricings (id text PRIMARY KEY, unit "PricingUnit_new" NOT NULL);\n'
        'ALTER TYPE "PricingUnit_new" RENAME TO "PricingUnit";\n'
    )
    (tmp_path / "1_init.up.sql").write_text(setup)
    (tmp_path / "2_drop.up.sql").write_text(
        'SET lock_timeout = \'2s\';\nDROP TABLE "pricings";\nDROP TYPE "PricingUnit";\n'
    )
    result = plan_from(tmp_path / "2_drop.up.sql", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "line 3: kept as written, after the contract phases" in result.output
    db.execute(setup)
    for path in ups(tmp_path / "out"):
        run_file(db, path)
    assert db.execute(
        "SELECT to_regclass('pricings'), to_regtype('\"PricingUnit\"')"
    ).fetchone() == (None, None)


def test_a_renamed_column_keeps_the_indexes_the_migrations_gave_it(
    pg_server: Server, tmp_path: Path
) -> None:
    setup = USERS + "CREATE INDEX users_full_name_idx ON users (lower(full_name));\n"
    (tmp_path / "1_users.up.sql").write_text(setup)
    change = "ALTER TABLE users RENAME COLUMN full_name TO name;\n"
    (tmp_path / "2_rename.up.sql").write_text(change)
    result = plan_from(tmp_path / "2_rename.up.sql", tmp_path / "out")
    assert result.exit_code == 0, result.output
    original, planned = same_result(
        pg_server, setup + USER_ROWS, change, tmp_path / "out", ["users"]
    )
    assert planned["users"]["indexes"] == original["users"]["indexes"]
    assert planned["users"]["rows"] == original["users"]["rows"]


def test_a_column_whose_type_changes_keeps_the_indexes_the_migrations_gave_it(
    pg_server: Server, tmp_path: Path
) -> None:
    """langfuse's 20230731162154_score_value_float: the expand refused the index."""
    setup = (
        "CREATE TABLE scores (id text PRIMARY KEY, value int NOT NULL);\n"
        "CREATE INDEX scores_value_idx ON scores (value);\n"
    )
    (tmp_path / "1_scores.up.sql").write_text(setup)
    change = 'ALTER TABLE "scores" ALTER COLUMN "value" SET DATA TYPE DOUBLE PRECISION;\n'
    (tmp_path / "2_float.up.sql").write_text(change)
    result = plan_from(tmp_path / "2_float.up.sql", tmp_path / "out")
    assert result.exit_code == 0, result.output
    seed = setup + "INSERT INTO scores VALUES ('a', 1), ('b', 2);"
    original, planned = same_result(pg_server, seed, change, tmp_path / "out", ["scores"])
    assert planned == original


def test_a_primary_key_column_rename_is_kept_and_named(tmp_path: Path) -> None:
    (tmp_path / "1_users.up.sql").write_text(USERS)
    source = tmp_path / "2_rename.up.sql"
    source.write_text(
        "SET lock_timeout = '2s';\nALTER TABLE users RENAME COLUMN id TO user_id;\n"
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n"
    )
    result = plan_from(source, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert (
        "line 2: kept as written, plan it by hand: users.id is part of the primary key"
        in result.output
    )
    kept = ups(tmp_path / "out")[0].read_text()
    assert "ALTER TABLE users RENAME COLUMN id TO user_id;" in kept


@pytest.mark.parametrize(
    ("table", "why"),
    [
        ("CREATE TABLE notes (body text, author text);", "notes has no primary key in the"),
        (
            "CREATE TABLE notes (a int, b int, body text, PRIMARY KEY (a, b));",
            "notes's primary key has several columns",
        ),
    ],
)
def test_a_backfill_without_a_one_column_key_is_refused_up_front(
    tmp_path: Path, table: str, why: str
) -> None:
    """The backfill batches by the table's primary key as the migrations give it; a table
    without one is refused at plan time, before any phase ships (not at `id%TYPE`)."""
    (tmp_path / "1_notes.up.sql").write_text(table)
    (tmp_path / "2_rename.up.sql").write_text("ALTER TABLE notes RENAME COLUMN body TO text;")
    result = plan_from(tmp_path / "2_rename.up.sql", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert why in result.output and "--key COLUMN" in result.output
    assert not (tmp_path / "out").exists()


def test_a_goose_file_is_planned_from_its_up_section_only(tmp_path: Path) -> None:
    """goose runs `-- +goose Down` only on the way down: its rename back is not planned."""
    (tmp_path / "00001_init.sql").write_text(
        "-- +goose Up\nCREATE TABLE users (id bigint PRIMARY KEY, full_name text);\n"
        "-- +goose Down\nDROP TABLE users;\n"
    )
    (tmp_path / "00002_rename.sql").write_text(
        "-- +goose Up\nALTER TABLE users RENAME COLUMN full_name TO name;\n\n"
        "-- +goose Down\nALTER TABLE users RENAME COLUMN name TO full_name;\n"
    )
    result = plan_from(tmp_path / "00002_rename.sql", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "line 2: Renaming users.full_name to name" in result.output
    assert "line 5" not in result.output
    written = "".join(p.read_text() for p in ups(tmp_path / "out"))
    assert "full_name" in written and "RENAME COLUMN name TO full_name" not in written


def test_a_drop_of_a_column_the_migrations_do_not_show_is_kept_and_named(tmp_path: Path) -> None:
    """dspace V6.0_2016.02.25: `DROP COLUMN IF EXISTS name` of a column no earlier file
    creates; the plan's down could not add it back, so the statement is kept, with why."""
    (tmp_path / "1_groups.up.sql").write_text("CREATE TABLE groups (id bigint PRIMARY KEY);")
    (tmp_path / "2_drop.up.sql").write_text("ALTER TABLE groups DROP COLUMN IF EXISTS name;")
    result = plan_from(tmp_path / "2_drop.up.sql", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert (
        "line 1: kept as written, plan it by hand: the migrations before the file do not give "
        "groups.name a type" in result.output
    )
