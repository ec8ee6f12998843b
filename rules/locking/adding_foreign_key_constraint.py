"""Adding a validated foreign key blocks writes on both tables while it scans.

## What it does
Flags a FOREIGN KEY (or a column with REFERENCES) added to an existing table without
`NOT VALID`. A column added with REFERENCES and no default is not flagged: every row
holds NULL there, and PostgreSQL adds the key without checking them.
One ALTER TABLE adding several such keys is one finding naming them all.

## Why is this bad?
PostgreSQL takes a SHARE ROW EXCLUSIVE lock on the table and on the referenced table
and checks every existing row before it commits: writes to both tables wait for the
whole scan.

## Example
```sql
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk
    FOREIGN KEY (customer_id) REFERENCES customers (id);
```

## Use instead
Add it `NOT VALID` (a brief lock, new rows are checked at once), then validate in a
separate transaction, which lets writes continue while it scans:
```sql
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk
    FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
```
and in the next migration:
```
ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.advice import plan_command
from migralint.checks.grouping import per_statement
from migralint.checks.locking import constraints_of
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import AddColumn, AddConstraint, Constraint, ForeignKeyRef


@rule(
    "adding-foreign-key-constraint",
    category="locking",
    aliases=["adding-foreign-key-constraint"],
)
def check(op: AddConstraint | AddColumn, ctx: Context) -> Iterator[Violation]:
    found = per_statement(op, ctx, _validated_keys, _ADDS)
    keys = [key for adds in found for key in adds]
    if not keys:
        return
    first, target = keys[0]
    command = plan_command(
        "add-foreign-key",
        op.table,
        column=", ".join(first.columns),
        references=f"{target.table}({', '.join(target.columns) or 'id'})",
    )
    shown = [f"({', '.join(c.columns)}) → {ref.table}" for c, ref in keys]
    if len(keys) == 1:
        what, tables, each = f"a validated foreign key on {op.table} {shown[0]}", "both tables", ""
    else:
        what = f"{len(keys)} validated foreign keys on {op.table} ({', '.join(shown)})"
        tables, each = f"{op.table} and every table they reference", " (one per key)"
    yield ctx.finding(
        op,
        f"adding {what} blocks writes on {tables} while every row is checked",
        "Add the constraint with NOT VALID, then run "
        f"`ALTER TABLE {op.table} VALIDATE CONSTRAINT …` in a separate transaction. "
        f"`{command}` writes both steps{each}.",
        covers=found.ops,
    )


_ADDS = (AddConstraint, AddColumn)


def _validated_keys(
    op: AddConstraint | AddColumn, ctx: Context
) -> tuple[tuple[Constraint, ForeignKeyRef], ...] | None:
    """The foreign keys (and their targets) the Op adds validated, to a table that
    existed before the migration (a new one has nobody waiting on it); None if none.
    A column added with REFERENCES and no default is NULL in every row: PostgreSQL
    skips the check (parse_utilcmd.c, transformFKConstraints)."""
    if isinstance(op, AddColumn) and not op.column.fills_itself:
        return None
    keys = tuple(
        (c, c.references)
        for c in constraints_of(op)
        if c.kind == "foreign_key"
        and not c.not_valid
        and c.references is not None
        and not ctx.is_new_table(c.references.table)
    )
    return keys or None
