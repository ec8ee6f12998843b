"""Path with a migration's name that is a FIFO, a device or a socket, not a file.

## What it does
Reports a named pipe, a character or block device or a socket found where migrations
are (or given on the command line). It is never opened, so it cannot block the run or
feed it endless data.

## Why is this bad?
It is no migration: nothing was checked, and reading it could hang a CI job forever
(a FIFO) or exhaust its memory (`/dev/zero`). A pull request should not be able to do
either.

## Example
A named pipe called `V2__add_email.sql`:
```sql input=fifo
ALTER TABLE users ADD COLUMN email text;
```

## Use instead
A regular file:
```sql
ALTER TABLE users ADD COLUMN email text;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.problems import SpecialFile
from migralint.rule import DIALECTS, Violation, rule


@rule(
    "special-file",
    category="correctness",
    dialects=DIALECTS,
    on_fresh_install=True,
    on_new_tables=True,
)
def check(op: SpecialFile, ctx: Context) -> Iterator[Violation]:
    yield ctx.finding(
        op, op.message, "Replace it by a regular file, or `exclude` it in the configuration."
    )
