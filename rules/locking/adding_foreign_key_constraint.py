"""Adding a validated foreign key blocks writes on both tables while it scans.

## What it does
Flags a FOREIGN KEY (or a column with REFERENCES) added to an existing table without
`NOT VALID`.

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
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import AddColumn, AddConstraint


@rule(
    "adding-foreign-key-constraint",
    category="locking",
    aliases=["adding-foreign-key-constraint"],
)
def check(op: AddConstraint | AddColumn, ctx: Context) -> Iterator[Violation]:
    constraints = op.column.constraints if isinstance(op, AddColumn) else (op.constraint,)
    for c in constraints:
        if c.kind != "foreign_key" or c.not_valid or c.references is None:
            continue
        if ctx.is_new_table(c.references.table):
            continue  # the referenced table is new too: nothing is waiting on it
        columns = ", ".join(c.columns)
        command = plan_command(
            "add-foreign-key",
            op.table,
            column=columns,
            references=f"{c.references.table}({', '.join(c.references.columns) or 'id'})",
        )
        yield ctx.finding(
            op,
            f"adding a validated foreign key on {op.table} ({columns}) → {c.references.table} "
            "blocks writes on both tables while every row is checked",
            "Add the constraint with NOT VALID, then run "
            f"`ALTER TABLE {op.table} VALIDATE CONSTRAINT …` in a separate transaction. "
            f"`{command}` writes both steps.",
        )
