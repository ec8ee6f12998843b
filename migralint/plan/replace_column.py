"""Replace a column by a new one computed from it: add it, sync both, backfill, drop the old."""

from __future__ import annotations

from dataclasses import dataclass, field

from migralint.plan import column_copy, expressions, sql
from migralint.plan.model import Phase, Plan, PlanError, shown
from migralint.sql.ops import Name

# Settings a conversion can depend on (timestamp ↔ timestamptz, text ↔ date, interval,
# float and bytea output, money, names resolved through search_path): the sync trigger
# pins them to the expand's session (`SET … FROM CURRENT`).
CONVERSION_SETTINGS = (
    "TimeZone",
    "DateStyle",
    "IntervalStyle",
    "search_path",
    "extra_float_digits",
    "bytea_output",
    "lc_monetary",
)
SETTINGS_NOTE = (
    "The sync trigger converts with the settings of the session that ran the expand (TimeZone, "
    "DateStyle,\nIntervalStyle, search_path, …), as the ALTER it replaces would: run every "
    "phase with the same settings."
)


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
    from_collation: str | None = field(
        default=None, metadata={"help": column_copy.FROM_COLLATION_HELP}
    )
    key: str = field(default="id", metadata={"help": "Primary key to batch the backfill by."})
    batch_size: int = field(default=1000, metadata={"help": "Rows per backfill batch."})
    lock_timeout: str = field(default="2s", metadata={"help": "lock_timeout for DDL."})
    fire_triggers: bool = field(default=False, metadata={"help": sql.FIRE_TRIGGERS_HELP})


def sync_function(
    table: Name,
    function: Name,
    old: str,
    new: str,
    to_new: str,
    to_old: str | None,
    old_as_text: bool = False,
    inputs: frozenset[str] = frozenset(),
) -> str:
    """A BEFORE INSERT OR UPDATE trigger function keeping `new` = f(`old`) and, with
    `to_old`, `old` = g(`new`); `to_new`/`to_old` are expressions over the row (NEW.…).

    UPDATE: the side that changed wins and recomputes the stale other, unless the other
    already agrees with it (so a backfill of one side never rewrites the other through a
    lossy round trip); a change of another of `inputs` (the columns `to_new` reads
    besides `old`) counts as a change of the old side. Any other write (an INSERT, an
    UPDATE of neither side or of both) computes a NULL side from the other, so every
    write leaves a row that the NOT VALID `CHECK (… IS NOT NULL)` of the expand accepts,
    even one the backfill has not reached.
    Without `to_old` only `old` → `new` is synced.
    Every computed value is assigned to a variable or column of the target column's type:
    an assignment cast, as `UPDATE … SET` and `ALTER COLUMN … TYPE` convert, so a value
    that does not fit (too long for varchar(n), out of range) fails the write instead of
    being cut. A BEFORE trigger only edits NEW, so it cannot recurse. Values are compared
    exactly (`sql.differs`), not by `=`; with `old_as_text` (a json column, which has no
    `=`), `old` by its text alone.
    The function runs with the CONVERSION_SETTINGS of the session that creates it (the
    migrator's, which the ALTER it replaces would convert with), not the writer's.
    """
    t = sql.qualified(table)
    o, n = f"NEW.{sql.ident(old)}", f"NEW.{sql.ident(new)}"
    po, pn = f"OLD.{sql.ident(old)}", f"OLD.{sql.ident(new)}"
    old_differs = sql.differs(o, po, text_only=old_as_text)
    others = sorted(inputs - {old, new})
    read_changed = " OR ".join(
        [old_differs] + [sql.differs(f"NEW.{sql.ident(c)}", f"OLD.{sql.ident(c)}") for c in others]
    )
    read_changed = f"({read_changed})" if others else read_changed
    old_changed = f"{read_changed} AND NOT {sql.differs(n, pn)}"
    new_changed = f"{sql.differs(n, pn)} AND NOT {old_differs}"
    fill = f"""  IF {n} IS NULL THEN
    {n} := {to_new};"""
    if to_old is None:
        declare = ""
        body = f"""  IF TG_OP = 'UPDATE' THEN
    IF {old_changed} THEN
      {n} := {to_new};
      RETURN NEW;
    END IF;
  END IF;
{fill}
  END IF;"""
    else:
        declare = (
            f"DECLARE\n  as_old {t}.{sql.ident(old)}%TYPE;\n  as_new {t}.{sql.ident(new)}%TYPE;\n"
        )
        body = f"""  IF TG_OP = 'UPDATE' THEN
    IF {old_changed} THEN
      as_old := {to_old};
      IF {sql.differs(o, "as_old", text_only=old_as_text)} THEN
        {n} := {to_new};
      END IF;
      RETURN NEW;
    ELSIF {new_changed} THEN
      as_new := {to_new};
      IF {sql.differs(n, "as_new")} THEN
        {o} := {to_old};
      END IF;
      RETURN NEW;
    END IF;
  END IF;
{fill}
  ELSIF {o} IS NULL THEN
    {o} := {to_old};
  END IF;"""
    code = f"\n{sql.SYNC_MARKER}\n{declare}BEGIN\n{body}\n  RETURN NEW;\nEND\n"
    pinned = "".join(f"SET {setting} FROM CURRENT\n" for setting in CONVERSION_SETTINGS)
    return (
        f"CREATE OR REPLACE FUNCTION {sql.qualified(function)}() RETURNS trigger\n"
        f"LANGUAGE plpgsql\n{pinned}AS {sql.dollar_quoted(code, 'sync')};"
    )


def _inputs_note(up: expressions.Expression, column: str) -> str:
    """The expand's words on what the trigger follows when --up reads more than `column`."""
    others = sorted(up.columns - {column})
    if not others:
        return ""
    return (
        f" that recomputes it when {column} or any other column it reads changes "
        f"({', '.join(others)});\nwhat a function in it reads elsewhere (another table, the "
        "clock) is not followed"
    )


def plan(change: Change) -> Plan:
    return build(change, "replace-column", sql.slug("replace", change.table.name, change.column))


def build(
    change: Change,
    operation: str,
    slug: str,
    note: str = "",
    in_place: bool = False,
    indexes: str | None = None,
) -> Plan:
    """The three phases. change-column-type reuses them `in_place`: the new column takes
    the old one's NOT NULL, default and sequence or identity and then its name in the
    contract (the downs give them back), as `ALTER COLUMN … TYPE` keeps them, and the
    expand refuses a column whose indexes and constraints would be lost, except the
    `indexes` (CREATE INDEX statements) it rebuilds on the new column."""
    table, column, to = change.table, change.column, change.to
    if to == column:
        raise PlanError(shown(f"--to must differ from --column ({column})"))
    if change.key in (column, to):
        raise PlanError(
            shown(
                f"{table}.{column} is the batching key --key {change.key}: replacing a key "
                "column (a primary key, a referenced column) needs its own procedure; pass "
                "another --key if it is not the primary key"
            )
        )
    if change.from_type is None:
        raise PlanError(shown(f"the type of {table}.{column} is needed: pass --from-type"))
    new_type = expressions.sql_type(change.type)
    if column_copy.stored_type(new_type) != new_type:
        raise PlanError(
            shown(
                f"--type {new_type}: a serial would fill every row from a new sequence; give "
                f"{column_copy.stored_type(new_type)} (the contract moves {column}'s sequence)"
            )
        )
    from_type = column_copy.stored_type(expressions.sql_type(change.from_type, "--from-type"))
    up = expressions.parse(change.up, table.name, "--up")
    if column not in up.columns:
        raise PlanError(shown(f"--up {change.up!r} must read {column}"))
    down = None if change.down is None else expressions.parse(change.down, table.name, "--down")
    if down is not None and to not in down.columns:
        raise PlanError(shown(f"--down {change.down!r} must read {to}"))

    t, new = sql.qualified(table), sql.ident(to)
    name = sql.generated_name(table.name, "sync", column, to)
    function = Name(name, table.schema)
    # json has no `=`: the trigger compares it as text, which json keeps as written.
    json_column = column if from_type.lower() == "json" else None
    sync = sync_function(
        table,
        function,
        column,
        to,
        up.on("NEW"),
        down and down.on("NEW"),
        json_column is not None,
        up.columns,
    )
    sync += "\n\n" + sql.create_trigger(table, name, function)
    lock = sql.lock_timeout(change.lock_timeout)
    drop_sync = sql.drop_trigger(table, name, function)
    assignments = [(to, up.text)] + ([] if down is None else [(column, down.text)])
    carried = column_copy.carried_indexes(table, column, to, indexes)
    checks = column_copy.carried_checks(table, column, to, indexes)
    copies = "".join(c.copy for c in checks)
    backs = "".join(c.back for c in checks)
    add = column_copy.start_copy(
        table,
        column,
        to,
        name,
        new_type,
        dependents="refuse" if in_place else "blocking",
        carried=carried,
        copies_keys=in_place,
        checks=checks,
        json_column=json_column,
    )
    reads = up.columns | (down.columns if down is not None else frozenset())
    check = column_copy.conversion_check(table, assignments, reads)
    collation = column_copy.collation_check(table, column, change.from_collation)
    restore = column_copy.start_copy(
        table,
        to,
        column,
        name,
        from_type,
        change.from_collation,
        dependents="ignore",
        copies_keys=in_place,
        json_column=json_column,
    )
    # Without --down nothing refills the old column: the plan is one-way (it says so).
    refilled = converts = ""
    if down is not None:
        refilled = column_copy.refilled_check(table, column, to, down.text) + "\n\n"
        converts = (
            column_copy.converts_back(table, column, to, down.text, from_type, in_place) + "\n\n"
        )
    # The contract's down gives the refilled old column its NOT NULL back as a NOT VALID
    # CHECK (a NOT NULL new column); the expand's down validates it. Without --down
    # nothing refills it.
    settled = "" if down is None else "\n\n" + column_copy.settle_not_null(table, column)
    # The name the application reads after the contract.
    final = column if in_place else to

    if in_place:
        sync_note = (
            f"Release N-1 and the next release keep reading and writing {column}; {to} is "
            "the plan's own."
        )
    elif down is None:
        sync_note = (
            f"The trigger only fills {to} from {column}: without --down a row written through "
            f"{to} alone\nleaves {column} NULL (an INSERT fails if {column} is NOT NULL). "
            f"So the new release must keep writing {column}\ntoo, or release N-1 must never "
            "run again once the new release has written."
        )
    else:
        sync_note = (
            f"Writes of {column} (release N-1) recompute {to}, writes of {to} recompute "
            f"{column}\nthrough --down, so N-1 and the new release can run side by side.\nIf "
            f"{column} has a DEFAULT, an INSERT writing only {to} keeps that default in "
            f"{column}: drop it first."
        )
    expand = Phase(
        "expand",
        f"{slug}_expand",
        f"Expand: add {to} {new_type} beside {column} on {table}, kept equal to "
        f"{up.text}\nby a trigger{_inputs_note(up, column)}. {sync_note}\nValues are "
        "converted as an assignment "
        "(UPDATE … SET) converts them: one that does not fit fails\nthat write (it is never "
        "cut). The expand refuses a generated column, a type that rejects NULL,\na new name "
        "that is already a column, conversions PostgreSQL cannot make,\nand a column that "
        + (
            "indexes, constraints, generated columns or views use"
            if in_place
            else "generated columns, views, policies or other tables' foreign keys use\n(the "
            "contract could not drop it)"
        )
        + f".\n{sql.triggers_note(change.fire_triggers)}\n{SETTINGS_NOTE}\n"
        f"{sql.trigger_order_note(name, column)}\n"
        + (f"{column_copy.position_note(table, column)}\n" if in_place else "")
        + "Next: run the migrate phase.",
        f"{lock}\n\n{sql.update_triggers_check(table, change.fire_triggers)}"
        f"{collation}\n\n{add}\n\n{check}\n\n{copies}{sync}",
        f"{lock}\n\n{refilled}"
        + (f"{column_copy.finish_move(table, to, column)}\n\n" if in_place else "")
        + column_copy.attach_constraints(table, carried)
        + f"{drop_sync}\n\nALTER TABLE {t} DROP COLUMN IF EXISTS {new};\n\n"
        + (
            column_copy.name_copies(table)
            if in_place
            else column_copy.drop_null_default(table, column) + settled
        ),
    )
    backfill = sql.backfill(table, change.key, to, up.text, change.batch_size, commit=True)
    if down is None:
        refill = sql.no_sql(f"Without --down, {column} cannot be computed back from {to}.")
        refill_note = f"Its down cannot refill {column} (no --down)."
    else:
        refill = sql.backfill(table, change.key, column, down.text, change.batch_size, commit=True)
        refill_note = f"Its down refills {column} = {down.text} after a rolled-back contract."
    if in_place:
        next_step = (
            f"Then run the contract: it swaps {to} in under the name {column} in one brief "
            "lock, so no release\nchange is needed, but every running release must accept "
            f"{column} as {new_type}."
        )
    else:
        next_step = (
            f"Then give {to} what {column} had (default, indexes, constraints) and "
            f"ship the release\nthat reads and writes {to}. Contract only after that release "
            f"is permanent (no rollback to a\nrelease that uses {column})."
        )
    migrate = Phase(
        "migrate",
        f"{slug}_backfill",
        f"Migrate: fill {to} = {up.text} for existing rows, {change.batch_size} rows per "
        "committed batch,\noutside a transaction; safe to re-run; a value that does not "
        f"fit {new_type} stops it. {refill_note}\n{sql.BACKFILL_FIRES_TRIGGERS}\n{next_step}",
        backfill,
        refill,
        transactional=False,
    )
    if down is None:
        restore_note = (
            f"Its down re-creates {column} ({from_type}, nullable) and the trigger,\n"
            f"but cannot refill it: without --down, {column} stays NULL in every row."
        )
    else:
        restore_note = (
            f"Its down re-creates {column} ({from_type}) and the trigger; the migrate "
            "phase's\ndown then refills it"
            + (
                " and the expand phase's down gives back its NOT NULL, default and sequence."
                if in_place
                else "."
            )
            + f"\nThe down first refuses, changing nothing, a {to} that does not convert back to "
            f"{from_type};\nthe expand's down refuses to drop {to} while a row's {column} is "
            "not refilled."
        )
    # Rows the backfill would still fill: the trigger did not see their write.
    stale = f"{new} IS NULL AND ({up.text}) IS NOT NULL"
    if in_place:
        contract_up = (
            f"{column_copy.finish_move(table, column, to)}\n\n{drop_sync}\n\n"
            f"{column_copy.retire(table, column, to, stale, take_name=True)}\n\n"
            f"{column_copy.name_indexes(table, carried)}{column_copy.name_copies(table)}"
        )
        contract_down = (
            f"{converts}{column_copy.unretire(table, column, to)}\n\n"
            f"{column_copy.unname_indexes(table, column, carried)}{restore}\n\n{backs}{sync}"
        )
        contract_header = (
            f"Contract: move NOT NULL (a validated CHECK first), the default and a sequence "
            f"or identity to {to},\ndrop the sync trigger and {column}, and rename {to} to "
            f"{column}.\n{restore_note}"
        )
    else:
        contract_up = (
            f"{column_copy.settle_not_null(table, to)}\n\n"
            f"{drop_sync}\n\n{column_copy.retire(table, column, to, stale)}\n\n"
            f"{column_copy.drop_null_default(table, to)}"
        )
        contract_down = f"{converts}{restore}\n\n{sync}"
        contract_header = (
            f"Contract: make {to} NOT NULL if {column} is (validating the expand's CHECK), "
            f"drop the sync trigger and {column}.\nRun it only once no running release uses "
            f"{column}.\n{restore_note}"
        )
    contract = Phase(
        "contract",
        f"{slug}_contract",
        contract_header,
        f"{lock}\n\n{contract_up}",
        f"{lock}\n\n{contract_down}",
    )
    if down is None:
        reversible = (
            f"Without --down the plan is one-way: new-release writes leave {column} NULL and "
            f"the contract's down cannot refill {column}."
        )
    elif in_place:
        reversible = (
            f"Every down restores the previous state, {column} refilled and its definition "
            "given back. Carried over: NOT NULL, the default, a sequence or identity, the "
            "column's own foreign keys, and the indexes, UNIQUE and CHECK constraints given "
            "with --indexes. The expand refuses a column that other indexes or constraints, "
            "foreign keys of other tables, views or policies use."
        )
    else:
        reversible = (
            f"Every down restores the previous state, {column} refilled through --down. A NOT "
            f"NULL {column} makes {to} NOT NULL (a CHECK NOT VALID in the expand, validated "
            f"and SET NOT NULL in the contract), and the downs give it back to {column}; its "
            f"defaults and indexes are not re-imposed by the contract's down. "
            f"Indexes, UNIQUE, CHECK and foreign keys on {column} go with it: "
            f"re-create them on {to}."
        )
    summary = (
        f"Replacing {table}.{column} by {final} ({new_type}) in three migrations: expand (new "
        "column + sync trigger), migrate (batched backfill), contract (drop the old column"
        + (f", {to} renamed {column}" if in_place else "")
        + f"). {note}{reversible}"
        + (" " + " ".join(column_copy.position_note(table, column).split("\n")) if in_place else "")
    )
    rebuilt = column_copy.index_phases(table, slug, column, to, carried)
    return Plan(operation, (expand, migrate, *rebuilt, contract), summary)
