"""Rename a column: add the new one, keep both in sync, backfill, switch, drop the old."""

from __future__ import annotations

from dataclasses import dataclass, field

from migralint.plan import column_copy, mysql, sql
from migralint.plan.model import Phase, Plan, PlanError, shown
from migralint.sql.ops import Name


def default_note(column: str, to: str) -> str:
    """What the sync trigger does with an INSERT that writes one side only."""
    return (
        f"An INSERT writing only one of {column} and {to} gives the other its value, unless "
        f"that side's default calls\na function that is not immutable (a serial's next "
        f"value, now()): then it keeps that default, and\nthe contract refuses the row; "
        "until the contract, write both sides or neither there."
    )


REFUSED = (
    "Carried over: the exact type and collation, NOT NULL, the default, a serial's "
    "sequence or the identity,\nthe column's own foreign keys, and the indexes, UNIQUE and "
    "CHECK constraints given with --indexes\n(rebuilt on the new column, concurrently for "
    "indexes, and renamed back in the contract).\nThe expand refuses a generated column, a "
    "type that rejects NULL, a new name that is already a column,\nand a column that other "
    "indexes or constraints, generated columns, foreign keys of other tables, views\nor "
    "policies use."
)


@dataclass(frozen=True)
class Change:
    table: Name
    column: str = field(metadata={"help": "The column to rename."})
    to: str = field(metadata={"help": "The new name."})
    type: str | None = field(
        default=None,
        metadata={
            "help": "MySQL: the column's type (default: from the migrations). PostgreSQL "
            "copies the live column's exact type."
        },
    )
    indexes: str | None = field(default=None, metadata={"help": column_copy.INDEXES_HELP})
    key: str = field(default="id", metadata={"help": "Primary key to batch the backfill by."})
    batch_size: int = field(default=1000, metadata={"help": "Rows per backfill batch."})
    lock_timeout: str = field(default="2s", metadata={"help": "lock_timeout for DDL."})
    fire_triggers: bool = field(default=False, metadata={"help": sql.FIRE_TRIGGERS_HELP})
    dialect: str = field(
        default="postgres",
        metadata={
            "help": "mysql: two sync triggers and guarded online DDL instead.",
            "choices": ["postgres", "mysql"],
        },
    )


def plan(change: Change) -> Plan:
    if change.to == change.column:
        raise PlanError(shown(f"--to must differ from --column ({change.column})"))
    if change.dialect == "mysql":
        return plan_mysql(change)
    if change.dialect != "postgres":
        raise PlanError(
            shown(f"--dialect {change.dialect!r}: rename-column plans postgres or mysql")
        )
    table, column, to = change.table, change.column, change.to
    t = sql.qualified(table)
    base = table.name
    name = sql.generated_name(base, "sync", column, to)
    function = Name(name, table.schema)
    sync = sql.sync_function(table, function, column, to) + "\n\n"
    sync += sql.create_trigger(table, name, function)
    drop_sync = sql.drop_trigger(table, name, function)
    slug = sql.slug("rename", base, column, "to", to)
    lock = sql.lock_timeout(change.lock_timeout)
    carried = column_copy.carried_indexes(table, column, to, change.indexes)
    checks = column_copy.carried_checks(table, column, to, change.indexes)
    copies = "".join(c.copy for c in checks)
    backs = "".join(c.back for c in checks)
    expand = Phase(
        "expand",
        f"{slug}_expand",
        f"Expand: add {to} beside {column} on {table}, with {column}'s exact type and "
        "collation read from\nthe database (a serial becomes integer or bigint; the "
        f"sequence stays with {column} until the contract),\nand keep both in sync with a "
        f"trigger. Release N-1 (reading and writing {column}) keeps working.\n"
        f"{default_note(column, to)}\n"
        f"{sql.trigger_order_note(name, column)}\n{REFUSED}\n"
        f"{sql.triggers_note(change.fire_triggers)}\n"
        f"{column_copy.position_note(table, to)}\nNext: run the migrate phase.",
        f"{lock}\n\n{sql.update_triggers_check(table, change.fire_triggers)}"
        f"{column_copy.start_copy(table, column, to, name, carried=carried, checks=checks)}"
        f"\n\n{copies}{sync}",
        f"{lock}\n\n{column_copy.finish_move(table, to, column)}\n\n"
        f"{column_copy.attach_constraints(table, carried)}{drop_sync}\n\n"
        f"ALTER TABLE {t} DROP COLUMN IF EXISTS {sql.ident(to)};\n\n"
        f"{column_copy.name_copies(table)}",
    )
    migrate = Phase(
        "migrate",
        f"{slug}_backfill",
        f"Migrate: copy {column} into {to} for existing rows, {change.batch_size} "
        "rows per committed batch,\noutside a transaction; safe to re-run. Its down refills "
        f"{column} from {to} after a rolled-back contract.\n{sql.BACKFILL_FIRES_TRIGGERS}\n"
        "Then ship the "
        f"release that reads and writes {to}.\nContract only after that release is "
        f"permanent (no rollback to a release that uses {column}).",
        sql.backfill(table, change.key, to, sql.ident(column), change.batch_size, commit=True),
        sql.backfill(table, change.key, column, sql.ident(to), change.batch_size, commit=True),
        transactional=False,
    )
    stale = sql.differs(sql.ident(column), sql.ident(to))
    contract = Phase(
        "contract",
        f"{slug}_contract",
        f"Contract: give {to} what {column} has (NOT NULL through a validated CHECK, "
        "the default, a serial's\nsequence or the identity), drop the sync trigger and "
        f"{column}. Run it only once no running release\nuses {column}. Its down "
        f"re-creates {column} and the trigger; the migrate phase's down then refills\nit "
        "and the expand phase's down gives it back its NOT NULL, default and sequence.",
        f"{lock}\n\n{column_copy.finish_move(table, column, to)}\n\n{drop_sync}\n\n"
        f"{column_copy.retire(table, column, to, stale)}\n\n"
        f"{column_copy.name_indexes(table, carried)}"
        f"{column_copy.name_copies(table)}",
        f"{lock}\n\n{column_copy.unname_indexes(table, column, carried)}"
        f"{column_copy.start_copy(table, to, column, name, dependents='ignore')}\n\n"
        f"{backs}{sync}",
    )
    indexes = column_copy.index_phases(table, slug, column, to, carried)
    summary = (
        f"Renaming {table}.{column} to {to} in three migrations: expand (new column of the "
        "exact type and collation + sync trigger), migrate (batched backfill), contract "
        "(NOT NULL, default, sequence or identity moved over, old column dropped). Every "
        f"down restores the previous state, data and definition included. {REFUSED} "
        + " ".join(default_note(column, to).split("\n"))
        + " "
        + " ".join(column_copy.position_note(table, to).split("\n"))
    )
    return Plan("rename-column", (expand, migrate, *indexes, contract), summary)


def plan_mysql(change: Change) -> Plan:
    """The same three phases for MySQL: guarded online DDL, BEFORE INSERT and BEFORE
    UPDATE sync triggers, and a backfill of autocommitted batches."""
    if change.type is None:
        raise PlanError(shown(f"the type of {change.table}.{change.column} is needed: pass --type"))
    table, old, new = change.table, change.column, change.to
    trigger = sql.generated_name(table.name, "sync", old, new)
    timeout = change.lock_timeout
    sync = mysql.sync_triggers(table, trigger, old, new)
    slug = sql.slug("rename", table.name, old, "to", new)
    expand = Phase(
        "expand",
        f"{slug}_expand",
        f"Expand: add {new} beside {old} on {table} (online: ALGORITHM=INPLACE, LOCK=NONE) "
        "and keep\nboth in sync with BEFORE INSERT and BEFORE UPDATE triggers. Release N-1 "
        f"(reading and writing {old})\nkeeps working. MySQL DDL does not roll back: every "
        "step is guarded so a re-run after a failure\nfinishes the job.\n"
        f"{column_copy.position_note(table, new)}\nNext: run the migrate phase.",
        mysql.with_lock_wait_timeout(
            timeout, f"{mysql.add_column(table, new, change.type)}\n\n{sync}"
        ),
        mysql.with_lock_wait_timeout(
            timeout, f"{mysql.drop_triggers(table, trigger)}\n\n{mysql.drop_column(table, new)}"
        ),
    )
    migrate = Phase(
        "migrate",
        f"{slug}_backfill",
        f"Migrate: copy {old} into {new} for rows still empty, {change.batch_size} rows per "
        f"UPDATE in {change.key} order,\neach committed on its own (autocommit); safe to "
        f"re-run. Its down refills {old} from {new} after a rolled-back contract.\nThen ship "
        f"the release that reads and writes {new}. Contract only after that release is "
        f"permanent\n(no rollback to a release that uses {old}).",
        mysql.backfill(table, change.key, new, old, change.batch_size),
        mysql.backfill(table, change.key, old, new, change.batch_size),
    )
    contract = Phase(
        "contract",
        f"{slug}_contract",
        f"Contract: drop the sync triggers and {old}. Run it only once no running release "
        f"uses {old}.\nIts down re-creates {old} and the triggers; the migrate phase's down "
        "then refills it.",
        mysql.with_lock_wait_timeout(
            timeout, f"{mysql.drop_triggers(table, trigger)}\n\n{mysql.drop_column(table, old)}"
        ),
        mysql.with_lock_wait_timeout(
            timeout, f"{mysql.add_column(table, old, change.type)}\n\n{sync}"
        ),
    )
    summary = (
        f"Renaming {table}.{old} to {new} on MySQL in three migrations: expand (new column + "
        "BEFORE INSERT/UPDATE sync triggers), migrate (batched backfill), contract (drop the "
        "old column). Every down restores the previous state, data included; a NOT NULL on "
        "the old column is not re-imposed by the contract's down. "
        + " ".join(column_copy.position_note(table, new).split("\n"))
    )
    return Plan("rename-column", (expand, migrate, contract), summary)
