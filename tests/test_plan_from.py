"""`migralint plan --from FILE` replaces a migration's risky statements by their plans."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from plan_helpers import run_file, schema_of

from migralint.cli import main

SEED = "CREATE TABLE users (id bigint PRIMARY KEY, full_name text NOT NULL, email text);\n"


def texts(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(folder.iterdir())}


def test_a_one_line_rename_becomes_the_same_three_phases(tmp_path: Path) -> None:
    db = tmp_path / "db"
    db.mkdir()
    (db / "1_users.up.sql").write_text(SEED)
    (db / "2_rename.up.sql").write_text("ALTER TABLE users RENAME COLUMN full_name TO name;\n")
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "plan",
            "--from",
            str(db / "2_rename.up.sql"),
            "--format",
            "golang-migrate",
            "--out",
            str(tmp_path / "from"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "line 1: Renaming users.full_name to name in three migrations" in result.output
    assert (db / "2_rename.up.sql").read_text().startswith("ALTER TABLE users RENAME")  # untouched

    (tmp_path / "direct").mkdir()
    direct = runner.invoke(
        main,
        [
            "plan",
            "rename-column",
            "--table",
            "users",
            "--column",
            "full_name",
            "--to",
            "name",
            "--type",
            "text",
            "--format",
            "golang-migrate",
            "--out",
            str(tmp_path / "direct"),
        ],
    )
    assert direct.exit_code == 0, direct.output
    assert texts(tmp_path / "from") == texts(tmp_path / "direct")


def test_safe_statements_are_kept_first_and_in_order(tmp_path: Path) -> None:
    (tmp_path / "1_users.up.sql").write_text(SEED)
    source = tmp_path / "2_mixed.up.sql"
    source.write_text(
        "ALTER TABLE users ADD COLUMN IF NOT EXISTS age int;\n"
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n"
        "CREATE TABLE IF NOT EXISTS tags (id bigint PRIMARY KEY);\n"
    )
    result = CliRunner().invoke(main, ["plan", "--from", str(source), "--format", "golang-migrate"])
    assert result.exit_code == 0, result.output
    kept = (tmp_path / "3_mixed_kept.up.sql").read_text()
    assert kept.index("ADD COLUMN IF NOT EXISTS age") < kept.index(
        "CREATE TABLE IF NOT EXISTS tags"
    )
    assert "SET NOT NULL" not in kept
    assert (tmp_path / "4_set_users_email_not_null_check.up.sql").exists()
    assert (
        (tmp_path / "6_set_users_email_not_null.up.sql")
        .read_text()
        .startswith("-- migralint: phase=contract")
    )


def test_nothing_to_plan_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "1_safe.up.sql"
    source.write_text("ALTER TABLE users ADD COLUMN IF NOT EXISTS age int;\n")
    result = CliRunner().invoke(main, ["plan", "--from", str(source)])
    assert result.exit_code == 0
    assert "nothing written" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["1_safe.up.sql"]


def test_a_file_whose_every_flagged_statement_is_kept_says_nothing_was_planned(
    tmp_path: Path,
) -> None:
    """Not "no statement needs a plan": each kept statement is named with its line and
    reason, and the last line says none was planned. Exit 0: nothing failed, the file
    stays as it is (README, "Kept")."""
    (tmp_path / "1_events.up.sql").write_text(
        "CREATE TABLE events (id bigint, at date, kind text) PARTITION BY RANGE (at);\n"
    )
    source = tmp_path / "2_indexes.up.sql"
    source.write_text(
        "SET lock_timeout = '2s';\nCREATE INDEX events_at ON events (at);\n"
        "CREATE INDEX events_kind ON events (kind);\n"
    )
    result = CliRunner().invoke(main, ["plan", "--from", str(source), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split(":")[0] for line in lines[:2]] == ["line 2", "line 3"]
    assert all("kept as written, plan it by hand: events is partitioned" in x for x in lines[:2])
    assert lines[2:] == [
        f"{source}: nothing planned, nothing written: every flagged statement is kept as "
        "written, for the reasons above (line 2, 3)"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["1_events.up.sql", "2_indexes.up.sql"]


RISKY_SEED = """\
CREATE TABLE customers (id bigint PRIMARY KEY, email text);
CREATE TABLE orders (
    id bigint PRIMARY KEY, customer_id bigint, total int, note varchar(20),
    legacy text, code text
);
CREATE INDEX orders_code_idx ON orders USING hash (code);
CREATE TABLE tags (id bigint PRIMARY KEY, label text);
"""

RISKY = """\
SET lock_timeout = '2s';
ALTER TABLE orders RENAME COLUMN note TO remark;
ALTER TABLE orders ALTER COLUMN total TYPE bigint;
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id)
    REFERENCES customers (id) ON DELETE CASCADE;
ALTER TABLE orders ADD CONSTRAINT orders_customer_check CHECK (customer_id > 0);
ALTER TABLE orders ADD CONSTRAINT orders_code_key UNIQUE (code);
CREATE INDEX orders_lower_code_idx ON orders (lower(code) text_pattern_ops DESC)
    WHERE code IS NOT NULL;
DROP INDEX orders_code_idx;
ALTER TABLE orders DROP COLUMN legacy;
ALTER TABLE customers ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE customers ALTER COLUMN email SET NOT NULL;
ALTER TABLE tags RENAME TO labels;
CREATE INDEX orders_inc ON orders (code) INCLUDE (customer_id);
"""

TABLES = ("customers", "orders", "tags")


def version(path: Path) -> int:
    return int(path.name.split("_", 1)[0])


def test_every_plannable_statement_of_a_file_runs_on_a_real_database(
    db: psycopg.Connection[Any], tmp_path: Path
) -> None:
    (tmp_path / "1_init.up.sql").write_text(RISKY_SEED)
    (tmp_path / "2_risky.up.sql").write_text(RISKY)
    db.execute(RISKY_SEED)
    db.execute(
        "INSERT INTO customers SELECT i, 'c' || i FROM generate_series(1, 50) i;"
        "INSERT INTO orders SELECT i, i % 50 + 1, i, 'n' || i, 'l', 'code' || i"
        "  FROM generate_series(1, 2500) i;"
        "INSERT INTO tags SELECT i, 't' || i FROM generate_series(1, 10) i;"
    )
    before = {t: schema_of(db, t) for t in TABLES}
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "plan",
            "--from",
            str(tmp_path / "2_risky.up.sql"),
            "--format",
            "golang-migrate",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "line 15: kept as written, plan it by hand: create-index does not plan INCLUDE" in (
        result.output
    )
    for line in (2, 3, 4, 6, 7, 8, 10, 11, 12, 13, 14):
        assert f"line {line}: " in result.output, line

    ups = sorted(out.glob("*.up.sql"), key=version)
    kept, planned = ups[0], ups[1:]
    assert kept.name == "1_risky_kept.up.sql"
    assert "orders_inc" in kept.read_text() and "RENAME COLUMN" not in kept.read_text()
    markers = [p.read_text().split("\n", 1)[0] for p in planned]
    phases = [m.removeprefix("-- migralint: phase=") for m in markers]
    assert phases == sorted(phases, key=("expand", "migrate", "contract").index)  # interleaved

    run_file(db, kept)
    for path in planned:
        run_file(db, path)
        run_file(db, path)  # every phase re-runs safely
    after = {t: schema_of(db, t) for t in ("customers", "orders")}
    types = {c[0]: c[1] for c in after["orders"]["columns"]}
    assert types["remark"].startswith("character varying")
    assert types["total"] == "bigint"  # the column keeps its name, as ALTER … TYPE does
    assert "legacy" not in types
    assert db.execute(
        "SELECT confdeltype FROM pg_constraint WHERE conname = 'orders_customer_fk' "
        "AND convalidated"
    ).fetchone() == ("c",)
    assert db.execute(
        "SELECT is_nullable FROM information_schema.columns "
        "WHERE table_name = 'customers' AND column_name = 'email'"
    ).fetchone() == ("NO",)
    assert db.execute("SELECT count(*) FROM labels").fetchone() == (10,)
    assert db.execute("SELECT remark FROM orders WHERE id = 7").fetchone() == ("n7",)

    for path in reversed(sorted(out.glob("*.down.sql"), key=version)[1:]):
        run_file(db, path)
    db.execute("DROP INDEX orders_inc")  # the kept statement's down, written by hand
    assert {t: schema_of(db, t) for t in TABLES} == before
    assert db.execute("SELECT note FROM orders WHERE id = 7").fetchone() == ("n7",)
    assert db.execute(
        "SELECT indexdef FROM pg_indexes WHERE indexname = 'orders_code_idx'"
    ).fetchone() == ("CREATE INDEX orders_code_idx ON public.orders USING hash (code)",)


def test_a_renamed_table_that_other_statements_change_is_refused(tmp_path: Path) -> None:
    (tmp_path / "1_init.up.sql").write_text(RISKY_SEED)
    source = tmp_path / "2_both.up.sql"
    source.write_text(
        "ALTER TABLE tags ALTER COLUMN label SET NOT NULL;\nALTER TABLE tags RENAME TO labels;\n"
    )
    result = CliRunner().invoke(main, ["plan", "--from", str(source)])
    assert result.exit_code == 2
    assert "line 2 plans rename-table, and line(s) 1 also change what it changes" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["1_init.up.sql", "2_both.up.sql"]


def test_a_kept_statement_that_is_still_flagged_is_named(tmp_path: Path) -> None:
    (tmp_path / "1_users.up.sql").write_text(SEED)
    source = tmp_path / "2_mixed.up.sql"
    source.write_text(
        "SET lock_timeout = '2s';\n"
        "ALTER TABLE users RENAME COLUMN email TO mail;\n"
        "VACUUM FULL users;\n"
    )
    result = CliRunner().invoke(main, ["plan", "--from", str(source)])
    assert result.exit_code == 0, result.output
    assert "line 3: kept as written, no plan for: vacuum-full" in result.output
    assert "line 1: kept" not in result.output  # SET is flagged by nothing


@pytest.mark.parametrize(
    ("statement", "table_known", "clause"),
    [
        ("ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES r ON DELETE CASCADE", True, None),
        ("ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES r (id) ON UPDATE NO ACTION", True, None),
        (
            "ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES r (id) ON UPDATE CASCADE",
            True,
            "ON UPDATE CASCADE",
        ),
        (
            "ALTER TABLE t ADD FOREIGN KEY (a, b) REFERENCES r ON DELETE SET DEFAULT (b)",
            True,
            "ON DELETE SET DEFAULT (b)",
        ),
        ("ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES r (id) MATCH FULL", True, "MATCH FULL"),
        (
            'ALTER TABLE IF EXISTS "S".t ADD CONSTRAINT "K" UNIQUE NULLS DISTINCT ("A", b)',
            True,
            None,
        ),
        ("ALTER TABLE IF EXISTS t ADD UNIQUE (a)", False, "IF EXISTS"),
        ("ALTER TABLE t ADD UNIQUE (a) INCLUDE (b);", True, "INCLUDE (b)"),
        ("ALTER TABLE t ADD PRIMARY KEY (a) NOT DEFERRABLE INITIALLY IMMEDIATE", True, None),
        ("ALTER TABLE t ADD CHECK (a IN (1, 2)) NOT VALID", True, "NOT VALID"),
        ("ALTER TABLE ONLY t ADD CHECK (a > 0)", True, "ONLY"),
        ("ALTER TABLE ONLY t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES r (id)", True, None),
    ],
)
def test_a_constraint_clause_its_plan_does_not_render_is_named(
    statement: str, table_known: bool, clause: str | None
) -> None:
    from migralint.plan.from_file_clauses import uncarried

    assert uncarried(statement, table_known) == clause
