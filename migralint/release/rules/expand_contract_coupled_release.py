"""Expand and contract of the same table ship in one release.

## What it does
Flags a `DROP COLUMN` of a column that existed at the release tag when the same release
(the migrations added since the tag) also adds a column to that table: the expand and
the contract of one change, coupled in one deploy.

## Why is this bad?
Expand/contract keeps the rollback door open only when the contract ships a release
later. Shipped together, rolling the code back to the previous release lands it on a
schema without the column it still reads and writes.

## Example
Between `v2.4.0` and HEAD:
```sql file=V2__rename.sql
ALTER TABLE users ADD COLUMN name text;
ALTER TABLE users DROP COLUMN full_name;
```

## Use instead
Ship the expand (and the code that writes both columns) in this release, and the drop
in the next one, once this release is permanent:
```sql file=V2__rename.sql
ALTER TABLE users ADD COLUMN name text;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.release.problems import CoupledRelease
from migralint.rule import DIALECTS, Violation, rule


@rule("expand-contract-coupled-release", category="phases", dialects=DIALECTS, offline=True)
def check(op: CoupledRelease, ctx: Context) -> Iterator[Violation]:
    yield ctx.finding(
        op,
        op.message,
        "Move the drop into a migration of the next release, shipped once this one is "
        "permanent; keep the old column in sync until then (`migralint plan` writes the "
        "three phases).",
    )
