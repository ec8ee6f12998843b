"""replace-column and change-column-type plans, run for real: idempotent expand, release
N-1 and N writers agreeing through the sync trigger, a re-runnable backfill that leaves
the old column alone, the contract, and every down back to the snapshot."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path
from typing import Any

import psycopg
import pytest
from plan_helpers import files, run_file, schema_of

from migralint.config import Settings
from migralint.engine import lint_paths
from migralint.plan import change_column_type, expressions, replace_column
from migralint.plan.model import PlanError
from migralint.plan.write import write_plan
from migralint.sql.ops import Name

ROWS = 2500


def one(db: psycopg.Connection[Any], query: str, *args: Any) -> Any:
    row = db.execute(query, args).fetchone()
    assert row is not None
    return row[0] if len(row) == 1 else tuple(row)


def downs(db: psycopg.Connection[Any], out: Path) -> None:
    for phase in ("contract", "backfill", "expand"):
        run_file(db, files(out, phase, "down"))


@pytest.mark.parametrize(
    ("table", "old", "new"),
    [("orders", "amount_cents", "amount"), ("Order Lines", "Amount Cents", "select")],
)
def test_replace_column_two_way_on_a_real_database(
    db: psycopg.Connection[Any], tmp_path: Path, table: str, old: str, new: str
) -> None:
    t, o, n = f'"{table}"', f'"{old}"', f'"{new}"'
    db.execute(f"CREATE TABLE {t} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, {o} bigint)")
    db.execute(f"CREATE INDEX ON {t} ({o})")
    db.execute(f"INSERT INTO {t} ({o}) SELECT g * 7 FROM generate_series(1, {ROWS}) g")
    before = schema_of(db, table)
    rows_before = db.execute(f"SELECT id, {o} FROM {t} ORDER BY id").fetchall()

    change = replace_column.Change(
        Name(table), old, new, "numeric(12,2)",
        up=f"{o} / 100.0", down=f"({n} * 100)::bigint", from_type="bigint", batch_size=300,
    )  # fmt: skip
    write_plan(replace_column.plan(change), "golang-migrate", tmp_path)
    expand = files(tmp_path, "expand", "up")
    run_file(db, expand)
    run_file(db, expand)  # idempotent

    # Release N-1 writes only the old column, release N only the new one.
    old_id = one(db, f"INSERT INTO {t} ({o}) VALUES (1234) RETURNING id")
    new_id = one(db, f"INSERT INTO {t} ({n}) VALUES (56.78) RETURNING id")
    assert one(db, f"SELECT {o}, {n} FROM {t} WHERE id = %s", old_id) == (1234, D("12.34"))
    assert one(db, f"SELECT {o}, {n} FROM {t} WHERE id = %s", new_id) == (5678, D("56.78"))
    db.execute(f"UPDATE {t} SET {o} = 999 WHERE id = %s", (new_id,))  # N-1 updates
    db.execute(f"UPDATE {t} SET {n} = 1.5 WHERE id = %s", (old_id,))  # N updates
    db.execute(f"UPDATE {t} SET {n} = 0.07 WHERE id = 1")  # N, on a row not backfilled yet
    assert one(db, f"SELECT {o}, {n} FROM {t} WHERE id = %s", new_id) == (999, D("9.99"))
    assert one(db, f"SELECT {o}, {n} FROM {t} WHERE id = %s", old_id) == (150, D("1.50"))
    assert one(db, f"SELECT {o} FROM {t} WHERE id = 1") == 7

    backfill = files(tmp_path, "backfill", "up")
    run_file(db, backfill)
    run_file(db, backfill)  # guarded: a re-run changes nothing
    assert one(db, f"SELECT count(*) FROM {t} WHERE {n} IS DISTINCT FROM {o} / 100.0") == 0
    # The backfill wrote the new column only: the old one is untouched.
    assert db.execute(
        f"SELECT id, {o} FROM {t} WHERE id <= %s ORDER BY id", (ROWS,)
    ).fetchall() == (rows_before)

    run_file(db, files(tmp_path, "contract", "up"))
    assert [c[0] for c in schema_of(db, table)["columns"]] == sorted(["id", new])
    late = one(db, f"INSERT INTO {t} ({n}) VALUES (3.21) RETURNING id")

    downs(db, tmp_path)
    # The index on the old column went with it; everything else is back.
    assert schema_of(db, table) == {
        **before,
        "indexes": [i for i in before["indexes"] if i[0].endswith("_pkey")],
    }
    assert db.execute(
        f"SELECT id, {o} FROM {t} WHERE id <= %s ORDER BY id", (ROWS,)
    ).fetchall() == (rows_before)
    assert one(db, f"SELECT {o} FROM {t} WHERE id = %s", late) == 321  # refilled via --down


def test_replace_column_one_way_without_down(db: psycopg.Connection[Any], tmp_path: Path) -> None:
    db.execute("CREATE TABLE prices (id int PRIMARY KEY, cents int)")
    db.execute(f"INSERT INTO prices SELECT g, g FROM generate_series(1, {ROWS}) g")
    before = schema_of(db, "prices")
    change = replace_column.Change(
        Name("prices"), "cents", "euros", "numeric", up="cents / 100.0", from_type="integer"
    )
    planned = replace_column.plan(change)
    assert "one-way" in planned.summary and "cannot refill cents" in planned.summary
    write_plan(planned, "golang-migrate", tmp_path)
    assert "N-1 must never run again" in files(tmp_path, "expand", "up").read_text()
    assert "cannot refill" in files(tmp_path, "contract", "down").read_text()

    run_file(db, files(tmp_path, "expand", "up"))
    run_file(db, files(tmp_path, "expand", "up"))
    db.execute("INSERT INTO prices (id, cents) VALUES (-1, 250)")  # N-1
    db.execute("INSERT INTO prices (id, euros) VALUES (-2, 4)")  # N: cents stays NULL
    db.execute("UPDATE prices SET cents = 300 WHERE id = -1")
    db.execute("UPDATE prices SET euros = 9 WHERE id = 1")  # N: cents is not touched
    rows = db.execute("SELECT id, cents, euros FROM prices WHERE id IN (-2, -1, 1) ORDER BY id")
    assert rows.fetchall() == [(-2, None, 4), (-1, 300, 3), (1, 1, 9)]

    run_file(db, files(tmp_path, "backfill", "up"))
    run_file(db, files(tmp_path, "backfill", "up"))
    assert one(db, "SELECT count(*) FROM prices WHERE euros IS NULL") == 0
    run_file(db, files(tmp_path, "contract", "up"))
    downs(db, tmp_path)
    assert schema_of(db, "prices") == before
    assert one(db, "SELECT count(*) FROM prices WHERE cents IS NOT NULL") == 0  # not refillable


def test_change_column_type_integer_to_bigint(db: psycopg.Connection[Any], tmp_path: Path) -> None:
    db.execute('CREATE TABLE "Stock" (id int PRIMARY KEY, "Qty" integer NOT NULL)')
    db.execute(f'INSERT INTO "Stock" SELECT g, g * 3 FROM generate_series(1, {ROWS}) g')
    before = schema_of(db, "Stock")
    rows_before = db.execute('SELECT id, "Qty" FROM "Stock" ORDER BY id').fetchall()
    change = change_column_type.Change(
        Name("Stock"), "Qty", "bigint", from_type="integer", batch_size=400
    )
    planned = change_column_type.plan(change)
    assert "Every release reads and writes Qty: its type changes at the contract" in (
        planned.summary
    )
    write_plan(planned, "golang-migrate", tmp_path)
    run_file(db, files(tmp_path, "expand", "up"))
    run_file(db, files(tmp_path, "expand", "up"))

    db.execute('INSERT INTO "Stock" (id, "Qty") VALUES (-1, 5)')  # N-1 (NOT NULL Qty)
    db.execute('INSERT INTO "Stock" (id, "Qty_new") VALUES (-2, 6)')  # N fills NOT NULL Qty
    db.execute('UPDATE "Stock" SET "Qty_new" = 8 WHERE id = 2')
    db.execute('UPDATE "Stock" SET "Qty" = 9 WHERE id = -2')
    rows = db.execute(
        'SELECT id, "Qty", "Qty_new" FROM "Stock" WHERE id IN (-2, -1, 2) ORDER BY id'
    )
    assert rows.fetchall() == [(-2, 9, 9), (-1, 5, 5), (2, 8, 8)]
    with pytest.raises(psycopg.errors.NumericValueOutOfRange):  # N-1 cannot hold it
        db.execute('INSERT INTO "Stock" (id, "Qty_new") VALUES (-3, 5000000000)')

    for _ in range(2):
        run_file(db, files(tmp_path, "backfill", "up"))
    assert one(db, 'SELECT count(*) FROM "Stock" WHERE "Qty_new" IS DISTINCT FROM "Qty"') == 0
    run_file(db, files(tmp_path, "contract", "up"))
    assert [c[:3] for c in schema_of(db, "Stock")["columns"]] == [
        ("Qty", "bigint", True),  # the name, NOT NULL and all: as ALTER COLUMN … TYPE
        ("id", "integer", True),
    ]
    db.execute('INSERT INTO "Stock" (id, "Qty") VALUES (-4, 5000000000)')  # now fine
    db.execute('DELETE FROM "Stock" WHERE id = -4')  # a value N-1 cannot hold blocks the down
    downs(db, tmp_path)
    assert schema_of(db, "Stock") == before
    db.execute('UPDATE "Stock" SET "Qty" = 2 * 3 WHERE id = 2')
    assert (
        db.execute('SELECT id, "Qty" FROM "Stock" WHERE id > 0 ORDER BY id').fetchall()
        == rows_before
    )


def test_change_column_type_text_to_integer(db: psycopg.Connection[Any], tmp_path: Path) -> None:
    db.execute("CREATE TABLE parts (id bigint PRIMARY KEY, code text)")
    db.execute(f"INSERT INTO parts SELECT g, 'P-' || g FROM generate_series(1, {ROWS}) g")
    db.execute("INSERT INTO parts VALUES (0, 'none'), (-9, NULL)")
    before = schema_of(db, "parts")
    using = "nullif(regexp_replace(code, '\\D', '', 'g'), '')::integer"
    change = change_column_type.Change(
        Name("parts"), "code", "integer", using=using, from_type="text", batch_size=500
    )
    write_plan(change_column_type.plan(change), "golang-migrate", tmp_path)
    run_file(db, files(tmp_path, "expand", "up"))
    run_file(db, files(tmp_path, "expand", "up"))

    db.execute("INSERT INTO parts (id, code) VALUES (-1, 'P-77')")  # N-1
    db.execute("INSERT INTO parts (id, code_new) VALUES (-2, 88)")  # N
    db.execute("UPDATE parts SET code = 'Q-5' WHERE id = -2")
    db.execute("UPDATE parts SET code_new = 123 WHERE id = 3")
    rows = db.execute("SELECT id, code, code_new FROM parts WHERE id IN (-2, -1, 3) ORDER BY id")
    assert rows.fetchall() == [(-2, "Q-5", 5), (-1, "P-77", 77), (3, "123", 123)]

    for _ in range(2):
        run_file(db, files(tmp_path, "backfill", "up"))
    assert one(db, "SELECT code, code_new FROM parts WHERE id = 10") == ("P-10", 10)  # kept
    assert one(db, "SELECT code, code_new FROM parts WHERE id = 0") == ("none", None)
    assert one(db, "SELECT count(*) FROM parts WHERE code_new IS NULL") == 2

    run_file(db, files(tmp_path, "contract", "up"))
    db.execute("INSERT INTO parts (id, code) VALUES (-3, 42)")  # code is the integer now
    downs(db, tmp_path)
    assert schema_of(db, "parts") == before
    # Only what the integer held comes back: the prefix is gone, unparsable values NULL.
    assert one(db, "SELECT code FROM parts WHERE id = 10") == "10"
    assert one(db, "SELECT code FROM parts WHERE id = -3") == "42"
    assert one(db, "SELECT code FROM parts WHERE id = 0") is None


def test_the_plans_lint_clean_with_migralint_itself(tmp_path: Path) -> None:
    plans = [
        replace_column.plan(
            replace_column.Change(
                Name("orders", "shop"), "amount_cents", "amount", "numeric",
                up="amount_cents / 100.0", down="(amount * 100)::bigint", from_type="bigint",
            )
        ),
        replace_column.plan(
            replace_column.Change(
                Name("prices"), "cents", "euros", "numeric", up="cents / 100.0", from_type="int"
            )
        ),
        change_column_type.plan(
            change_column_type.Change(Name("stock"), "qty", "bigint", from_type="integer")
        ),
    ]  # fmt: skip
    for i, planned in enumerate(plans):
        out = tmp_path / str(i)
        out.mkdir()
        write_plan(planned, "golang-migrate", out)
        result = lint_paths([out], Settings(pg_version=(12, 0)))
        assert [(Path(f.path).name, f.rule) for f in result.findings if f.severity >= 2] == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"from_type": None}, "pass --from-type"),
        ({"up": "1; DROP TABLE t"}, "one expression"),
        ({"up": "a + (SELECT max(a) FROM t)"}, "subquery"),
        ({"up": "42"}, "must read a"),
        ({"up": "other.a"}, "not a column of t"),
        ({"up": "a +"}, "not an SQL expression"),
        ({"down": "a * 2"}, "must read b"),
        ({"to": "a"}, "must differ"),
        ({"key": "a"}, "batching key"),
    ],
)
def test_replace_column_refuses_what_it_cannot_plan(kwargs: dict[str, Any], message: str) -> None:
    values: dict[str, Any] = {
        "table": Name("t"), "column": "a", "to": "b", "type": "bigint", "up": "a::bigint",
        "from_type": "int", **kwargs,
    }  # fmt: skip
    with pytest.raises(PlanError, match=message):
        replace_column.plan(replace_column.Change(**values))


def test_change_column_type_needs_a_change_of_type() -> None:
    with pytest.raises(PlanError, match="already has type"):
        change_column_type.plan(
            change_column_type.Change(Name("t"), "a", "INTEGER", from_type="integer")
        )
    with pytest.raises(PlanError, match="pass --from-type"):
        change_column_type.plan(change_column_type.Change(Name("t"), "a", "bigint"))


def test_expressions_rewrite_column_references_only() -> None:
    e = expressions.parse(
        """CASE WHEN "Code" ~ '^code$' THEN t.code::int ELSE "Code"||'code' END""", "t", "--up"
    )
    assert e.columns == {"Code", "code"}
    assert e.on("NEW") == (
        """CASE WHEN NEW."Code" ~ '^code$' THEN NEW.code::int ELSE NEW."Code"||'code' END"""
    )
    assert expressions.parse('"we""ird" + 1', "t", "--up").on("OLD") == 'OLD."we""ird" + 1'
    assert expressions.parse("Amount / 100", "t", "--up").on("NEW") == "NEW.amount / 100"


def test_the_sync_trigger_follows_every_column_up_reads(
    db: psycopg.Connection[Any], tmp_path: Path
) -> None:
    """`--up 'net * (1 + rate)'`: release N-1 changing only the rate must recompute the new
    column, as it does the old one; the new release's writes of it recompute the old."""
    db.execute(
        "CREATE TABLE prices (id bigint PRIMARY KEY, net numeric(10,2), rate numeric(4,2));"
        "INSERT INTO prices SELECT g, g, 0.20 FROM generate_series(1, 40) AS g"
    )
    change = replace_column.Change(
        Name("prices"), "net", "gross", "numeric(12,2)",
        up="net * (1 + rate)", down="gross / (1 + rate)", from_type="numeric(10,2)",
    )  # fmt: skip
    planned = replace_column.plan(change)
    assert "when net or any other column it reads changes (rate)" in planned.phases[0].header
    write_plan(planned, "golang-migrate", tmp_path)
    for phase in ("expand", "backfill"):
        run_file(db, files(tmp_path, phase, "up"))
    db.execute("UPDATE prices SET rate = 0.10 WHERE id = 10")  # release N-1: the rate alone
    assert one(db, "SELECT net, gross FROM prices WHERE id = 10") == (D("10.00"), D("11.00"))
    db.execute("UPDATE prices SET gross = 30.00 WHERE id = 20")  # the new release
    assert one(db, "SELECT net, gross FROM prices WHERE id = 20") == (D("25.00"), D("30.00"))
    db.execute("UPDATE prices SET gross = 60.00, rate = 0.50 WHERE id = 30")
    assert one(db, "SELECT net, gross FROM prices WHERE id = 30") == (D("40.00"), D("60.00"))
    run_file(db, files(tmp_path, "contract", "up"))
    assert one(db, "SELECT count(*) FROM prices WHERE gross = round(id * (1 + 0.20), 2)") == 37


def test_an_expression_reading_the_whole_row_is_refused_before_anything_changes(
    db: psycopg.Connection[Any], tmp_path: Path
) -> None:
    """`orders` in `--up` is no column: PostgreSQL reads the whole row there, which the
    sync trigger's `NEW.orders` cannot, so the expand refuses before any change."""
    db.execute(
        "CREATE TABLE orders (id bigint PRIMARY KEY, amount integer);"
        "INSERT INTO orders VALUES (1, 5)"
    )
    before = schema_of(db, "orders")
    change = replace_column.Change(
        Name("orders"), "amount", "weighted", "bigint",
        up="amount + octet_length(orders::text)", from_type="integer",
    )  # fmt: skip
    write_plan(replace_column.plan(change), "golang-migrate", tmp_path)
    with pytest.raises(psycopg.errors.RaiseException, match="reads orders, which is not a column"):
        run_file(db, files(tmp_path, "expand", "up"))
    assert schema_of(db, "orders") == before
