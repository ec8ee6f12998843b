"""Tool manifest that cannot be read: `sqitch.plan`, `atlas.sum`, a changelog, `manifest.json`.

## What it does
Reports the first line of a migration tool's manifest (the file that lists which
migrations run and in which order: Sqitch's `sqitch.plan`, Atlas's `atlas.sum`, a
Liquibase master changelog and the changelogs it includes, a temporal-sql-tool version
folder's `manifest.json`) that migralint cannot read, or whose `include` names a file
that is not there, or that the tool refuses (a `manifest.json` whose `CurrVersion` is not
its folder's version, or without `MinCompatibleVersion` or `SchemaUpdateCqlFiles`).
The folder is then linted as an ordinary one: every file, in name order, with no file
left out. An `atlas.sum` that a listed file no longer matches (edited after `atlas
migrate hash`, or gone) is reported at that file's line; its files are still linted in
the sum's order.

## Why is this bad?
The tool refuses a manifest it cannot read, so no migration of the set deploys; and
without the manifest migralint cannot tell which files run, in which order, or how,
so its findings on the set may be about files that never run.

## Example
An `atlas.sum` that is empty (its first line must be the folder's `h1:` hash):
```sql file=20240101000000_users.sql siblings=atlas.sum
CREATE TABLE users (id bigint PRIMARY KEY);
```

## Use instead
Let the tool write its manifest (`atlas migrate hash`, `sqitch add`), keep a
changelog's includes pointing at files that exist, and commit it with the migrations:
```sql file=20240101000000_users.sql
CREATE TABLE users (id bigint PRIMARY KEY);
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.problems import MalformedManifest
from migralint.rule import DIALECTS, Violation, rule


@rule(
    "malformed-manifest",
    category="correctness",
    dialects=DIALECTS,
    on_fresh_install=True,
    on_new_tables=True,
)
def check(op: MalformedManifest, ctx: Context) -> Iterator[Violation]:
    yield ctx.finding(
        op,
        op.message,
        "Write the manifest with its tool (`atlas migrate hash`, `sqitch add` / `sqitch "
        "rework`), point a changelog's includes at files that exist, and commit it with the "
        "migrations.",
    )
