"""Statement that migralint cannot parse.

## What it does
Reports a statement the SQL parser could not read, at the line and column where
parsing failed. The rest of the file, and every other file, is still linted.

## Why is this bad?
A statement that does not parse either fails when the migration runs, or uses syntax
migralint does not know yet; either way nothing in it was checked for safety.

## Example
```sql
ALTER TABLE users ADD COLUMN email text NOT NULL DEFAULT;
```

## Use instead
```sql
ALTER TABLE users ADD COLUMN email text;
```
If the database accepts the statement, suppress the finding on it with
`-- migralint: ignore syntax-error -- <reason>` and report the statement to us.
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import Unparsed


@rule(
    "syntax-error",
    category="correctness",
    dialects=("postgres", "mysql", "sqlite", "cockroach"),
    on_fresh_install=True,
    on_new_tables=True,
)
def check(op: Unparsed, ctx: Context) -> Iterator[Violation]:
    yield ctx.finding(
        op,
        f"cannot parse this statement: {op.error}",
        "Fix the SQL. If the database accepts it, add "
        "`-- migralint: ignore syntax-error -- <reason>` above it; nothing in it was checked.",
        line=op.line,
        column=op.column,
    )
