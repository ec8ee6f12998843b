"""Dropping a constraint gives up the integrity that release N-1 relies on.

## What it does
Flags `ALTER TABLE … DROP CONSTRAINT` on an existing table, unless the same migration
adds it back (under the same name, or the same kind on the same columns: a redefinition;
a constraint whose name Alembic finds at run time, of the `type_` given, is redefined by
any of that kind added to its table; an unnamed re-add counts under the name PostgreSQL
gives it, such as `<table>_check` or `<table>_<column>_check`, shortened to 63 bytes,
and an ALTER TABLE runs its drops before its adds), added it itself, drops its table or
column afterwards, the constraint is a `CHECK (c IS NOT NULL)` made redundant by `SET
NOT NULL`, a unique or primary key is replaced by a unique or primary key, or a unique
index without WHERE, on the same columns or fewer (in any order, before or after the
drop: `ADD PRIMARY KEY (b, a), DROP CONSTRAINT t_a_b_key` keeps every row unique; a
constraint the set never defined counts by its name, where it is the one PostgreSQL
gives a unique key on the new key's columns, `<table>_<columns>_key`), or the migration
is marked `-- migralint: phase=contract`.
One ALTER TABLE dropping several constraints is one finding naming them all.

## Why is this bad?
From the moment it is gone, rows that break the rule can be written: orphans for a
foreign key, duplicates for a unique key, out-of-range values for a check. Release
N-1 may rely on it (an `ON CONFLICT` target, an error it catches), and dropping a
primary key or unique constraint also drops its index, so queries slow down.

## Example
```sql
ALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey;
```

## Use instead
To change a constraint, drop and re-add it in one migration (the new one `NOT VALID`,
validated later); to remove it for good, do so in a contract migration:
```sql
ALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey;
ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey
    FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE NOT VALID;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.destructive import (
    constraint_added_here,
    constraint_kind,
    constraint_redefined,
    constraint_removed_later,
    redundant_not_null_check,
    removal_planned,
)
from migralint.checks.grouping import listing, per_statement
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import DropConstraint

_HARM = {
    "foreign_key": "rows may now point at missing parents",
    "unique": "duplicates can now be written, and its index is dropped with it",
    "primary_key": "duplicates can now be written, and its index is dropped with it",
    "check": "rows breaking the check can now be written",
    "exclude": "overlapping rows can now be written, and its index is dropped with it",
}


@rule(
    "drop-constraint",
    category="destructive",
    severity="warning",
    aliases=["ban-drop-constraint"],
    dialects=("postgres", "mysql", "cockroach"),
    on_down=False,
)
def check(op: DropConstraint, ctx: Context) -> Iterator[Violation]:
    if removal_planned(ctx.file):
        return
    found = per_statement(op, ctx, _lost)
    if not found:
        return
    names = [name for name, _ in found]
    harm = ", ".join(dict.fromkeys(h for _, h in found))  # each harm once, in order
    what = listing("constraint", names)
    one = len(names) == 1
    is_, its, it_is, it = (
        ("is", "its", "it is", "it") if one else ("are", "their", "they are", "them")
    )
    yield ctx.finding(
        op,
        f"dropping {what} on {op.table}: {harm}, and release N-1 may rely on {it}",
        f"If {', '.join(names)} {is_} being changed, add {its} replacement in the same "
        f"migration (`ALTER TABLE {op.table} ADD CONSTRAINT … NOT VALID`, then VALIDATE); "
        f"if {it_is} going for good, drop {it} in a migration marked "
        f"`-- migralint: phase=contract` once no release depends on {it}.",
        covers=found.ops,
    )


def _lost(op: DropConstraint, ctx: Context) -> tuple[str, str] | None:
    """(name, what can now be written), unless the constraint is gone already (an earlier
    migration dropped it), is this migration's own, comes back, goes with its table or
    column, or was redundant."""
    if (
        ctx.catalog.dropped_before(op.table, op.name)
        or constraint_added_here(ctx, op)
        or constraint_redefined(ctx, op)
        or constraint_removed_later(ctx, op)
        or redundant_not_null_check(ctx, op)
    ):
        return None
    kind = constraint_kind(ctx, op) or op.kind
    return op.name, _HARM.get(kind, "data it used to reject can now be written")
