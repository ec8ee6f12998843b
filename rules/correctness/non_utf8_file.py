"""File that is not valid UTF-8; it is read as Latin-1.

## What it does
Reports the first byte that is not valid UTF-8, at its line and column. The file is
still linted, read as Latin-1.

## Why is this bad?
The database client decodes the file with its own encoding (usually UTF-8): a string
or identifier may not be what the file seems to say, or the migration fails to run.

## Example
```sql encoding=latin-1
-- the café menu
CREATE TABLE menu (id bigint);
```

## Use instead
Save the file as UTF-8:
```sql
-- the café menu
CREATE TABLE menu (id bigint);
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.problems import NonUtf8File
from migralint.rule import DIALECTS, Violation, rule


@rule(
    "non-utf8-file",
    category="correctness",
    severity="warning",
    dialects=DIALECTS,
    on_fresh_install=True,
    on_new_tables=True,
)
def check(op: NonUtf8File, ctx: Context) -> Iterator[Violation]:
    yield ctx.finding(op, op.message, "Save the file as UTF-8.")
