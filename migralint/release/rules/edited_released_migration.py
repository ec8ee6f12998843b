"""A migration that was already released was edited or deleted afterwards.

## What it does
Flags a migration file present at the release tag whose content changed (or that was
removed) between the tag and what is being checked, naming the commits that did it.

## Why is this bad?
Production already ran the released version: the edit never runs there, so databases
built from scratch and production drift apart, and checksum-keeping tools (Flyway,
golang-migrate's dirty state, sqlx) refuse to start.

## Example
`V1__create_users.sql`, released in `v2.4.0`, edited after it:
```sql file=V1__create_users.sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
```

## Use instead
Leave the released file as it was and add a new migration with the fix (a hotfix is a
new migration, never a rewrite of one production ran):
```sql file=V2__add_email.sql
ALTER TABLE users ADD COLUMN email text;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.release.problems import EditedReleasedMigration
from migralint.rule import DIALECTS, Violation, rule


@rule(
    "edited-released-migration",
    category="correctness",
    dialects=DIALECTS,
    on_fresh_install=True,
    on_down=True,
)
def check(op: EditedReleasedMigration, ctx: Context) -> Iterator[Violation]:
    yield ctx.finding(
        op,
        op.message,
        f"Restore the file as it was at {op.tag} (`git checkout {op.tag} -- <file>`) and "
        "put the change in a new migration.",
    )
