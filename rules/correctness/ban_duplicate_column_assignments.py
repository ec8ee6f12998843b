"""A column assigned or defined twice in one statement makes PostgreSQL reject it.

## What it does
Flags `UPDATE … SET a = …, a = …` (also through `(a, b) = (…)`, or the whole column
beside a part of it: `a = …, a.x = …`), `INSERT INTO t (a, a)`, and `CREATE TABLE`
with two columns of the same name (names compared as PostgreSQL folds and cuts them:
`A` and `a` are one column, `"A"` is another, and two names sharing their first 63
bytes are one). Several parts of one column (`a[1] = …, a[2] = …`, `a.x`, `a.y`) are
allowed.

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

from migralint.checks.types import truncated
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import CreateTable, Insert, Update


@rule(
    "ban-duplicate-column-assignments",
    category="correctness",
    on_new_tables=True,
    on_fresh_install=True,
)
def check(op: Update | Insert | CreateTable, ctx: Context) -> Iterator[Violation]:
    twice = _repeated(op)
    if not twice:
        return
    listed = ", ".join(twice)
    if isinstance(op, Update):
        message = f"UPDATE {op.table} assigns {listed} more than once: PostgreSQL rejects it"
        advice = f"Keep one assignment of {listed} (the last one is the one you meant to run)."
    elif isinstance(op, Insert):
        message = f"INSERT INTO {op.table} lists {listed} more than once: PostgreSQL rejects it"
        advice = f"List {listed} once, with the value you meant to insert."
    else:
        message = f"CREATE TABLE {op.table} defines {listed} more than once: PostgreSQL rejects it"
        advice = f"Remove or rename the repeated {listed}."
    yield ctx.finding(op, message, advice)


def _repeated(op: Update | Insert | CreateTable) -> list[str]:
    """The names given twice, as PostgreSQL stores them (cut to 63 bytes). Assignments
    to parts of one column (`a[1] = …, a[2] = …`, `a.x = …, a.y = …`) are allowed;
    the whole column and a part of it (`a = …, a.x = …`) are not."""
    if isinstance(op, CreateTable):
        names = [truncated(c.name) for c in op.columns]
        whole = set(names)
    else:
        names = [truncated(c) for c in op.columns]
        parts = op.partial or (False,) * len(names)
        whole = {name for name, part in zip(names, parts, strict=True) if not part}
    return sorted(n for n, k in Counter(names).items() if k > 1 and n and n in whole)
