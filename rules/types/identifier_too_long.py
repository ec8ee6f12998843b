"""PostgreSQL silently truncates names longer than 63 bytes.

## What it does
Flags a new table, column, index, constraint, type or other object, or a rename,
whose name is longer than 63 bytes in UTF-8 (so fewer than 63 characters when it
holds accents or other non-ASCII letters). A DROP or ALTER that refers to an object
by such a name is flagged too (once per statement), unless the same migration
creates that name (its creation is the finding): PostgreSQL truncates the name
there as well, so the statement acts on whatever has the truncated name.

## Why is this bad?
PostgreSQL cuts the name to 63 bytes with only a NOTICE. The object then exists
under a name the migration never wrote: a later `DROP INDEX` or `ALTER TABLE …
DROP CONSTRAINT` with the full name fails, ORMs that compare names see a
difference on every run, and two long names that share their first 63 bytes
collide.

## Example
```sql
CREATE INDEX index_customer_subscriptions_on_billing_account_id_and_plan_identifier
    ON customer_subscriptions (billing_account_id, plan_identifier);
```

## Use instead
```sql
CREATE INDEX idx_customer_subscriptions_account_plan
    ON customer_subscriptions (billing_account_id, plan_identifier);
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.file_index import file_index
from migralint.checks.grouping import per_statement
from migralint.checks.types import NAMEDATALEN, new_names, truncated
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql import ops

_CREATES = (
    ops.CreateTable,
    ops.AddColumn,
    ops.AddConstraint,
    ops.CreateIndex,
    ops.CreateObject,
    ops.RenameTable,
    ops.RenameColumn,
    ops.RenameConstraint,
    ops.RenameObject,
)
_COLUMN_ALTERS = (
    ops.DropColumn,
    ops.AlterColumnType,
    ops.SetNotNull,
    ops.DropNotNull,
    ops.SetDefault,
    ops.DropDefault,
)
_REFERS = (
    *_COLUMN_ALTERS,
    ops.DropTable,
    ops.DropConstraint,
    ops.ValidateConstraint,
    ops.DropIndex,
    ops.DropObject,
)


@rule(
    "identifier-too-long",
    category="types",
    severity="warning",
    aliases=["identifier-too-long"],
    on_new_tables=True,
)
def check(
    op: ops.CreateTable
    | ops.AddColumn
    | ops.AddConstraint
    | ops.CreateIndex
    | ops.CreateObject
    | ops.RenameTable
    | ops.RenameColumn
    | ops.RenameConstraint
    | ops.RenameObject
    | ops.DropColumn
    | ops.AlterColumnType
    | ops.SetNotNull
    | ops.DropNotNull
    | ops.SetDefault
    | ops.DropDefault
    | ops.DropTable
    | ops.DropConstraint
    | ops.ValidateConstraint
    | ops.DropIndex
    | ops.DropObject,
    ctx: Context,
) -> Iterator[Violation]:
    if isinstance(op, _CREATES):
        for kind, name in new_names(op):
            if _too_long(name):
                yield ctx.finding(
                    op,
                    f"{kind} name {name} is {_size(name)} bytes: PostgreSQL truncates it to "
                    f"{truncated(name)}",
                    f"Give the {kind} a name of at most {NAMEDATALEN} bytes, and use that name "
                    "in every later statement that refers to it.",
                )
    if not isinstance(op, _REFERS):
        return
    found = dict.fromkeys(
        n for names in per_statement(op, ctx, _long_references, _REFERS) for n in names
    )
    for kind, name in found:
        kept = truncated(name)
        yield ctx.finding(
            op,
            f"{kind} name {name} is {_size(name)} bytes: PostgreSQL truncates it to {kept}, "
            f"so this statement acts on whatever {kind} has that name",
            f"Refer to the {kind} by the name PostgreSQL stored, {kept}, so the migration "
            "says what it acts on.",
        )


def _long_references(op: ops.Op, ctx: Context) -> tuple[tuple[str, str], ...] | None:
    """The over-long names a DROP or ALTER refers to, except names this migration
    creates (their creation is reported)."""
    created = file_index(ctx).derived(_created_names, ctx)
    long = tuple(r for r in _references(op) if _too_long(r[1]) and r[1] not in created)
    return long or None


def _created_names(ctx: Context) -> frozenset[str]:
    return frozenset(n for op in ctx.file_ops for _, n in new_names(op))


def _references(op: ops.Op) -> Iterator[tuple[str, str]]:
    """(kind, name) of what a DROP or ALTER names."""
    if isinstance(op, ops.TableOp):
        yield "table", op.table.name
    if isinstance(op, _COLUMN_ALTERS):
        yield "column", op.column
    elif isinstance(op, (ops.DropConstraint, ops.ValidateConstraint)):
        yield "constraint", op.name
    elif isinstance(op, ops.DropIndex):
        yield "index", op.name.name
    elif isinstance(op, ops.DropObject):
        yield op.kind.lower(), op.name.name


def _size(name: str) -> int:
    return len(name.encode("utf-8"))


def _too_long(name: str) -> bool:
    return _size(name) > NAMEDATALEN
