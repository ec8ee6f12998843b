"""A table or column this release drops or renames is still used by the previous release's code.

## What it does
For every table or column that existed at the release tag and that the migrations added
since drop or rename, searches the tag's code (`code_paths` globs, `git grep -w` at the
tag) for its name, and reports the files and lines that still use it.

## Why is this bad?
During the rollout and after a rollback, release N-1 runs against the new schema: each
of those lines fails once the object is gone. N and N-1 must interoperate.

## Example
With `code_paths = ["src/**"]` and `src/users.py` at `v2.4.0` reading `full_name`:
```sql file=V2__drop_full_name.sql
ALTER TABLE users DROP COLUMN full_name;
```

## Use instead
Stop using the name in this release's code, and drop it in the next release:
```sql file=V2__add_name.sql
ALTER TABLE users ADD COLUMN name text;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.release.problems import StaleCodeReference
from migralint.rule import DIALECTS, Violation, rule


@rule(
    "dropped-object-used-by-previous-release",
    category="compatibility",
    dialects=DIALECTS,
    offline=True,
)
def check(op: StaleCodeReference, ctx: Context) -> Iterator[Violation]:
    yield ctx.finding(
        op,
        op.message,
        f"Keep the object while {op.tag}'s code may run: ship the code that stops using it "
        "first and drop it a release later (expand/contract).",
    )
