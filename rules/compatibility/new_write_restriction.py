"""A new constraint on existing columns rejects writes the running release still makes.

## What it does
Opt-in. Flags a CHECK, FOREIGN KEY, UNIQUE or PRIMARY KEY constraint, a unique
index, or SET NOT NULL added on columns that already existed, of a table that
already existed, and a constraint added to a domain that already existed (it binds
every column of that type). Constraints on columns this same migration added pass:
no running release writes those yet. `NOT VALID` does not help here: it skips the
check of existing rows, but new writes are checked at once.

## Why is this bad?
Release N-1 was written without the constraint. During the rollout, and after a
rollback of the code, it keeps inserting and updating rows the constraint rejects
(a NULL, a duplicate, an orphan id, an out-of-range value), and those requests fail.

## Example
```sql
ALTER TABLE orders ADD CONSTRAINT orders_amount_positive CHECK (amount > 0) NOT VALID;
```

## Use instead
Ship the code that always writes valid rows first; add the constraint in a later
release's migration, marked as the contract phase:
```sql
-- migralint: phase=contract
ALTER TABLE orders ADD CONSTRAINT orders_amount_positive CHECK (amount > 0) NOT VALID;
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from migralint.checks.destructive import created_here
from migralint.checks.idempotency import index_already_exists
from migralint.checks.types import added_in_this_file
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import AddConstraint, AlterDomainAddConstraint, CreateIndex, SetNotNull

_KINDS = {
    "check": "a CHECK",
    "foreign_key": "a foreign key",
    "unique": "a UNIQUE constraint",
    "primary_key": "a primary key",
    "not_null": "NOT NULL",
}


@rule(
    "new-write-restriction",
    category="compatibility",
    severity="warning",
    aliases=["ban-new-write-restriction"],
    dialects=("postgres", "mysql", "sqlite", "cockroach"),
    enabled_by_default=False,
    on_down=False,
)
def check(
    op: AddConstraint | AlterDomainAddConstraint | CreateIndex | SetNotNull, ctx: Context
) -> Iterator[Violation]:
    if ctx.file.phase == "contract":
        return
    if isinstance(op, AlterDomainAddConstraint):
        yield from _domain(op, ctx)
        return
    if isinstance(op, SetNotNull):
        what, columns = "NOT NULL", (op.column,)
    elif isinstance(op, CreateIndex):
        if not op.unique or index_already_exists(op, ctx.catalog):
            return
        what, columns = "a unique index", op.columns
    else:
        c = op.constraint
        if c.kind not in _KINDS or (c.using_index is not None and c.kind == "unique"):
            return
        what, columns = _KINDS[c.kind], c.columns or _mentioned(op, ctx)
    existing = [c for c in columns if not added_in_this_file(ctx, op.table, c)]
    if columns and not existing:
        return
    names = ", ".join(existing) or "existing columns"
    yield ctx.finding(
        op, f"{what} on {op.table} ({names}) rejects writes that release N-1 may still make", _LATER
    )


_LATER = (
    "Deploy code that only writes rows satisfying it first, then add it in a later "
    "migration (mark that file `-- migralint: phase=contract`)."
)


def _domain(op: AlterDomainAddConstraint, ctx: Context) -> Iterator[Violation]:
    """A domain's new constraint checks every later write to every column of the domain."""
    if created_here(ctx, "DOMAIN", op.name):
        return
    yield ctx.finding(
        op,
        f"a constraint on domain {op.name} rejects writes to its columns that release N-1 "
        "may still make",
        _LATER,
    )


def _mentioned(op: AddConstraint, ctx: Context) -> tuple[str, ...]:
    """The table's known columns a CHECK expression names."""
    table = ctx.catalog.table(op.table)
    words = set(re.findall(r"[A-Za-z_][\w$]*", op.constraint.expression or ""))
    return tuple(c for c in (table.columns if table else ()) if c in words)
