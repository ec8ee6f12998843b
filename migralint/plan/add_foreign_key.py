"""Add a foreign key without a long lock: index the columns, ADD … NOT VALID, then VALIDATE.

The design: a plan has three migrations and CREATE INDEX CONCURRENTLY must be alone in
its file (golang-migrate sends a file as one implicit transaction), so the index on the
referencing columns is the expand phase, the constraint NOT VALID (a brief lock on both
tables; new writes checked from then on) the migrate phase, and VALIDATE (a scan under
SHARE UPDATE EXCLUSIVE, which lets reads and writes run) the contract phase: between the
last two, existing orphans are cleaned up. Without the index, every DELETE or key UPDATE
on the referenced table scans the referencing table; `--no-index` skips it when the
columns already lead an index.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from migralint.plan import constraint_steps as steps
from migralint.plan import sql
from migralint.plan.model import Phase, Plan, PlanError
from migralint.sql.ops import Name

ACTIONS = ("no action", "restrict", "cascade", "set null", "set default")


@dataclass(frozen=True)
class Change:
    table: Name
    column: str = field(metadata={"help": "The referencing column(s), comma-separated."})
    references: str | None = field(
        default=None,
        metadata={"help": "The referenced table and column(s), e.g. 'customers(id)'."},
    )
    ref_table: str | None = field(
        default=None, metadata={"help": "The referenced table (instead of --references)."}
    )
    ref_column: str | None = field(
        default=None, metadata={"help": "The referenced column(s), with --ref-table."}
    )
    ref_schema: str | None = field(
        default=None, metadata={"help": "The referenced table's schema, with --ref-table."}
    )
    name: str | None = field(
        default=None, metadata={"help": "The constraint name (default: <table>_<columns>_fkey)."}
    )
    on_delete: str | None = field(
        default=None,
        metadata={"help": "ON DELETE action: no action, restrict, cascade, set null, set default."},
    )
    no_index: bool = field(
        default=False,
        metadata={
            "help": "Do not index the referencing columns (an index already leads with them)."
        },
    )
    lock_timeout: str = field(default="2s", metadata={"help": "lock_timeout for DDL."})


def referenced(change: Change) -> tuple[Name, list[str]]:
    if change.references is not None:
        if change.ref_table is not None or change.ref_column is not None:
            raise PlanError("pass either --references or --ref-table/--ref-column, not both")
        return steps.parse_references(change.references)
    if change.ref_table is None or change.ref_column is None:
        raise PlanError("pass --references customers(id), or --ref-table and --ref-column")
    ref_table = Name(steps.name_of(change.ref_table, "--ref-table"), change.ref_schema)
    return ref_table, steps.columns_of(change.ref_column, "--ref-column")


def orphans_query(table: Name, columns: list[str], ref_table: Name, ref_columns: list[str]) -> str:
    """The rows VALIDATE would refuse: every column set (MATCH SIMPLE), no parent."""
    not_null = " AND ".join(f"t.{sql.ident(c)} IS NOT NULL" for c in columns)
    match = " AND ".join(
        f"r.{sql.ident(rc)} = t.{sql.ident(c)}" for c, rc in zip(columns, ref_columns, strict=True)
    )
    return (
        f"SELECT {', '.join(f't.{sql.ident(c)}' for c in columns)} "
        f"FROM {sql.qualified(table)} AS t\n"
        f"    WHERE {not_null}\n"
        f"      AND NOT EXISTS (SELECT 1 FROM {sql.qualified(ref_table)} AS r WHERE {match});"
    )


def plan(change: Change) -> Plan:
    table = change.table
    columns = steps.columns_of(change.column)
    ref_table, ref_columns = referenced(change)
    if len(ref_columns) != len(columns):
        raise PlanError(
            f"{len(columns)} referencing column(s) but {len(ref_columns)} referenced column(s)"
        )
    on_delete = ""
    if change.on_delete is not None:
        action = " ".join(change.on_delete.lower().split())
        if action not in ACTIONS:
            raise PlanError(f"--on-delete {change.on_delete!r}: use one of {', '.join(ACTIONS)}")
        on_delete = f" ON DELETE {action.upper()}"
    name = steps.name_of(change.name or steps.default_name(table, columns, "fkey"), "--name")
    index = steps.default_name(table, columns, "idx")
    t, q = sql.qualified(table), sql.ident(name)
    lock = sql.lock_timeout(change.lock_timeout)
    slug = sql.slug("add_fk", table.name, *columns)
    shown_ref = f"{ref_table}({', '.join(ref_columns)})"

    if change.no_index:
        expand = Phase(
            "expand",
            f"{slug}_index",
            f"Expand: nothing to build: --no-index says an index already leads with "
            f"{', '.join(columns)}.\nNext: the migrate phase adds the constraint.",
            steps.nothing("No index to build (--no-index)."),
            steps.nothing("Nothing to undo."),
        )
    else:
        expand = Phase(
            "expand",
            f"{slug}_index",
            f"Expand: index {table}({', '.join(columns)}) without blocking reads or writes, so "
            f"that deletes and key\nupdates on {ref_table} do not scan {table} once the foreign "
            "key exists. CONCURRENTLY runs\noutside a transaction, alone in this migration, "
            "with no statement_timeout.\n"
            f"{steps.invalid_index_help(table, index)}\n"
            "Next: ship the release that never writes a row without its parent, then the "
            "migrate phase.",
            steps.create_index(table, index, columns, unique=False),
            f"-- Dropped without blocking reads or writes.\n{steps.drop_index(table, index)}",
            transactional=False,
        )
    add = (
        f"ALTER TABLE {t} ADD CONSTRAINT {q} FOREIGN KEY ({steps.quoted_list(columns)})\n"
        f"      REFERENCES {sql.qualified(ref_table)} ({steps.quoted_list(ref_columns)})"
        f"{on_delete} NOT VALID"
    )
    action_note = (
        f"ON DELETE {on_delete[11:]} applies to deletes on {ref_table} from now on."
        if on_delete
        else f"From now on a DELETE of a {ref_table} row still referenced fails (NO ACTION)."
    )
    # A failed concurrent build leaves an INVALID index that the expand's IF NOT EXISTS
    # keeps: stop here rather than leave the foreign key without its index.
    index_check = "" if change.no_index else f"{steps.valid_check(table, index)}\n\n"
    migrate = Phase(
        "migrate",
        f"{slug}_not_valid",
        f"Migrate: add foreign key {name} NOT VALID: a brief lock on {table} and "
        f"{ref_table}, no scan.\nNew and updated {table} rows are checked at once; "
        f"existing rows are not yet.\n{action_note}\n"
        f"Before this: the release that never writes an orphan must be running.\n"
        f"Next: delete or fix the existing orphans, listed by\n"
        f"  {orphans_query(table, columns, ref_table, ref_columns)}\n"
        "then run the contract phase.",
        f"{lock}\n\n{index_check}{sql.guarded_constraint(table, name, add)}",
        steps.drop_constraint(table, name, lock),
    )
    contract = Phase(
        "contract",
        f"{slug}_validate",
        f"Contract: VALIDATE {name}. It scans {table} under SHARE UPDATE EXCLUSIVE (reads "
        "and writes go on)\nand fails with a foreign key violation while an orphan remains: "
        "run the query in the\nmigrate phase's header and clean them first. Re-running it "
        "on a valid constraint is a no-op.\nIts down has nothing to undo: the migrate "
        "phase's down drops the constraint.",
        steps.validate(table, name),
        steps.nothing(
            "Nothing to undo: a validated constraint stays valid; the migrate phase's down "
            "drops it."
        ),
    )
    index_part = "no index (--no-index)" if change.no_index else f"index {index} (expand)"
    summary = (
        f"Adding foreign key {name} {table}({', '.join(columns)}) → {shown_ref} without a "
        f"long lock: {index_part}, ADD CONSTRAINT … NOT VALID (migrate), VALIDATE after "
        "cleaning orphans (contract). Every down restores the previous state."
    )
    return Plan("add-foreign-key", (expand, migrate, contract), summary)
