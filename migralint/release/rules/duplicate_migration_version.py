"""Two migrations of one set carry the same version.

## What it does
Flags a migration added since the release tag whose version (Flyway `V3__`, the number
of `3_x.up.sql`, a leading number) another migration of the same set, direction and
dialect already uses; typically two branches that each added "the next" migration.

## Why is this bad?
The migration tool refuses the set (Flyway, golang-migrate, sqlx), or applies only one
of the two and records the other as done: the schema silently misses a change.

## Example
`V2__add_phone.sql` from one branch beside `V2__add_email.sql` from another:
```sql file=V2__add_phone.sql siblings=V2__add_email.sql
ALTER TABLE users ADD COLUMN phone text;
```

## Use instead
Renumber the newer migration after the latest one before merging:
```sql file=V3__add_phone.sql siblings=V2__add_email.sql
ALTER TABLE users ADD COLUMN phone text;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.release.problems import DuplicateVersion
from migralint.rule import DIALECTS, Violation, rule


@rule(
    "duplicate-migration-version",
    category="correctness",
    dialects=DIALECTS,
    on_fresh_install=True,
    on_down=True,
)
def check(op: DuplicateVersion, ctx: Context) -> Iterator[Violation]:
    yield ctx.finding(
        op,
        op.message,
        "Give the migration that has not been applied anywhere yet the next free version.",
    )
