"""ALTER TYPE … ADD VALUE in a transaction fails before PostgreSQL 12, and its value
cannot be used until commit.

## What it does
Flags `ALTER TYPE … ADD VALUE` inside a transaction block on PostgreSQL before 12
(set `pg_version`), and, on 12 and later, a later statement of the same transaction
that uses the new value's literal. An enum created earlier in the same file is
exempt.

## Why is this bad?
Before PostgreSQL 12 the statement fails: `ALTER TYPE … ADD cannot run inside a
transaction block`. From 12 it runs, but the new value is unusable until the
transaction commits: an INSERT or UPDATE that writes it fails with `unsafe use of new
value`, and the whole migration rolls back.

## Example
```sql
BEGIN;
ALTER TYPE order_status ADD VALUE 'refunded';
UPDATE orders SET status = 'refunded' WHERE refunded_at IS NOT NULL;
COMMIT;
```

## Use instead
Add the value in one migration (outside a transaction before PostgreSQL 12) and use
it in the next:
```sql
BEGIN;
ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'refunded';
COMMIT;
UPDATE orders SET status = 'refunded' WHERE refunded_at IS NOT NULL;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.advice import outside_transaction
from migralint.checks.locking import created_earlier_in_file
from migralint.context import Context
from migralint.postgres import ENUM_ADD_VALUE_IN_TRANSACTION
from migralint.rule import Violation, rule
from migralint.sql.ops import AlterTypeAddValue, Commit, Op


@rule(  # the statement fails or its value is unusable, whoever is connected
    "enum-add-value-in-transaction", category="locking", on_down=True, offline=True
)
def check(op: AlterTypeAddValue, ctx: Context) -> Iterator[Violation]:
    if not ctx.session.in_transaction or created_earlier_in_file(ctx, "TYPE", op.name):
        return
    if ctx.pg_version < ENUM_ADD_VALUE_IN_TRANSACTION:
        yield ctx.finding(
            op,
            f"ALTER TYPE {op.name} ADD VALUE cannot run inside a transaction block before "
            "PostgreSQL 12: the migration fails",
            f"To run it outside a transaction, {outside_transaction(ctx.file.tool)}.",
        )
        return
    user = _first_use(op, ctx)
    if user is None:
        return
    yield ctx.finding(
        user,
        f"this statement uses '{op.value}', which ALTER TYPE {op.name} ADD VALUE (line "
        f"{op.loc.line}) added in the same transaction: it fails with `unsafe use of new "
        "value` until that transaction commits",
        f"Commit after the ADD VALUE and use '{op.value}' in a later migration.",
    )


def _first_use(op: AlterTypeAddValue, ctx: Context) -> Op | None:
    """The first later statement of the same transaction that names the value's literal."""
    literal = "'" + op.value.replace("'", "''") + "'"
    for later in ctx.file_ops[ctx.position + 1 :]:
        if isinstance(later, Commit):
            return None
        if isinstance(later, AlterTypeAddValue):
            continue  # `ADD VALUE 'b' AFTER 'a'` may name it: ordering only, allowed
        if literal in later.loc.facts.literals:
            return later
    return None
