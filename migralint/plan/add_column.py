"""Add a column without a table rewrite: instant with a constant default, else backfilled.

The design: on PostgreSQL 11+ `ADD COLUMN … [NOT NULL] DEFAULT <non-volatile>` stores the
default in the catalog and rewrites nothing, so that single statement is the whole plan.
A volatile default (gen_random_uuid(), clock_timestamp()…) or a `--backfill` expression
would rewrite the table under an ACCESS EXCLUSIVE lock if written inline, so expand adds
the column nullable and sets the default for new rows only, migrate fills the existing
rows in committed batches, and with `--not-null` the contract runs set-not-null's three
steps. Those must be three migrations (three transactions): in one transaction the
ACCESS EXCLUSIVE lock taken by ADD CONSTRAINT would be held through VALIDATE's scan.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from migralint.plan import column_copy, expressions, set_not_null, sql
from migralint.plan.model import Phase, Plan, PlanError, shown
from migralint.postgres import is_volatile_expression
from migralint.sql.ops import Name


@dataclass(frozen=True)
class Change:
    table: Name
    column: str = field(metadata={"help": "The new column."})
    type: str = field(metadata={"help": "Its type, e.g. 'text' or 'numeric(12, 2)'."})
    default: str | None = field(
        default=None, metadata={"help": "Its default, as SQL, e.g. '0' or 'gen_random_uuid()'."}
    )
    not_null: bool = field(default=False, metadata={"help": "The column is NOT NULL."})
    collation: str | None = field(
        default=None, metadata={"help": "Its COLLATE, e.g. 'C' (default: the type's)."}
    )
    storage: str | None = field(
        default=None,
        metadata={
            "help": "Its STORAGE (default: the type's).",
            "choices": ["plain", "external", "extended", "main"],
        },
    )
    backfill: str | None = field(
        default=None,
        metadata={"help": "SQL filling existing rows, e.g. 'lower(email)' (default: --default)."},
    )
    key: str = field(default="id", metadata={"help": "Primary key to batch the backfill by."})
    batch_size: int = field(default=1000, metadata={"help": "Rows per backfill batch."})
    lock_timeout: str = field(default="2s", metadata={"help": "lock_timeout for DDL."})
    fire_triggers: bool = field(default=False, metadata={"help": sql.FIRE_TRIGGERS_HELP})


def _definition(change: Change) -> tuple[str, str]:
    """The ADD COLUMN statement's column (type and COLLATE, IF NOT EXISTS) and, with a
    STORAGE, the statement setting it (ADD COLUMN takes STORAGE only from PostgreSQL 16)."""
    t, c = sql.qualified(change.table), sql.ident(change.column)
    collate = "" if change.collation is None else f" COLLATE {sql.ident(change.collation)}"
    if change.storage is None:
        storage = ""
    elif change.storage.lower() in ("plain", "external", "extended", "main"):
        storage = f"\nALTER TABLE {t} ALTER COLUMN {c} SET STORAGE {change.storage.upper()};"
    else:
        raise PlanError(
            shown(f"--storage {change.storage!r}: give plain, external, extended or main")
        )
    return f"ALTER TABLE {t} ADD COLUMN IF NOT EXISTS {c} {change.type}{collate}", storage


def _code_only(note: str) -> str:
    return f"-- {note}\nSELECT 1;"


# Functions PostgreSQL marks IMMUTABLE or STABLE: a default calling only these is
# evaluated once by ADD COLUMN and stored in the catalog (no rewrite). Any other call
# (a user function, unless it is declared IMMUTABLE or STABLE) may be volatile, and a
# volatile default rewrites the table under ACCESS EXCLUSIVE.
_NOT_VOLATILE = frozenset(
    {
        "now", "transaction_timestamp", "statement_timestamp", "current_setting", "lower",
        "upper", "length", "concat", "md5", "to_char", "to_date", "to_timestamp", "date_trunc",
        "make_date", "make_interval", "timezone", "jsonb_build_object", "json_build_object",
        "jsonb_build_array", "json_build_array", "array_fill", "left", "right", "replace",
        "trim", "btrim", "abs", "round", "coalesce", "nullif", "greatest", "least",
    }
)  # fmt: skip
_CALL = re.compile(r"([A-Za-z_][\w$]*)\s*\(")


def constant_default(default: str) -> bool:
    """True when `default` calls only functions known not to be volatile (or none)."""
    return not is_volatile_expression(default) and all(
        m[1].lower() in _NOT_VOLATILE for m in _CALL.finditer(default)
    )


def plan(change: Change) -> Plan:
    table, column = change.table, change.column
    column_type = expressions.sql_type(change.type)
    if column_copy.stored_type(column_type) != column_type:
        raise PlanError(
            shown(
                f"--type {column_type}: ADD COLUMN … {column_type} rewrites {table} under an "
                "ACCESS EXCLUSIVE lock, filling every row from a new sequence; create the "
                f"sequence first and plan --type {column_copy.stored_type(column_type)} "
                "--default \"nextval('the_sequence')\" (filled in batches)"
            )
        )
    constant = change.default is not None and constant_default(change.default)
    if constant and change.backfill is None:
        return _instant(change)
    fill = change.backfill or change.default
    if change.not_null and fill is None:
        raise PlanError(
            f"existing rows of {table} need a value for NOT NULL {column}: "
            "pass --default or --backfill"
        )
    t, c = sql.qualified(table), sql.ident(column)
    add, storage = _definition(change)
    lock = sql.lock_timeout(change.lock_timeout)
    slug = sql.slug("add", table.name, column)
    set_default = (
        f"\nALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {change.default};"
        if change.default is not None
        else ""
    )
    new_rows = (
        f"New rows get the default {change.default}, so release N-1's INSERTs keep working."
        if change.default is not None
        else f"Release N-1's INSERTs leave {column} NULL."
    )
    # Only a backfill fires the table's triggers on UPDATE.
    triggers = sql.update_triggers_check(table, change.fire_triggers) if fill is not None else ""
    fired = f"\n{sql.triggers_note(change.fire_triggers)}" if fill is not None else ""
    expand = Phase(
        "expand",
        f"{slug}_expand",
        f"Expand: add {column} to {table} as a nullable column (no rewrite, a brief lock)"
        + (
            f", and its default for new rows only\n(written inline, {change.default} may be "
            "volatile: that rewrites the table)"
            if change.default is not None
            else ""
        )
        + f".\n{new_rows}\n{_lost_on_down(column)}{fired}",
        f"{lock}\n\n{triggers}{_accepts_null(change)}\n\n{add};{storage}{set_default}",
        f"{lock}\n\nALTER TABLE {t} DROP COLUMN IF EXISTS {c};",
    )
    if fill is not None:
        migrate = Phase(
            "migrate",
            f"{slug}_backfill",
            f"Migrate: set {column} = {fill} on existing rows where it is NULL, "
            f"{change.batch_size} rows per committed batch,\noutside a transaction; "
            "safe to re-run (a re-run touches no filled row). Then ship the release that "
            f"uses {column}.",
            # A volatile fill is evaluated once per row, as ADD COLUMN … DEFAULT does.
            sql.backfill(
                table,
                change.key,
                column,
                fill,
                change.batch_size,
                commit=True,
                once=not constant_default(fill),
            ),
            _code_only(
                "The filled values stay until the expand's down drops the column.",
            ),
            transactional=False,
        )
    else:
        migrate = Phase(
            "migrate",
            f"{slug}_migrate",
            f"Migrate: ship the release that reads and writes {column}; it must accept NULL "
            "in rows written before it\n(and by release N-1 while it still runs).",
            _code_only("Code-only step: nothing to run."),
            _code_only("Nothing to undo."),
        )
    if change.not_null:
        contracts = _not_null_contract(change, slug)
    else:
        contracts = (
            Phase(
                "contract",
                f"{slug}_contract",
                "Contract: nothing to remove; adding a column is additive. Kept so every "
                "plan has three phases.",
                _code_only("Nothing to do in the contract phase of add-column."),
                _code_only("Nothing to undo."),
            ),
        )
    summary = (
        f"Adding {table}.{column} {change.type} without a rewrite: nullable column"
        + (" with a default for new rows" if change.default is not None else "")
        + " (expand), "
        + ("batched backfill (migrate)" if fill is not None else "code-only migrate")
        + (
            ", then CHECK NOT VALID, VALIDATE and SET NOT NULL as three contract migrations."
            if change.not_null
            else ", nothing to contract."
        )
        + " The expand's down drops the column and its data (release N-1 never used it)."
    )
    return Plan("add-column", (expand, migrate, *contracts), summary)


def _accepts_null(change: Change) -> str:
    """A DO block refusing a type that rejects NULL: the column is added empty."""
    refusal = (
        f"{column_copy.REJECTS_NULL}{change.table}.{change.column} cannot be added empty and "
        "filled in batches (every existing row, and every INSERT of release N-1, would break "
        "it); give a constant --default without --backfill (one instant step), or add it by hand"
    )
    check = column_copy.accepts_null(sql.literal(expressions.sql_type(change.type)), refusal)
    return sql.do_block(f"BEGIN\n{check}END", "type")


def _lost_on_down(column: str) -> str:
    return f"Its down drops {column} with its data: expected, release N-1 never wrote or read it."


def _instant(change: Change) -> Plan:
    """One ADD COLUMN … DEFAULT <constant>: no rewrite on PostgreSQL 11+."""
    table, column = change.table, change.column
    t, c = sql.qualified(table), sql.ident(column)
    add, storage = _definition(change)
    lock = sql.lock_timeout(change.lock_timeout)
    slug = sql.slug("add", table.name, column)
    not_null = " NOT NULL" if change.not_null else ""
    expand = Phase(
        "expand",
        f"{slug}_expand",
        f"Expand: add {column} to {table} with the constant default {change.default}"
        f"{' and NOT NULL' if change.not_null else ''}:\nPostgreSQL 11+ stores the default "
        "in the catalog, no rewrite and no scan, a brief lock (before 11 it rewrites the "
        f"table).\nRelease N-1's INSERTs, which omit {column}, get the default. "
        f"{_lost_on_down(column)}",
        f"{lock}\n\n{add}{not_null} DEFAULT {change.default};{storage}",
        f"{lock}\n\nALTER TABLE {t} DROP COLUMN IF EXISTS {c};",
    )
    migrate = Phase(
        "migrate",
        f"{slug}_migrate",
        f"Migrate: ship the release that uses {column}; every row already has a value.",
        _code_only("Code-only step: nothing to run."),
        _code_only("Nothing to undo."),
    )
    contract = Phase(
        "contract",
        f"{slug}_contract",
        "Contract: nothing to remove; adding a column is additive. Kept so every plan has "
        "three phases.",
        _code_only("Nothing to do in the contract phase of add-column."),
        _code_only("Nothing to undo."),
    )
    summary = (
        f"Adding {table}.{column} {change.type}{not_null} DEFAULT {change.default} in one "
        "statement (no rewrite on PostgreSQL 11+: the default is constant); nothing to "
        "migrate or contract. The expand's down drops the column and its data."
    )
    return Plan("add-column", (expand, migrate, contract), summary)


def _not_null_contract(change: Change, slug: str) -> tuple[Phase, ...]:
    """set-not-null's three steps, each its own migration (transaction), as contracts."""
    column = change.column
    check, validate, setting = set_not_null.plan(
        set_not_null.Change(change.table, column, change.lock_timeout)
    ).phases
    when = (
        f"Release N-1's INSERTs get the default, so this is safe while it runs as long as "
        f"release N never writes NULL into {column}."
        if change.default is not None
        else f"Run it only once release N, which writes {column} on every INSERT, is "
        f"permanent: release N-1's INSERTs leave it NULL and would fail."
    )
    return (
        dataclasses.replace(
            check,
            name="contract",
            slug=f"{slug}_check",
            header=f"Contract 1/3: add CHECK ({column} IS NOT NULL) NOT VALID (a brief lock; "
            "new and updated rows are checked).\n"
            f"{when}\nThree migrations, not one: in one transaction the lock taken here "
            "would be held through the\nVALIDATE scan. Next: the validate migration.",
        ),
        dataclasses.replace(
            validate,
            name="contract",
            slug=f"{slug}_validate",
            header="Contract 2/3: validate the CHECK. It scans the table under a lock that "
            "lets reads and writes run,\nand fails if a NULL remains (re-run the backfill "
            "first). Its down re-validates the CHECK\nthat the next migration's down restores.",
        ),
        dataclasses.replace(
            setting,
            name="contract",
            slug=f"{slug}_not_null",
            header="Contract 3/3: SET NOT NULL, which PostgreSQL 12+ proves from the validated "
            "CHECK without a scan,\nthen drop the CHECK. Its down makes the column nullable "
            "again and restores the CHECK.",
        ),
    )
