"""Conversions the plan cannot make in both directions are refused at plan time.

change-column-type converts the old column into the new one (the backfill, release N-1's
writes through the sync trigger) and back (the new release's writes, every down). Without
`--using` / `--reverse-using` each direction is an assignment, which PostgreSQL makes
only with an assignment cast: the planner's table of them is checked against the live
catalog, and each verdict against what PostgreSQL does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from plan_helpers import files, run_file

from migralint.plan import casts
from migralint.plan.change_column_type import Change, plan
from migralint.plan.model import PlanError
from migralint.plan.write import write_plan
from migralint.sql.ops import Name

_INTERNAL = (
    "{t}.typname !~ '^(reg|pg_)' AND {t}.typname NOT IN ('oid', 'xid', 'xid8', 'cid', 'tid', "
    "'int2vector', 'oidvector', 'aclitem', 'refcursor', 'gtsvector', 'txid_snapshot', "
    "'pg_snapshot', 'pg_lsn') AND {t}.typnamespace = 'pg_catalog'::regnamespace "
    "AND {t}.typtype = 'b'"
)


def test_the_cast_table_is_postgresql_s(db: psycopg.Connection[Any]) -> None:
    rows = db.execute(
        "SELECT format_type(castsource, NULL), format_type(casttarget, NULL) FROM pg_cast "
        "JOIN pg_type AS s ON s.oid = castsource JOIN pg_type AS t ON t.oid = casttarget "
        f"WHERE castcontext IN ('a', 'i') AND castsource <> casttarget "
        f"AND {_INTERNAL.format(t='s')} AND {_INTERNAL.format(t='t')}"
    ).fetchall()
    found: dict[str, set[str]] = {}
    for source, target in rows:
        found.setdefault(source, set()).add(target)
    assert found == {s: set(t) for s, t in casts.ASSIGNMENT_CASTS.items()}
    types = db.execute(
        "SELECT format_type(oid, NULL) FROM pg_type AS s WHERE typname !~ '^_' "
        f"AND typarray <> 0 AND {_INTERNAL.format(t='s')}"
    ).fetchall()
    assert {t for (t,) in types} == casts.BUILT_IN


PAIRS = [
    ("integer", "bigint"),
    ("bigint", "int4"),
    ("int", "boolean"),
    ("boolean", "integer"),
    ("varchar(40)", "varchar(5)"),
    ("text", "bigint"),
    ("bigint", "text"),
    ("uuid", "text"),
    ("text", "uuid"),
    ("json", "jsonb"),
    ("jsonb", "text"),
    ("text", "json"),
    ("timestamptz", "timestamp(3)"),
    ("date", "timestamp with time zone"),
    ("numeric(10, 2)", "integer"),
    ("int[]", "bigint[]"),
    ("text[]", "int[]"),
    ("mood_old", "text"),
    ("mood_old", "mood_new"),
    ("text", "mood_new"),
    ("double precision", "real"),
    ("character(3)", "varchar"),
]


@pytest.mark.parametrize(("source", "target"), PAIRS)
def test_each_verdict_is_what_postgresql_does(
    db: psycopg.Connection[Any], source: str, target: str
) -> None:
    """True: an assignment converts; False or unknown: it fails, as the plan would."""
    db.execute("CREATE TYPE mood_old AS ENUM ('a', 'b'); CREATE TYPE mood_new AS ENUM ('a', 'c')")
    db.execute(f"CREATE TABLE t (a {source}, b {target})")
    try:
        db.execute("EXPLAIN INSERT INTO t (b) SELECT a FROM t")
        converts = True
    except psycopg.errors.DatatypeMismatch:
        converts = False
    verdict = casts.assignable(source, target)
    assert verdict is converts or (verdict is None and not converts)


def test_enum_to_enum_is_refused_at_plan_time_until_both_directions_are_given(
    db: psycopg.Connection[Any], tmp_path: Path
) -> None:
    """trigger.dev's enum swap: `USING status::text::status_new` converts one way only;
    the new release's writes and the downs need the way back."""
    db.execute(
        "CREATE TYPE status_old AS ENUM ('queued', 'done');"
        "CREATE TYPE status_new AS ENUM ('queued', 'done', 'failed');"
        "CREATE TABLE runs (id bigint PRIMARY KEY, status status_old NOT NULL);"
        "INSERT INTO runs SELECT g, 'queued' FROM generate_series(1, 30) AS g"
    )
    using = "status::text::status_new"
    with pytest.raises(PlanError, match="give the conversion with --reverse-using") as refused:
        plan(Change(Name("runs"), "status", "status_new", using=using, from_type="status_old"))
    assert "status_new back to status_old" in str(refused.value)
    with pytest.raises(PlanError, match=r"status_old converts to status_new.*with --using"):
        plan(Change(Name("runs"), "status", "status_new", from_type="status_old"))

    change = Change(
        Name("runs"),
        "status",
        "status_new",
        using=using,
        reverse_using="status_new::text::status_old",
        from_type="status_old",
    )
    write_plan(plan(change), "golang-migrate", tmp_path)
    run_file(db, files(tmp_path, "expand", "up"))
    db.execute("INSERT INTO runs (id, status) VALUES (100, 'done')")  # release N-1
    db.execute("UPDATE runs SET status_new = 'done' WHERE id = 1")  # through the new column
    run_file(db, files(tmp_path, "backfill", "up"))
    run_file(db, files(tmp_path, "contract", "up"))
    rows = db.execute("SELECT status::text, count(*) FROM runs GROUP BY 1 ORDER BY 1").fetchall()
    assert rows == [("done", 2), ("queued", 29)]
    assert db.execute(
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = 'runs'::regclass AND attname = 'status'"
    ).fetchone() == ("status_new",)
    for phase in ("contract", "backfill", "expand"):
        run_file(db, files(tmp_path, phase, "down"))
    rows = db.execute("SELECT status::text, count(*) FROM runs GROUP BY 1 ORDER BY 1").fetchall()
    assert rows == [("done", 2), ("queued", 29)]


def test_text_to_bigint_needs_using_and_then_converts_back_by_assignment() -> None:
    with pytest.raises(PlanError, match="from text to bigint: give the conversion with --using"):
        plan(Change(Name("events"), "n", "bigint", from_type="text"))
    planned = plan(Change(Name("events"), "n", "bigint", using="n::bigint", from_type="text"))
    assert planned.operation == "change-column-type"
