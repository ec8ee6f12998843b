"""Migration file that took longer to lint than `time_budget`; its rest is not checked.

## What it does
Reports the line where linting stopped when a file runs over its time budget
(`time_budget` seconds, default 10; `--time-budget` on the command line). Findings up
to that line are kept; the other files are still linted.

## Why is this bad?
The rest of the file was not checked. Without a budget a few kilobytes crafted to be
slow to analyse could hold a CI job for hours.

## Example
With a budget too small for any file:
```sql time_budget=0.000001
CREATE TABLE a (id bigint);
CREATE TABLE b (id bigint);
```

## Use instead
The default budget:
```sql
CREATE TABLE a (id bigint);
CREATE TABLE b (id bigint);
```
A file this slow is worth reporting to us.
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.problems import FileTooSlow
from migralint.rule import DIALECTS, Violation, rule


@rule(
    "file-too-slow",
    category="correctness",
    dialects=DIALECTS,
    on_fresh_install=True,
    on_new_tables=True,
)
def check(op: FileTooSlow, ctx: Context) -> Iterator[Violation]:
    yield ctx.finding(
        op,
        op.message,
        "Split the file, or raise `time_budget` (or `--time-budget`); please report the "
        "file to us.",
    )
