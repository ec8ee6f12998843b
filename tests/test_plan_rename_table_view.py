"""rename-table's old name is a view until the contract: the plan says exactly what
release N-1 can still do through it, and PostgreSQL agrees, statement by statement."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from plan_helpers import files, run_file

from migralint.plan import rename_table
from migralint.plan.write import write_plan
from migralint.sql.ops import Name

# statement on the old name → the words of the plan's text that promise it
WORKS = {
    "SELECT * FROM orders FOR UPDATE": "SELECT (FOR UPDATE too)",
    "INSERT INTO orders VALUES (2, 'b') RETURNING id": "INSERT (RETURNING, ON CONFLICT)",
    "INSERT INTO orders VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET note = excluded.note": (
        "ON CONFLICT"
    ),
    "UPDATE orders SET note = 'c' WHERE id = 2": "UPDATE",
    "DELETE FROM orders WHERE id = 2": "DELETE",
    "BEGIN; LOCK TABLE orders; COMMIT": "LOCK",
}
FAILS = {
    "TRUNCATE orders": "TRUNCATE",
    "MERGE INTO orders USING (SELECT 1 AS id) AS s ON orders.id = s.id "
    "WHEN MATCHED THEN UPDATE SET note = 'm'": "MERGE (before PostgreSQL 17)",
    "ALTER TABLE orders ADD COLUMN extra int": "ALTER TABLE",
    "CREATE INDEX ON orders (note)": "CREATE INDEX",
    "CREATE TRIGGER t BEFORE INSERT ON orders FOR EACH ROW "
    "EXECUTE FUNCTION suppress_redundant_updates_trigger()": "CREATE TRIGGER",
    "COMMENT ON TABLE orders IS 'x'": "COMMENT ON TABLE",
}
COPIES = {"COPY orders FROM STDIN": "COPY … FROM", "COPY orders TO STDOUT": "COPY … TO"}


def _one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def expanded(db: psycopg.Connection[Any], tmp_path: Path) -> psycopg.Connection[Any]:
    db.execute("CREATE TABLE orders (id int PRIMARY KEY, note text)")
    db.execute("INSERT INTO orders VALUES (1, 'a')")
    write_plan(
        rename_table.plan(rename_table.Change(Name("orders"), "purchases")),
        "golang-migrate",
        tmp_path,
    )
    run_file(db, files(tmp_path, "expand", "up"))
    return db


def test_the_plan_states_what_the_view_accepts_and_refuses() -> None:
    planned = rename_table.plan(rename_table.Change(Name("orders"), "purchases"))
    for text in (_one_line(planned.phases[0].header), planned.summary):
        for words in [*WORKS.values(), *FAILS.values(), *COPIES.values()]:
            assert words in text
        assert "columns added to purchases later are not in the view" in text


@pytest.mark.parametrize("statement", list(WORKS))
def test_what_the_plan_promises_works_through_the_old_name(
    expanded: psycopg.Connection[Any], statement: str
) -> None:
    expanded.execute(statement)


@pytest.mark.parametrize("statement", list(FAILS))
def test_what_the_plan_says_fails_does_fail_on_the_old_name(
    expanded: psycopg.Connection[Any], statement: str
) -> None:
    if expanded.info.server_version >= 170000 and statement.startswith("MERGE"):
        pytest.skip("PostgreSQL 17 merges into an updatable view")
    with pytest.raises((psycopg.errors.WrongObjectType, psycopg.errors.FeatureNotSupported)):
        expanded.execute(statement)
    expanded.execute("SELECT 1 FROM purchases")  # the table itself still takes it


@pytest.mark.parametrize("statement", list(COPIES))
def test_copy_fails_on_the_old_name_and_works_on_the_new(
    expanded: psycopg.Connection[Any], statement: str
) -> None:
    for name, fails in (("orders", True), ("purchases", False)):
        try:
            with expanded.cursor().copy(statement.replace("orders", name)) as copy:
                if "FROM" in statement:
                    copy.write_row((7, "copied"))
                else:
                    assert list(copy.rows()) == [("1", "a")]
        except psycopg.errors.WrongObjectType:
            assert fails
        else:
            assert not fails
