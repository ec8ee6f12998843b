"""Replace a column by a new one computed from it: add it, sync both, backfill, drop the old."""

from __future__ import annotations

from dataclasses import dataclass, field

from migralint.plan import expressions, sql
from migralint.plan.model import Phase, Plan, PlanError
from migralint.sql.names import quote, quote_name
from migralint.sql.ops import Name


@dataclass(frozen=True)
class Change:
    table: Name
    column: str = field(metadata={"help": "The column to replace."})
    to: str = field(metadata={"help": "The new column's name."})
    type: str = field(metadata={"help": "The new column's type."})
    up: str = field(
        metadata={"help": "SQL computing the new column from the old, e.g. 'a / 100.0'."}
    )
    down: str | None = field(
        default=None,
        metadata={"help": "SQL computing the old column back from the new (default: one-way)."},
    )
    from_type: str | None = field(
        default=None, metadata={"help": "The old column's type (default: from the migrations)."}
    )
    key: str = field(default="id", metadata={"help": "Primary key to batch the backfill by."})
    batch_size: int = field(default=1000, metadata={"help": "Rows per backfill batch."})
    lock_timeout: str = field(default="2s", metadata={"help": "lock_timeout for DDL."})


def sync_function(function: Name, old: str, new: str, to_new: str, to_old: str | None) -> str:
    """A BEFORE INSERT OR UPDATE trigger function keeping `new` = f(`old`) and, with
    `to_old`, `old` = g(`new`); `to_new`/`to_old` are expressions over the row (NEW.…).

    INSERT: whichever side the writer filled computes the other. UPDATE: the side that
    changed wins and recomputes the stale other, unless the other already agrees with it
    (so a backfill of one side never rewrites the other through a lossy round trip); if
    both changed, both are kept as written. Without `to_old` only `old` → `new` is synced.
    With `to_new = NEW.old` and `to_old = NEW.new` it is rename-column's trigger.
    A BEFORE trigger only edits NEW, so it cannot recurse.
    """
    o, n = f"NEW.{quote(old)}", f"NEW.{quote(new)}"
    po, pn = f"OLD.{quote(old)}", f"OLD.{quote(new)}"
    old_changed = f"{o} IS DISTINCT FROM {po} AND {n} IS NOT DISTINCT FROM {pn}"
    if to_old is None:
        body = f"""  IF TG_OP = 'INSERT' THEN
    IF {n} IS NULL THEN
      {n} := {to_new};
    END IF;
  ELSIF {old_changed} THEN
    {n} := {to_new};
  END IF;"""
    else:
        body = f"""  IF TG_OP = 'INSERT' THEN
    IF {n} IS NULL THEN
      {n} := {to_new};
    ELSIF {o} IS NULL THEN
      {o} := {to_old};
    END IF;
  ELSIF {old_changed} THEN
    IF {o} IS DISTINCT FROM ({to_old}) THEN
      {n} := {to_new};
    END IF;
  ELSIF {n} IS DISTINCT FROM {pn} AND {o} IS NOT DISTINCT FROM {po} THEN
    IF {n} IS DISTINCT FROM ({to_new}) THEN
      {o} := {to_old};
    END IF;
  END IF;"""
    return f"""CREATE OR REPLACE FUNCTION {quote_name(function)}() RETURNS trigger
LANGUAGE plpgsql AS $sync$
BEGIN
{body}
  RETURN NEW;
END
$sync$;"""


def plan(change: Change) -> Plan:
    return build(change, "replace-column", sql.slug("replace", change.table.name, change.column))


def build(change: Change, operation: str, slug: str, note: str = "") -> Plan:
    """The three phases; change-column-type reuses them with its own slug and note."""
    table, column, to = change.table, change.column, change.to
    if to == column:
        raise PlanError(f"--to must differ from --column ({column})")
    if change.key in (column, to):
        raise PlanError(
            f"{table}.{column} is the batching key --key {change.key}: replacing a key column "
            "(a primary key, a referenced column) needs its own procedure; pass another --key "
            "if it is not the primary key"
        )
    if change.from_type is None:
        raise PlanError(f"the type of {table}.{column} is needed: pass --from-type")
    up = expressions.parse(change.up, table.name, "--up")
    if column not in up.columns:
        raise PlanError(f"--up {change.up!r} must read {column}")
    down = None if change.down is None else expressions.parse(change.down, table.name, "--down")
    if down is not None and to not in down.columns:
        raise PlanError(f"--down {change.down!r} must read {to}")

    t, old, new = quote_name(table), quote(column), quote(to)
    name = sql.generated_name(table.name, "sync", column, to)
    function = Name(name, table.schema)
    sync = sync_function(function, column, to, up.on("NEW"), down and down.on("NEW"))
    sync += "\n\n" + sql.create_trigger(table, name, function)
    lock = sql.lock_timeout(change.lock_timeout)
    drop_sync = sql.drop_trigger(table, name, function)

    if down is None:
        sync_note = (
            f"The trigger only fills {to} from {column}: without --down a row written through "
            f"{to} alone\nleaves {column} NULL (an INSERT fails if {column} is NOT NULL). "
            f"So the new release must keep writing {column}\ntoo, or release N-1 must never "
            "run again once the new release has written."
        )
    else:
        sync_note = (
            f"Writes of {column} (release N-1) recompute {to}, writes of {to} recompute "
            f"{column}\nthrough --down, so N-1 and the new release can run side by side."
        )
    default_note = (
        f"\nIf {column} has a DEFAULT, an INSERT writing only {to} keeps that default in "
        f"{column}: drop it first."
        if down is not None
        else ""
    )
    expand = Phase(
        "expand",
        f"{slug}_expand",
        f"Expand: add {to} {change.type} beside {column} on {table}, kept equal to "
        f"{up.text}\nby a trigger. {sync_note}{default_note}\nThe expressions must accept "
        "every value written meanwhile: an error in one fails that write.\n"
        "Next: run the migrate phase.",
        f"{lock}\n\nALTER TABLE {t} ADD COLUMN IF NOT EXISTS {new} {change.type};\n\n{sync}",
        f"{lock}\n\n{drop_sync}\n\nALTER TABLE {t} DROP COLUMN IF EXISTS {new};",
    )
    backfill = sql.backfill(table, change.key, to, up.text, change.batch_size, commit=True)
    if down is None:
        refill = (
            f"-- Without --down, {column} cannot be computed back from {to}: nothing to refill."
            "\nSELECT 1;"
        )
        refill_note = f"Its down cannot refill {column} (no --down)."
    else:
        refill = sql.backfill(table, change.key, column, down.text, change.batch_size, commit=True)
        refill_note = f"Its down refills {column} = {down.text} after a rolled-back contract."
    migrate = Phase(
        "migrate",
        f"{slug}_backfill",
        f"Migrate: fill {to} = {up.text} for existing rows, {change.batch_size} rows per "
        "committed batch,\noutside a transaction; safe to re-run. "
        f"{refill_note}\nThen give {to} what {column} had (NOT NULL, default, indexes, "
        f"constraints) and\nship the release that reads and writes {to}. Contract only after "
        f"that release is permanent\n(no rollback to a release that uses {column}).",
        backfill,
        refill,
        transactional=False,
    )
    if down is None:
        restore_note = (
            f"Its down re-creates {column} ({change.from_type}, nullable) and the trigger,\n"
            f"but cannot refill it: without --down, {column} stays NULL in every row."
        )
    else:
        restore_note = (
            f"Its down re-creates {column} ({change.from_type}, nullable) and the trigger; "
            "the migrate phase's\ndown then refills it."
        )
    contract = Phase(
        "contract",
        f"{slug}_contract",
        f"Contract: drop the sync trigger and {column}. Run it only once no running release "
        f"uses {column}.\n{restore_note}",
        f"{lock}\n\n{drop_sync}\n\nALTER TABLE {t} DROP COLUMN IF EXISTS {old};",
        f"{lock}\n\nALTER TABLE {t} ADD COLUMN IF NOT EXISTS {old} {change.from_type};\n\n{sync}",
    )
    if down is None:
        reversible = (
            f"Without --down the plan is one-way: new-release writes leave {column} NULL and "
            f"the contract's down cannot refill {column}."
        )
    else:
        reversible = (
            f"Every down restores the previous state, {column} refilled through --down; NOT "
            f"NULL, defaults and indexes of {column} are not re-imposed by the contract's down."
        )
    summary = (
        f"Replacing {table}.{column} by {to} ({change.type}) in three migrations: expand (new "
        "column + sync trigger), migrate (batched backfill), contract (drop the old column). "
        f"{note}{reversible}"
    )
    return Plan(operation, (expand, migrate, contract), summary)
