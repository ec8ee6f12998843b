"""Dropping a row-level security policy changes who sees which rows.

## What it does
Flags `DROP POLICY` of a policy this migration neither created nor re-creates, on a
table that existed before the migration, outside a migration marked `-- migralint:
phase=contract`. `DROP POLICY IF EXISTS p` followed by `CREATE POLICY p` (changing a
policy) stays quiet.

## Why is this bad?
Row-level security is access control: without a permissive policy its roles stop
seeing rows they could see (release N-1 gets empty results); without a restrictive
one, rows it kept hidden become visible to everyone the other policies let in.

## Example
```sql
DROP POLICY tenant_isolation ON invoices;
```

## Use instead
Change a policy by dropping and re-creating it in the same migration (and
transaction), so there is no moment without it:
```sql
DROP POLICY IF EXISTS tenant_isolation ON invoices;
CREATE POLICY tenant_isolation ON invoices
    USING (tenant_id = current_setting('app.tenant_id')::bigint);
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.destructive import dropped_object
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import DropObject


@rule(
    "drop-policy",
    category="destructive",
    severity="warning",
    aliases=["ban-drop-policy"],
    dialects=("postgres",),
    on_down=False,
)
def check(op: DropObject, ctx: Context) -> Iterator[Violation]:
    if op.kind == "POLICY":
        yield from dropped_object(
            op,
            ctx,
            "changes who can read and write which rows: a permissive policy gone hides rows, "
            "a restrictive one gone exposes them",
        )
