"""File that cannot be read as SQL: no permission, binary, UTF-16, a broken symlink.

## What it does
Reports a migration file, or a folder of them, that migralint could not read: the
operating system refused it, its symlink points nowhere, or it is not text (a NUL byte
near the start, which is also what a UTF-16 file looks like).

## Why is this bad?
Nothing in the file was checked, so a destructive statement in it would pass review
unseen; and the migration tool will most likely fail on it in production too.

## Example
```sql encoding=utf-16
ALTER TABLE users DROP COLUMN email;
```

## Use instead
Save migrations as UTF-8 text, readable by the user that runs the linter:
```sql
ALTER TABLE users DROP COLUMN email;
```
Exclude files that are not migrations with `exclude` in the configuration.
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.problems import UnreadableFile
from migralint.rule import DIALECTS, Violation, rule


@rule(
    "unreadable-file",
    category="correctness",
    dialects=DIALECTS,
    on_fresh_install=True,
    on_new_tables=True,
)
def check(op: UnreadableFile, ctx: Context) -> Iterator[Violation]:
    yield ctx.finding(
        op,
        op.message,
        "Save the migration as UTF-8 text readable by this user, or `exclude` it in the "
        "configuration.",
    )
