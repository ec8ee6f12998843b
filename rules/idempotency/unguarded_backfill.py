"""An UPDATE that changes the data again each time the migration is re-run.

## What it does
Where re-running the migration matters (no transaction around it and a later statement
that can fail, a Flyway repeatable migration, a file marked
`-- migralint: phase=expand`), flags an `UPDATE` whose new value is computed from the
value it overwrites (`SET n = n + 1`, `SET tags = tags || 'x'`), since a second run
applies it twice. In expand migrations and repeatable ones, also flags a backfill that
copies from other columns (`SET name = full_name`) without a `WHERE` on the column it
writes (`WHERE name IS NULL`). Assignments that settle (`lower(email)`,
`coalesce(x, 0)`, a constant, a jsonb key merge) are left alone.

## Why is this bad?
A failed migration outside a transaction is re-run from the top: an increment or an
append that already ran is applied a second time, silently corrupting every row. An
unguarded copy during a rollout overwrites the values the new release already wrote
into the new column with stale ones.

## Example
```sql
UPDATE accounts SET balance_cents = balance_cents * 100;
ALTER TABLE accounts ADD COLUMN IF NOT EXISTS currency text;
```

## Use instead
Write the new value into a new column, guarded so that a re-run skips the rows done:
```sql
UPDATE accounts SET balance_cents = balance * 100 WHERE balance_cents IS NULL;
ALTER TABLE accounts ADD COLUMN IF NOT EXISTS currency text;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.idempotency import reads_self, rerun_expected, rerun_reason, where_reads
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import Update


@rule(
    "unguarded-backfill",
    category="idempotency",
    severity="warning",
    aliases=["prefer-robust-stmts", "non-idempotent-ddl"],
    reruns=True,
)
def check(op: Update, ctx: Context) -> Iterator[Violation]:
    why = rerun_reason(op, ctx)
    if why is None:
        return
    found = op.assignments
    if not found:
        return
    cumulative = [a for a in found if reads_self(op, a, ctx)]
    if cumulative:
        a = cumulative[0]
        yield ctx.finding(
            op,
            f"`SET {a.column} = {a.value}` on {op.table} applies again "
            f"to rows it already changed when the migration runs again: {why}",
            "Write the result into a new column guarded by `WHERE <new column> IS NULL`, or "
            "mark the rows done (e.g. a flag column checked in WHERE), so that a re-run "
            "skips them; or run this UPDATE in a transaction with the statements after it.",
        )
        return
    if not rerun_expected(ctx.file) and ctx.file.direction != "repeatable":
        return
    copied = [a for a in found if a.reads_row]
    if not copied or where_reads(op, {a.column for a in found}):
        return
    a = copied[0]
    yield ctx.finding(
        op,
        f"the backfill of {op.table}.{a.column} has no guard on {a.column}: re-run during "
        "the rollout, it overwrites values the new release already wrote",
        f"Add `WHERE {a.column} IS NULL` (or `IS DISTINCT FROM` the source), and backfill "
        "in batches.",
    )
