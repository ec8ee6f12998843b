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
from plan_helpers import files

from migralint.config import Settings
from migralint.engine import lint_paths
from migralint.plan.model import PlanError
from migralint.plan.operations import OPERATIONS
from migralint.plan.write import write_plan
from migralint.plan.writers import WRITERS
from migralint.sql.ops import Name
from migralint.sql.split import split_statements

PLAIN = {"table": "orders", "column": "amount", "to": "total"}
HOSTILE = {
    "table": 'o"rd\\ers $sync$',
    "column": "n\nDROP TABLE students; --",
    "to": "t*/\r-- $backfill$ $guard$ $check$ $rename$",
}


def _listed(name: str) -> str:
    """A name as a --column list item: double-quoted, quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def _changes(names: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Options for every operation, naming the table, a column and a new name."""
    table, column, to = Name(names["table"], "app"), names["column"], names["to"]
    return {
        "rename-column": {"table": table, "column": column, "to": to, "type": "integer"},
        "set-not-null": {"table": table, "column": column},
        "replace-column": {
            "table": table,
            "column": column,
            "to": to,
            "type": "bigint",
            "from_type": "integer",
            "up": _listed(column) + " * 100",
            "down": _listed(to) + " / 100",
        },
        "change-column-type": {
            "table": table,
            "column": column,
            "type": "bigint",
            "from_type": "integer",
        },
        "create-index": {"table": table, "column": _listed(column)},
        "drop-index": {"table": table, "index": to, "column": _listed(column)},
        "add-column": {"table": table, "column": to, "type": "integer", "default": "0"},
        "add-foreign-key": {
            "table": table,
            "column": _listed(column),
            "ref_table": to,
            "ref_column": _listed(column),
        },
        "add-check": {"table": table, "check": _listed(column) + " > 0"},
        "add-unique": {"table": table, "column": _listed(column)},
        "add-primary-key": {"table": table, "column": _listed(column)},
        "rename-table": {"table": table, "to": to},
        "drop-column": {"table": table, "column": column, "type": "integer"},
        "drop-table": {"table": table},
    }


def _plan(operation: str, names: dict[str, str]) -> Any:
    module = importlib.import_module(OPERATIONS[operation])
    return module.plan(module.Change(**_changes(names)[operation]))


def _skeleton(text: str) -> list[str]:
    """The first two words of every statement: what a file runs, names aside."""
    return [
        " ".join(re.findall(r"[A-Za-z]+", s.text)[:2]).upper()
        for s in split_statements(text).statements
    ]


def _written(tmp_path: Path, operation: str, fmt: str, names: dict[str, str]) -> list[str]:
    out = tmp_path / ("hostile" if names is HOSTILE else "plain")
    return [p.read_text(encoding="utf-8") for p in write_plan(_plan(operation, names), fmt, out)]


@pytest.mark.parametrize("fmt", sorted(WRITERS))
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


INIT = (
    "CREATE TABLE orders (id bigint PRIMARY KEY, amount integer, total integer);\n"
    "CREATE TABLE total (amount integer PRIMARY KEY);\n"
)
FIRST = {"golang-migrate": "1_init.up.sql", "flyway": "V1__init.sql", "sql": "0001_init.sql"}


# dbmate is left out: the linter reads a dbmate file's `-- migrate:down` section as part
# of its up, so every expand's down reads as an expand-phase violation.
@pytest.mark.parametrize("fmt", sorted(FIRST))
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_every_plan_lints_clean(tmp_path: Path, operation: str, fmt: str) -> None:
    """What the planner writes passes the linter's own rules, in every layout."""
    (tmp_path / FIRST[fmt]).write_text(INIT)
    changes = _changes(PLAIN)[operation] | {"table": Name("orders")}
    module = importlib.import_module(OPERATIONS[operation])
    write_plan(module.plan(module.Change(**changes)), fmt, tmp_path)
    findings = lint_paths([tmp_path], Settings(pg_version=(15, 0))).findings
    planned = [f for f in findings if Path(f.path).name != FIRST[fmt]]
    assert [(Path(f.path).name, f.rule, f.message) for f in planned] == []


def test_dbmate_refuses_a_name_that_forges_its_marker(tmp_path: Path) -> None:
    """dbmate cuts a file at the first marker line, even inside a quoted name."""
    names = PLAIN | {"column": "x\n-- migrate:down y"}
    with pytest.raises(PlanError, match="dbmate would read as its -- migrate: marker"):
        write_plan(_plan("rename-column", names), "dbmate", tmp_path)
    assert list(tmp_path.iterdir()) == []
