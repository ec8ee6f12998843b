"""Dropping a sequence loses its position and breaks the code that calls it.

## What it does
Flags `DROP SEQUENCE` of a sequence this migration neither created nor re-creates,
outside a migration marked `-- migralint: phase=contract`. A serial's sequence that the
migration replaces with an identity saying where it starts (`ADD GENERATED … AS
IDENTITY (RESTART n)`) is not flagged: ids go on from there. A sequence that numbers a
table the migration drops later (a column default calls `nextval()` on it, or it is the
table's serial) is about that table: drop-table's finding stands for it, and alone it
says that N-1's inserts into the table break, not that a new sequence reuses its ids.

## Why is this bad?
Release N-1 may still call `nextval('…')` and fail. The sequence's current value is
lost: if it is ever created again it starts over and hands out ids already in use,
and the inserts fail on the primary key. With `CASCADE`, column defaults that used it
are dropped too, so inserts that relied on them fail.

## Example
```sql
DROP SEQUENCE invoice_number_seq;
```

## Use instead
Stop using the sequence in the code and in column defaults first; drop it in a
contract migration:
```sql
-- migralint: phase=contract
DROP SEQUENCE IF EXISTS invoice_number_seq;
```
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from migralint.checks.destructive import dropped_object, owner_dropped_later
from migralint.checks.file_index import after
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import AlterIdentity, DropObject


@rule(
    "drop-sequence",
    category="destructive",
    severity="warning",
    aliases=["ban-drop-sequence"],
    dialects=("postgres", "cockroach"),
    on_down=False,
)
def check(op: DropObject, ctx: Context) -> Iterator[Violation]:
    if op.kind != "SEQUENCE" or _replaced_by_identity(op, ctx):
        return
    owner = owner_dropped_later(op, ctx)
    if owner is None:
        harm = (
            "loses its current value: release N-1 calls to nextval() fail, and a sequence "
            "created again restarts at ids already in use"
        )
        yield from dropped_object(op, ctx, harm)
        return
    for v in dropped_object(
        op, ctx, f"breaks release N-1's inserts into {owner}, which this migration drops too"
    ):
        yield replace(v, about=(owner.key,))  # drop-table's finding on it stands for this


def _replaced_by_identity(op: DropObject, ctx: Context) -> bool:
    """True if the migration then makes the column the sequence served (a serial's
    `<table>_<column>_seq`) an identity that says where it starts: ids go on from there,
    and inserts that leave the column out keep working."""
    schema = op.name.schema
    return any(
        f"{identity.table.name}_{identity.column}_seq" == op.name.name
        and identity.table.schema == schema
        for identity in after(ctx, AlterIdentity)
        if identity.action == "ADD" and identity.sets_start
    )
