"""Columns whose type is a domain with a DEFAULT, run for real: `ADD COLUMN new domain`
would fill every existing row with the domain's default, the backfill (which fills only
NULLs) would skip them and the contract would drop the old values. Every plan must end
with the rows, and the default, that the plain statement it replaces gives."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from plan_helpers import files, run_file, schema_of

from migralint.plan.change_column_type import Change as ChangeType
from migralint.plan.change_column_type import plan as change_type_plan
from migralint.plan.model import Plan
from migralint.plan.rename_column import Change as RenameColumn
from migralint.plan.rename_column import plan as rename_plan
from migralint.plan.replace_column import Change as ReplaceColumn
from migralint.plan.replace_column import plan as replace_plan
from migralint.plan.write import write_plan
from migralint.sql.ops import Name

DOMAIN = (
    "CREATE DOMAIN order_status AS text DEFAULT 'new' CHECK (VALUE IN ('new', 'paid', 'shipped'))"
)
CODE = "CASE {c} WHEN 1 THEN 'new' WHEN 2 THEN 'paid' ELSE 'shipped' END"
UNCODE = "CASE {c} WHEN 'new' THEN 1 WHEN 'paid' THEN 2 ELSE 3 END"

# column definition, plan, N-1's INSERT during the transition, the plain statement, and
# the final column
CASES: dict[str, tuple[str, Callable[[], Plan], str, str, str]] = {
    "rename-column": (
        "st order_status NOT NULL",
        lambda: rename_plan(RenameColumn(Name("orders"), "st", "status")),
        "INSERT INTO orders (id, st) VALUES (100, 'shipped')",
        "ALTER TABLE orders RENAME COLUMN st TO status",
        "status",
    ),
    "change-column-type": (
        "status text NOT NULL",
        lambda: change_type_plan(
            ChangeType(
                Name("orders"),
                "status",
                "order_status",
                using="status",
                reverse_using="status_new",
                from_type="text",
            )
        ),
        "INSERT INTO orders (id, status) VALUES (100, 'shipped')",
        "ALTER TABLE orders ALTER COLUMN status TYPE order_status",
        "status",
    ),
    "replace-column": (
        "code int NOT NULL",
        lambda: replace_plan(
            ReplaceColumn(
                Name("orders"),
                "code",
                "status",
                "order_status",
                up=CODE.format(c="code"),
                down=UNCODE.format(c="status"),
                from_type="int",
            )
        ),
        "INSERT INTO orders (id, code) VALUES (100, 3)",
        "ALTER TABLE orders ADD COLUMN status order_status; "
        f"UPDATE orders SET status = {CODE.format(c='code')}; "
        "ALTER TABLE orders DROP COLUMN code",
        "status",
    ),
}
ROWS = "(1, 'paid'), (2, 'shipped'), (3, 'new')"


def _setup(conn: psycopg.Connection[Any], definition: str) -> None:
    conn.execute(DOMAIN)
    conn.execute(f"CREATE TABLE orders (id int PRIMARY KEY, {definition})")
    column = definition.split()[0]
    values = ROWS if definition.split()[1] != "int" else "(1, 2), (2, 3), (3, 1)"
    conn.execute(f"INSERT INTO orders (id, {column}) VALUES {values}")


@pytest.mark.parametrize("case", CASES)
def test_a_domain_default_never_replaces_the_copied_values(
    db: psycopg.Connection[Any], pg_server: Any, tmp_path: Path, case: str
) -> None:
    definition, make, insert, plain_sql, final = CASES[case]
    _setup(db, definition)
    before = schema_of(db, "orders")
    write_plan(make(), "golang-migrate", tmp_path)
    run_file(db, files(tmp_path, "expand", "up"))
    db.execute(insert)  # release N-1, before the backfill
    for phase in ("backfill", "contract"):
        run_file(db, files(tmp_path, phase, "up"))
    # After the contract, a row written without the column gets the domain's default.
    db.execute("INSERT INTO orders (id) VALUES (200)")
    got = db.execute(f"SELECT id, {final}::text FROM orders ORDER BY id").fetchall()
    assert got == [(1, "paid"), (2, "shipped"), (3, "new"), (100, "shipped"), (200, "new")]
    with pg_server.database() as plain:
        _setup(plain, definition)
        plain.execute(insert)
        plain.execute(plain_sql)
        plain.execute("INSERT INTO orders (id) VALUES (200)")
        assert got == plain.execute(f"SELECT id, {final}::text FROM orders ORDER BY id").fetchall()
        ours, theirs = schema_of(db, "orders")["columns"], schema_of(plain, "orders")["columns"]
        # replace-column leaves NOT NULL to the user; the default is the domain's on both.
        assert [c[:2] + c[3:] for c in ours] == [c[:2] + c[3:] for c in theirs]
    for phase in ("contract", "backfill", "expand"):
        run_file(db, files(tmp_path, phase, "down"))
    db.execute("DELETE FROM orders WHERE id >= 100")
    restored = schema_of(db, "orders")
    if case == "replace-column":  # its downs do not re-impose NOT NULL (the header says so)
        restored["columns"] = [(*c[:2], True, *c[3:]) for c in restored["columns"]]
    assert restored == before
