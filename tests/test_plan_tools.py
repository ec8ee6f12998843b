"""Each writer's files run as its tool runs them, one after another on one connection,
on a real PostgreSQL: no setting leaks into the next file, a phase outside a transaction
runs outside one, and a role's statement_timeout does not cancel the long work where the
tool lets the file lift it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import psycopg
import pytest

from migralint.plan import create_index, rename_column
from migralint.plan.model import Plan
from migralint.plan.write import write_plan
from migralint.sql.ops import Name
from migralint.sql.split import split_statements

FORMATS = ["golang-migrate", "dbmate", "flyway", "sql"]


def _statements(text: str) -> list[str]:
    return [s.text for s in split_statements(text).statements]


def run_as(fmt: str, db: psycopg.Connection[Any], path: Path, direction: str) -> None:
    """Run one migration file the way `fmt`'s tool does."""
    text = path.read_bytes().decode()
    if fmt == "golang-migrate":  # the file as one query
        db.execute(text)
    elif fmt == "dbmate":  # the section as one query, in a transaction unless told not to
        _, up_marker, up, down_marker, down = re.split(
            r"^-- migrate:(?:up|down)(.*)$", text, flags=re.M
        )
        section, options = (down, down_marker) if direction == "down" else (up, up_marker)
        if "transaction:false" in options:
            db.execute(section)
        else:
            with db.transaction():
                db.execute(section)
    elif fmt == "flyway":  # statement by statement, in a transaction unless configured
        if path.with_name(path.name + ".conf").exists():
            for statement in _statements(text):
                db.execute(statement)
        else:
            with db.transaction():
                for statement in _statements(text):
                    db.execute(statement)
    else:  # psql -f: statement by statement, autocommit
        for statement in _statements(text):
            db.execute(statement)


def _files(fmt: str, out: Path, plan: Plan, direction: str) -> list[Path]:
    """The plan's files for one direction, in the order the tool runs them."""
    pattern = {
        ("golang-migrate", "up"): "*_{}.up.sql",
        ("golang-migrate", "down"): "*_{}.down.sql",
        ("dbmate", "up"): "*_{}.sql",
        ("dbmate", "down"): "*_{}.sql",
        ("flyway", "up"): "V*__{}.sql",
        ("flyway", "down"): "U*__{}.sql",
        ("sql", "up"): "*_{}.sql",
        ("sql", "down"): "*_{}.down.sql",
    }[fmt, direction]
    found = [next(out.glob(pattern.format(phase.slug))) for phase in plan.phases]
    return found if direction == "up" else found[::-1]


def _settings(db: psycopg.Connection[Any]) -> tuple[str, str]:
    return (
        db.execute("SHOW lock_timeout").fetchone()[0],  # type: ignore[index]
        db.execute("SHOW statement_timeout").fetchone()[0],  # type: ignore[index]
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_rename_runs_up_and_down_leaving_no_setting_behind(
    db: psycopg.Connection[Any], tmp_path: Path, fmt: str
) -> None:
    db.execute("CREATE TABLE users (id bigint PRIMARY KEY, name text)")
    db.execute("INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, 50) AS g")
    plan = rename_column.plan(rename_column.Change(Name("users"), "name", "full_name", "text"))
    write_plan(plan, fmt, tmp_path)
    for path in _files(fmt, tmp_path, plan, "up"):
        run_as(fmt, db, path, "up")
        assert _settings(db) == ("0", "0"), path.name
    assert db.execute("SELECT count(*) FROM users WHERE full_name LIKE 'user %'").fetchone() == (
        50,
    )
    for path in _files(fmt, tmp_path, plan, "down"):
        run_as(fmt, db, path, "down")
        assert _settings(db) == ("0", "0"), path.name
    assert db.execute("SELECT count(*) FROM users WHERE name LIKE 'user %'").fetchone() == (50,)


@pytest.mark.parametrize("fmt", FORMATS)
def test_create_index_concurrently_runs_outside_a_transaction(
    db: psycopg.Connection[Any], tmp_path: Path, fmt: str
) -> None:
    db.execute("CREATE TABLE users (id bigint PRIMARY KEY, email text)")
    plan = create_index.plan(create_index.Change(Name("users"), column="email"))
    write_plan(plan, fmt, tmp_path)
    for path in _files(fmt, tmp_path, plan, "up"):
        run_as(fmt, db, path, "up")
    assert db.execute(
        "SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_email_idx'::regclass"
    ).fetchone() == (True,)
    for path in _files(fmt, tmp_path, plan, "down"):
        run_as(fmt, db, path, "down")
    assert db.execute("SELECT to_regclass('users_email_idx')").fetchone() == (None,)


def test_flyway_lifts_statement_timeout_for_the_backfill(
    db: psycopg.Connection[Any], tmp_path: Path
) -> None:
    """A statement_timeout that the backfill of 200,000 rows exceeds does not cancel it,
    and the next file gets the connection's own settings back."""
    db.execute("CREATE TABLE users (id bigint PRIMARY KEY, name text)")
    db.execute("INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, 200000) AS g")
    plan = rename_column.plan(
        rename_column.Change(Name("users"), "name", "full_name", "text", batch_size=50000)
    )
    write_plan(plan, "flyway", tmp_path)
    expand, backfill, _ = _files("flyway", tmp_path, plan, "up")
    run_as("flyway", db, expand, "up")
    db.execute("SET statement_timeout = '20ms'")
    run_as("flyway", db, backfill, "up")
    assert _settings(db) == ("0", "0")
    assert db.execute("SELECT count(*) FROM users WHERE full_name IS NULL").fetchone() == (0,)
