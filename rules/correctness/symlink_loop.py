"""Symlink that points back at itself, or to a folder that holds it.

## What it does
Reports a symbolic link that cannot be resolved because it loops, or a link to a folder
that contains the link (walking it would never end). It is not followed.

## Why is this bad?
Whatever the link was meant to bring in was not checked, and the migration tool will
fail on it or walk in circles.

## Example
A link `example.sql` → `example.sql`:
```sql input=symlink-loop
SELECT 1;
```

## Use instead
A regular file, or a link to one in the same tree:
```sql
SELECT 1;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.problems import SymlinkLoop
from migralint.rule import DIALECTS, Violation, rule


@rule(
    "symlink-loop",
    category="correctness",
    dialects=DIALECTS,
    on_fresh_install=True,
    on_new_tables=True,
)
def check(op: SymlinkLoop, ctx: Context) -> Iterator[Violation]:
    yield ctx.finding(op, op.message, "Point the link at a file, or remove it.")
