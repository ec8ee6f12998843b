"""What the column-copying plans refuse about the table around the column, on a real
PostgreSQL, before the expand changes anything: generated columns reading the column,
triggers the backfill would fire, types that reject NULL; and replace-column's NOT NULL
carried over instead of left as a NOT VALID CHECK."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from plan_helpers import files, run_file, schema_of

from migralint.plan import add_column, change_column_type, rename_column, replace_column
from migralint.plan.model import Plan
from migralint.plan.write import write_plan
from migralint.sql.ops import Name

T = Name("t")


def _rename(**options: Any) -> Plan:
    return rename_column.plan(rename_column.Change(T, "a", "b", **options))


def _replace(**options: Any) -> Plan:
    change = replace_column.Change(
        T, "a", "b", "bigint", '"a" * 100', '"b" / 100', from_type="integer", **options
    )
    return replace_column.plan(change)


def _retype(**options: Any) -> Plan:
    change = change_column_type.Change(T, "a", "bigint", from_type="integer", **options)
    return change_column_type.plan(change)


def _add(**options: Any) -> Plan:
    change = add_column.Change(T, "c", "int", default="(random() * 10)::int", **options)
    return add_column.plan(change)


PLANS: dict[str, Callable[..., Plan]] = {
    "rename": _rename,
    "replace": _replace,
    "retype": _retype,
}


def _table(db: psycopg.Connection[Any], a: str = "int NOT NULL", extra: str = "") -> None:
    db.execute(f"CREATE TABLE t (id int PRIMARY KEY, a {a}, n int{extra})")
    db.execute("INSERT INTO t (id, a, n) SELECT g, g, g FROM generate_series(1, 30) AS g")


def _refused(db: psycopg.Connection[Any], tmp_path: Path, plan: Plan, message: str) -> None:
    """The expand fails with `message` and leaves the table as it was."""
    before = schema_of(db, "t")
    write_plan(plan, "golang-migrate", tmp_path)
    with pytest.raises(psycopg.errors.RaiseException, match=message):
        run_file(db, files(tmp_path, "expand", "up"))
    assert schema_of(db, "t") == before


def _run_ups(db: psycopg.Connection[Any], out: Path) -> None:
    for phase in ("expand", "backfill", "contract"):
        run_file(db, files(out, phase, "up"))


@pytest.mark.parametrize("kind", PLANS)
def test_a_column_a_generated_column_reads_is_refused(
    db: psycopg.Connection[Any], tmp_path: Path, kind: str
) -> None:
    """The contract could not drop it (PostgreSQL refuses while g uses it)."""
    _table(db, extra=", g int GENERATED ALWAYS AS (a * 2) STORED")
    _refused(db, tmp_path, PLANS[kind](), r"t\.a is used by generated column g")


def test_replace_column_refuses_a_column_a_view_reads(
    db: psycopg.Connection[Any], tmp_path: Path
) -> None:
    _table(db)
    db.execute("CREATE VIEW v AS SELECT id, a FROM t")
    _refused(db, tmp_path, _replace(), r"t\.a is used by rule _RETURN on view v: the contract")


GUARD = (
    "CREATE FUNCTION guard() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'rows of t are frozen'; END $$"
)


@pytest.mark.parametrize("kind", [*PLANS, "add"])
def test_a_trigger_the_backfill_would_fire_is_refused_before_anything_changes(
    db: psycopg.Connection[Any], tmp_path: Path, kind: str
) -> None:
    """A guard raising on UPDATE would stop the backfill after the expand shipped."""
    _table(db)
    db.execute(GUARD)
    db.execute("CREATE TRIGGER frozen BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION guard()")
    plan = _add() if kind == "add" else PLANS[kind]()
    _refused(db, tmp_path, plan, r"t has triggers on UPDATE: frozen: the backfill's UPDATE")


def test_triggers_the_backfill_does_not_fire_are_not_refused(
    db: psycopg.Connection[Any], tmp_path: Path
) -> None:
    """A disabled trigger, an UPDATE OF another column, a DELETE trigger: none fires."""
    _table(db)
    db.execute(GUARD)
    for name, event in [("off", "UPDATE"), ("of_n", "UPDATE OF n"), ("on_delete", "DELETE")]:
        db.execute(
            f"CREATE TRIGGER {name} BEFORE {event} ON t FOR EACH ROW EXECUTE FUNCTION guard()"
        )
    db.execute("ALTER TABLE t DISABLE TRIGGER off")
    write_plan(_rename(), "golang-migrate", tmp_path)
    _run_ups(db, tmp_path)
    assert db.execute("SELECT count(*) FROM t WHERE b = id").fetchone() == (30,)


def test_another_plan_s_sync_trigger_is_not_refused(
    db: psycopg.Connection[Any], tmp_path: Path
) -> None:
    """Two plans on one table (plan --from runs every expand first): the second's backfill
    fires the first's sync trigger, which changes nothing."""
    _table(db)
    first, second = tmp_path / "first", tmp_path / "second"
    write_plan(_rename(), "golang-migrate", first)
    write_plan(rename_column.plan(rename_column.Change(T, "n", "m")), "golang-migrate", second)
    for phase in ("expand", "backfill", "contract"):
        for out in (first, second):
            run_file(db, files(out, phase, "up"))
    assert db.execute("SELECT count(*) FROM t WHERE b = id AND m = id").fetchone() == (30,)


def test_fire_triggers_runs_the_backfill_through_the_table_s_triggers(
    db: psycopg.Connection[Any], tmp_path: Path
) -> None:
    """The user accepts it: an updated_at trigger touches every backfilled row."""
    _table(db, extra=", touched boolean NOT NULL DEFAULT false")
    db.execute(
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN NEW.touched := true; RETURN NEW; END $$"
    )
    db.execute("CREATE TRIGGER touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch()")
    write_plan(_rename(fire_triggers=True), "golang-migrate", tmp_path)
    assert "-- so the expand refused a table with any" in files(
        tmp_path, "backfill", "up"
    ).read_text(encoding="utf-8")
    _run_ups(db, tmp_path)
    assert db.execute("SELECT count(*) FROM t WHERE b = id AND touched").fetchone() == (30,)


@pytest.mark.parametrize("kind", ["rename", "replace", "add"])
def test_a_type_that_rejects_null_is_refused(
    db: psycopg.Connection[Any], tmp_path: Path, kind: str
) -> None:
    """The new column cannot be added empty: every row, and N-1's INSERTs, would break it."""
    db.execute("CREATE DOMAIN nn AS int NOT NULL")
    _table(db, a="nn" if kind == "rename" else "int NOT NULL")
    plans = {
        "rename": _rename,
        "replace": lambda: replace_column.plan(
            replace_column.Change(T, "a", "b", "nn", '"a" * 100', '"b" / 100', from_type="integer")
        ),
        "add": lambda: add_column.plan(add_column.Change(T, "c", "nn", default="(random())::int")),
    }
    _refused(
        db, tmp_path, plans[kind](), r"the type nn does not accept NULL \(a domain with NOT NULL"
    )


def test_a_domain_check_rejecting_null_is_refused(
    db: psycopg.Connection[Any], tmp_path: Path
) -> None:
    db.execute("CREATE DOMAIN filled AS int CHECK (VALUE IS NOT NULL)")
    _table(db, a="filled")
    _refused(db, tmp_path, _rename(), r"the type filled does not accept NULL")


def test_replace_column_makes_the_new_column_not_null_and_the_downs_give_it_back(
    db: psycopg.Connection[Any], tmp_path: Path
) -> None:
    """No NOT VALID CHECK is left behind: NOT NULL moves to the new column in the contract
    and back to the old one through the downs."""
    _table(db)
    before = schema_of(db, "t")
    write_plan(_replace(), "golang-migrate", tmp_path)
    _run_ups(db, tmp_path)
    after = schema_of(db, "t")
    assert ("b", "bigint", True, None, "", "", None, None) in after["columns"]
    assert [c[0] for c in after["constraints"]] == ["t_pkey"]
    for phase in ("contract", "backfill", "expand"):
        run_file(db, files(tmp_path, phase, "down"))
    assert schema_of(db, "t") == before
    assert db.execute("SELECT count(*) FROM t WHERE a = id").fetchone() == (30,)


@pytest.mark.parametrize("kind", [*PLANS, "add"])
@pytest.mark.parametrize(
    ("fire", "words"),
    [
        (False, "-- It refuses a table with triggers on UPDATE (plan with --fire-triggers"),
        (True, "-- Planned with --fire-triggers: the table's triggers on UPDATE fire for every"),
    ],
)
def test_the_expand_header_says_what_it_does_with_triggers_on_update(
    tmp_path: Path, kind: str, fire: bool, words: str
) -> None:
    plan = (_add if kind == "add" else PLANS[kind])(fire_triggers=fire)
    write_plan(plan, "golang-migrate", tmp_path)
    assert words in files(tmp_path, "expand", "up").read_text(encoding="utf-8")
