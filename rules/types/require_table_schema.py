"""A table named without its schema depends on the search_path of whoever runs it.

## What it does
Opt-in. Flags `CREATE TABLE`, `ALTER TABLE` and `DROP TABLE` whose table name has no
schema (`users` rather than `public.users`), once per statement. Temporary tables
are left alone (they live in their own schema).

## Why is this bad?
PostgreSQL resolves an unqualified name through the session's `search_path`: the
same migration creates or alters a table in another schema when the tool, the role
or the connection string sets a different path (multi-tenant schemas, a role with
its own schema first in `"$user", public`).

## Example
```sql
CREATE TABLE accounts (id bigint PRIMARY KEY);
```

## Use instead
```sql
CREATE TABLE public.accounts (id bigint PRIMARY KEY);
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql import ops

Naming = (
    ops.CreateTable
    | ops.DropTable
    | ops.RenameTable
    | ops.AddColumn
    | ops.DropColumn
    | ops.RenameColumn
    | ops.AlterColumnType
    | ops.SetNotNull
    | ops.DropNotNull
    | ops.SetDefault
    | ops.DropDefault
    | ops.AddConstraint
    | ops.DropConstraint
    | ops.ValidateConstraint
    | ops.RenameConstraint
    | ops.DetachPartition
    | ops.AlterIdentity
)


@rule(
    "require-table-schema",
    category="types",
    severity="info",
    enabled_by_default=False,
    on_new_tables=True,
    on_down=False,
)
def check(op: Naming, ctx: Context) -> Iterator[Violation]:
    if op.table.schema is not None or (isinstance(op, ops.CreateTable) and op.temporary):
        return
    if not ctx.first_time(f"require-table-schema:{op.loc.line}:{op.loc.column}"):
        return  # one finding per statement, however many actions it has
    yield ctx.finding(
        op,
        f"table {op.table} is named without a schema: where it lands depends on the "
        "search_path of the session that runs the migration",
        f"Qualify it: `public.{op.table.name}` (or the schema it belongs in).",
    )
