"""Seed rows inserted without ON CONFLICT are inserted again when the migration re-runs.

## What it does
Where re-running the migration matters (no transaction around it and a later statement
that can fail, a Flyway repeatable migration, a file marked
`-- migralint: phase=expand`), flags `INSERT … VALUES` and `INSERT … SELECT` without
`ON CONFLICT` and without a `WHERE NOT EXISTS` / `NOT IN` / `EXCEPT` guard.

## Why is this bad?
A re-run after a partial failure inserts the rows a second time: it fails with a
duplicate key where a unique key exists (the deploy is stuck), and silently duplicates
the rows where none does.

## Example
```sql
INSERT INTO roles (name) VALUES ('admin'), ('member');
ALTER TABLE users ADD COLUMN IF NOT EXISTS role_id bigint;
```

## Use instead
```sql
INSERT INTO roles (name) VALUES ('admin'), ('member') ON CONFLICT (name) DO NOTHING;
ALTER TABLE users ADD COLUMN IF NOT EXISTS role_id bigint;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.idempotency import rerun_reason
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import DataType, Insert


@rule(
    "insert-without-on-conflict",
    category="idempotency",
    severity="warning",
    aliases=["prefer-robust-stmts", "non-idempotent-ddl"],
    on_new_tables=True,
    reruns=True,
)
def check(op: Insert, ctx: Context) -> Iterator[Violation]:
    if op.on_conflict or op.skips_existing:
        return
    why = rerun_reason(op, ctx)
    if why is None:
        return
    keyed = _has_natural_key(op, ctx)
    harm = "fails with a duplicate key" if keyed else "inserts the rows a second time"
    yield ctx.finding(
        op,
        f"INSERT INTO {op.table} {harm} when the migration runs again: {why}",
        "Add `ON CONFLICT (<key>) DO NOTHING`, or insert `SELECT … WHERE NOT EXISTS "
        f"(SELECT 1 FROM {op.table} WHERE <key> = …)`.",
    )


def _has_natural_key(op: Insert, ctx: Context) -> bool:
    """True when a primary key or unique constraint covers columns the INSERT must fill
    itself (not a serial, identity or defaulted id, which a re-run just draws again)."""
    table = ctx.catalog.table(op.table)
    if table is None:
        return False
    for constraint in table.constraints.values():
        if constraint.kind not in ("primary_key", "unique") or not constraint.columns:
            continue
        states = [table.columns.get(c) for c in constraint.columns]
        if all(s is not None and s.default is None and not _serial(s.type) for s in states):
            return True
    return False


def _serial(type: DataType | None) -> bool:
    return type is not None and type.name in ("serial", "bigserial", "smallserial")
