"""A column assigned or defined twice in one statement makes PostgreSQL reject it.

## What it does
Flags `UPDATE … SET a = …, a = …` (also through `(a, b) = (…)`) and `CREATE TABLE`
with two columns of the same name (names compared as PostgreSQL folds them: `A`
and `a` are one column, `"A"` is another).

## Why is this bad?
PostgreSQL fails the statement ("multiple assignments to same column", "column
specified more than once"), so the migration stops there; in a file run without a
transaction, the statements before it stay applied.

## Example
```sql
UPDATE accounts SET status = 'active', plan = 'free', status = 'trial';
```

## Use instead
```sql
UPDATE accounts SET plan = 'free', status = 'trial';
```
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import CreateTable, Update


@rule(
    "ban-duplicate-column-assignments",
    category="correctness",
    on_new_tables=True,
    on_fresh_install=True,
)
def check(op: Update | CreateTable, ctx: Context) -> Iterator[Violation]:
    names = op.columns if isinstance(op, Update) else tuple(c.name for c in op.columns)
    twice = sorted(name for name, n in Counter(names).items() if n > 1 and name)
    if not twice:
        return
    listed = ", ".join(twice)
    if isinstance(op, Update):
        message = f"UPDATE {op.table} assigns {listed} more than once: PostgreSQL rejects it"
        advice = f"Keep one assignment of {listed} (the last one is the one you meant to run)."
    else:
        message = f"CREATE TABLE {op.table} defines {listed} more than once: PostgreSQL rejects it"
        advice = f"Remove or rename the repeated {listed}."
    yield ctx.finding(op, message, advice)
