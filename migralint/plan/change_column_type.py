"""Change a column's type without a table rewrite under lock: a new column swapped in.

The design: `ALTER COLUMN … TYPE` rewrites the table under an ACCESS EXCLUSIVE lock.
So expand adds `<column>_new` (or `--to`) of the new type with a trigger converting in
both directions (`--using` old → new, `--reverse-using` new → old; by default the value
itself, converted by assignment as ALTER converts it), migrate backfills it, and the
contract, in one brief lock, gives it the old column's NOT NULL, default and sequence or
identity, drops the old column and renames the new one to the old name: the end state
is what `ALTER COLUMN … TYPE` gives, and no release has to change its queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from migralint.plan import casts, column_copy, replace_column, sql
from migralint.plan.model import Plan, PlanError, shown
from migralint.sql.ops import Name


@dataclass(frozen=True)
class Change:
    table: Name
    column: str = field(metadata={"help": "The column whose type changes."})
    type: str = field(metadata={"help": "The new type."})
    using: str | None = field(
        default=None,
        metadata={
            "help": "SQL converting the column (default: the value, assigned as ALTER does)."
        },
    )
    reverse_using: str | None = field(
        default=None,
        metadata={"help": "SQL converting the new column back (default: its value, assigned)."},
    )
    from_type: str | None = field(
        default=None, metadata={"help": "The current type (default: from the migrations)."}
    )
    from_collation: str | None = field(
        default=None, metadata={"help": column_copy.FROM_COLLATION_HELP}
    )
    to: str | None = field(
        default=None, metadata={"help": "The temporary column's name (default: <column>_new)."}
    )
    indexes: str | None = field(default=None, metadata={"help": column_copy.INDEXES_HELP})
    key: str = field(default="id", metadata={"help": "Primary key to batch the backfill by."})
    batch_size: int = field(default=1000, metadata={"help": "Rows per backfill batch."})
    lock_timeout: str = field(default="2s", metadata={"help": "lock_timeout for DDL."})
    fire_triggers: bool = field(default=False, metadata={"help": sql.FIRE_TRIGGERS_HELP})


def plan(change: Change) -> Plan:
    table, column = change.table, change.column
    if change.from_type is None:
        raise PlanError(shown(f"the current type of {table}.{column} is needed: pass --from-type"))
    from_type = column_copy.stored_type(change.from_type)
    if " ".join(from_type.lower().split()) == " ".join(change.type.lower().split()):
        raise PlanError(shown(f"{table}.{column} already has type {change.type}"))
    to = change.to or sql.generated_name(column, "new")
    if change.using is None:
        _require_cast(change, from_type, change.type, "--using", f"{column} to {change.type}")
    if change.reverse_using is None:
        _require_cast(
            change,
            change.type,
            from_type,
            "--reverse-using",
            f"{to} back to {from_type} (release N-1's writes through the sync trigger, the downs)",
        )
    # Without --using, the value itself: assigned to the new column, it is converted
    # with an assignment cast as ALTER COLUMN … TYPE converts it, so a value that does
    # not fit raises (`'abc'::varchar(2)` would cut it silently).
    using = change.using or sql.ident(column)
    reverse = change.reverse_using or sql.ident(to)
    replacement = replace_column.Change(
        table,
        column,
        to,
        change.type,
        up=using,
        down=reverse,
        from_type=change.from_type,
        from_collation=change.from_collation,
        key=change.key,
        batch_size=change.batch_size,
        lock_timeout=change.lock_timeout,
        fire_triggers=change.fire_triggers,
    )
    slug = replace_column.sql.slug("change", table.name, column, "type")
    note = f"Every release reads and writes {column}: its type changes at the contract. "
    return replace_column.build(
        replacement, "change-column-type", slug, note, in_place=True, indexes=change.indexes
    )


def _require_cast(change: Change, source: str, target: str, option: str, what: str) -> None:
    """PlanError unless PostgreSQL converts `source` to `target` by assignment, as the
    plan does without `option`: refused now rather than by a phase at run time."""
    known = casts.assignable(source, target)
    if known:
        return
    why = (
        f"PostgreSQL has no assignment cast from {source} to {target}"
        if known is False
        else f"migralint cannot tell whether {source} converts to {target} by assignment (a "
        "type it does not know: an enum, a domain, an extension's type)"
    )
    command = (
        f"migralint plan change-column-type --table {change.table.name} --column "
        f"{change.column} --type {change.type} {option} EXPRESSION"
    )
    raise PlanError(
        shown(
            f"{change.table}.{change.column}: the plan converts {what}, and {why}: give the "
            f"conversion with {option} ({command})"
        )
    )
