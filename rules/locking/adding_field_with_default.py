"""Adding a column whose default must be computed per row rewrites the table.

## What it does
Flags `ADD COLUMN … DEFAULT` on an existing table when the default is volatile
(`random()`, `gen_random_uuid()`, `clock_timestamp()`, `nextval()`, a serial or
identity column, or a function this migration or an earlier one of its set defines
without `IMMUTABLE` or `STABLE`: PostgreSQL makes it VOLATILE), and any default
before PostgreSQL 11 (set `pg_version`). `now()` and `current_timestamp` are STABLE:
computed once, no rewrite. A `LANGUAGE sql` function whose body is one `SELECT expr`
with nothing else is inlined into that expression, which then decides: flagged when
it calls a volatile function, not judged otherwise (the declared VOLATILE or the
expression decides, by server release). A function migralint cannot see (defined
outside the migrations) is not judged: the rule does not guess.

## Why is this bad?
PostgreSQL 11+ stores a constant default in the catalog and adds the column
instantly. A volatile default must be evaluated for every row, so the whole table is
rewritten under an ACCESS EXCLUSIVE lock: no reads or writes until it is done.

## Example
```sql
ALTER TABLE orders ADD COLUMN public_id uuid DEFAULT gen_random_uuid();
```

## Use instead
Add the column without the default, set the default for new rows, then backfill
existing rows in batches:
```sql
ALTER TABLE orders ADD COLUMN IF NOT EXISTS public_id uuid;
ALTER TABLE orders ALTER COLUMN public_id SET DEFAULT gen_random_uuid();
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.locking import defined_functions, volatile_default
from migralint.context import Context
from migralint.postgres import FAST_COLUMN_DEFAULTS
from migralint.rule import Violation, rule
from migralint.sql.ops import AddColumn


@rule("adding-field-with-default", category="locking", aliases=["adding-field-with-default"])
def check(op: AddColumn, ctx: Context) -> Iterator[Violation]:
    col = op.column
    if col.serial or col.identity:
        why = f"a {col.type or 'identity'} column fills every existing row from a sequence"
    elif col.default is not None and (function := volatile_default(col, ctx)):
        defined = " (the migrations define it without IMMUTABLE or STABLE)"
        why = (
            f"its default calls {function}(), which is volatile"
            f"{defined if function in defined_functions(ctx) else ''}, "
            "so it is computed for every row"
        )
    elif col.default is not None and ctx.pg_version < FAST_COLUMN_DEFAULTS:
        why = "before PostgreSQL 11 any default is written into every row"
    else:
        return
    yield ctx.finding(
        op,
        f"adding {op.table}.{col.name} rewrites the whole table under an ACCESS EXCLUSIVE "
        f"lock: {why}",
        f"Add {col.name} without a default, then `ALTER TABLE {op.table} ALTER COLUMN "
        f"{col.name} SET DEFAULT …` for new rows, and backfill existing rows in batches.",
        rewrites=True,
    )
