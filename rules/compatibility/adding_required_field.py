"""Adding a NOT NULL column without a default breaks inserts and fails on data.

## What it does
Flags `ADD COLUMN … NOT NULL` without a `DEFAULT` on a table that existed before
this migration (identity, serial and generated columns fill themselves and pass).

## Why is this bad?
On a table with rows, PostgreSQL rejects the statement outright. On an empty table
it succeeds, and then every INSERT of release N-1, which does not know the column,
fails. In a down migration, the release rolled back to knows the column: what
remains is the failure on a table with rows, which stops the rollback.

## Example
```sql
ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;
```

## Use instead
Add it with a constant default (no rewrite on PostgreSQL 11+), or add it nullable,
backfill, and set NOT NULL later:
```sql
ALTER TABLE users ADD COLUMN IF NOT EXISTS tenant_id bigint NOT NULL DEFAULT 0;
```
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from migralint.advice import client_default, first_upper, plan_command
from migralint.checks.grouping import listing, per_statement
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import AddColumn, Column, Truncate


@rule(
    "adding-required-field",
    category="compatibility",
    aliases=["adding-required-field"],
    dialects=("postgres", "mysql", "sqlite", "cockroach"),
    on_down=True,  # on a table with rows the statement fails, whoever is connected
    offline=True,
)
def check(op: AddColumn, ctx: Context) -> Iterator[Violation]:
    columns = per_statement(op, ctx, _required)
    if not columns:
        return
    first = columns[0]
    what = listing("NOT NULL column", [f"{op.table}.{c.name}" for c in columns])
    if ctx.file.direction == "down":  # release N-1, rolled back to, knows the column
        yield ctx.finding(
            op,
            f"adding {what} without a default fails on existing rows: the rollback stops "
            "here once the table has rows",
            "Give it a DEFAULT in the down migration (or add it nullable and backfill it), so "
            "the rollback runs on a table with rows.",
            covers=columns.ops,
        )
        return
    command = plan_command("add-column", op.table, column=first.name, type=str(first.type or "…"))
    each = "" if len(columns) == 1 else " (one column at a time)"
    yield ctx.finding(
        op,
        f"adding {what} without a default {_fails_on_rows(op, ctx)} and breaks inserts from "
        "release N-1",
        f"{_client_defaults(columns, op, ctx)}Give it a constant DEFAULT, or add it nullable, "
        f"backfill, and set NOT NULL in a later migration. `{command} --not-null --default …` "
        f"writes the safe steps{each}.",
        covers=columns.ops,
    )


def _client_defaults(columns: Sequence[Column], op: AddColumn, ctx: Context) -> str:
    """What the help says first of the columns whose default only the application gives."""
    given = [f"{op.table}.{c.name}" for c in columns if c.client_default]
    return f"{first_upper(client_default(ctx.file.tool, ', '.join(given)))}. " if given else ""


def _fails_on_rows(op: AddColumn, ctx: Context) -> str:
    """When the statement fails on rows: the table's rows, or, after this transaction
    emptied it, the rows written since (none after a TRUNCATE, whose lock keeps others
    out until commit)."""
    emptied = ctx.session.emptied.get(op.table.key)
    if isinstance(emptied, Truncate):
        return f"succeeds only because line {emptied.loc.line} emptied {op.table},"
    if emptied is not None:
        return f"fails on rows written to {op.table} since line {emptied.loc.line} deleted them,"
    return "fails on existing rows"


def _required(op: AddColumn, ctx: Context) -> Column | None:
    """The column, if it is NOT NULL with no default, identity, serial or generation."""
    col = op.column
    return None if col.nullable or col.fills_itself else col
