"""Hostile names through every operation and every writer: the files written must hold
exactly the statements they hold with plain names, every comment stays a comment, and a
plan with such names runs and rolls back on a real PostgreSQL. With plain names, every
plan in every layout lints clean."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import psycopg
import pytest
from plan_helpers import every_operation, files

from migralint.plan.model import PlanError
from migralint.plan.operations import OPERATIONS
from migralint.plan.write import write_plan
from migralint.plan.writers import WRITERS
from migralint.sql.split import split_statements

PLAIN = {"table": "orders", "column": "amount", "to": "total"}
HOSTILE = {
    "table": 'o"rd\\ers $sync$',
    "column": "n\nDROP TABLE students; --",
    "to": "t*/\r-- $backfill$ $guard$ $check$ $rename$",
}


def _plan(operation: str, names: dict[str, str]) -> Any:
    module = importlib.import_module(OPERATIONS[operation])
    return module.plan(module.Change(**every_operation(names)[operation]))


def _skeleton(text: str) -> list[str]:
    """The first two words of every statement: what a file runs, names aside."""
    return [
        " ".join(re.findall(r"[A-Za-z]+", s.text)[:2]).upper()
        for s in split_statements(text).statements
    ]


def _written(tmp_path: Path, operation: str, fmt: str, names: dict[str, str]) -> list[str]:
    out = tmp_path / ("hostile" if names is HOSTILE else "plain")
    return [p.read_text(encoding="utf-8") for p in write_plan(_plan(operation, names), fmt, out)]


@pytest.mark.parametrize(
    "fmt", sorted(set(WRITERS) - {"alembic"})
)  # SQL files; alembic: test_plan_alembic
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_hostile_names_change_no_statement(tmp_path: Path, operation: str, fmt: str) -> None:
    """The same statements as with plain names, or a refusal saying why (one line)."""
    plain = _written(tmp_path, operation, fmt, PLAIN)
    try:
        hostile = _written(tmp_path, operation, fmt, HOSTILE)
    except PlanError as refusal:
        assert "\n" not in str(refusal) and "\r" not in str(refusal)
        return
    assert [_skeleton(t) for t in hostile] == [_skeleton(t) for t in plain]
    for text in hostile:
        assert "DROP TABLE STUDENTS" not in " ".join(_skeleton(text))
        for line in text.split("\n"):
            assert "\r" not in line or not line.startswith("--")


def _run(db: psycopg.Connection[Any], path: Path) -> None:
    """As golang-migrate does: the file's bytes as one query (a CR stays a CR)."""
    db.execute(path.read_bytes().decode())


def test_a_hostile_rename_runs_and_rolls_back(db: psycopg.Connection[Any], tmp_path: Path) -> None:
    """Every up then every down, as golang-migrate runs them: the data survives and so
    does the table a name tried to drop."""
    table, column, to = (f'"{HOSTILE[k].replace(chr(34), chr(34) * 2)}"' for k in PLAIN)
    db.execute("CREATE TABLE students (id int)")
    db.execute("CREATE SCHEMA app")
    db.execute(f"CREATE TABLE app.{table} (id int PRIMARY KEY, {column} integer)")
    db.execute(f"INSERT INTO app.{table} SELECT g, g * 10 FROM generate_series(1, 25) AS g")
    write_plan(_plan("rename-column", HOSTILE), "golang-migrate", tmp_path)
    phases = ("expand", "backfill", "contract")
    for phase in phases:
        _run(db, files(tmp_path, phase, "up"))
    assert db.execute(f"SELECT sum({to}) FROM app.{table}").fetchone() == (3250,)
    for phase in reversed(phases):
        _run(db, files(tmp_path, phase, "down"))
    assert db.execute(f"SELECT sum({column}) FROM app.{table}").fetchone() == (3250,)
    assert db.execute("SELECT to_regclass('students')").fetchone() == ("students",)


def test_dbmate_refuses_a_name_that_forges_its_marker(tmp_path: Path) -> None:
    """dbmate cuts a file at the first marker line, even inside a quoted name."""
    names = PLAIN | {"column": "x\n-- migrate:down y"}
    with pytest.raises(PlanError, match="dbmate would read as its -- migrate: marker"):
        write_plan(_plan("rename-column", names), "dbmate", tmp_path)
    assert list(tmp_path.iterdir()) == []
