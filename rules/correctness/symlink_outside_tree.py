"""Symlink that resolves outside the folders being linted; it is not followed.

## What it does
Reports a symbolic link (to a file or a folder) whose target is outside the linted
folders, and, for a link given on the command line, outside the folder that holds it.
Nothing of the target is read or printed.

## Why is this bad?
A pull request can add `V9__x.sql` → `/home/runner/.env` or a link to `/`: following
it would print the runner's secrets as "source lines" of findings, or walk the whole
filesystem. And what the link points to is not part of the change under review.

## Example
A link whose target is outside the migrations folder:
```sql input=symlink-outside
DROP TABLE users;
```

## Use instead
Commit the migration itself, or a link within the same folder tree:
```sql
CREATE TABLE users (id bigint);
```
To lint the target, pass its own path.
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.problems import SymlinkOutsideTree
from migralint.rule import DIALECTS, Violation, rule


@rule(
    "symlink-outside-tree",
    category="correctness",
    dialects=DIALECTS,
    on_fresh_install=True,
    on_new_tables=True,
)
def check(op: SymlinkOutsideTree, ctx: Context) -> Iterator[Violation]:
    yield ctx.finding(
        op,
        op.message,
        "Commit the migration itself (or a link inside the tree), or lint its target directly.",
    )
