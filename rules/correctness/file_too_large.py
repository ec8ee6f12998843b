"""Migration file larger than `max_file_size`; it is not linted.

## What it does
Reports a file over the configured size limit (`max_file_size`, default 4 MB;
`--max-file-size` on the command line) without reading more than the limit of it.

## Why is this bad?
Nothing in the file was checked. A limit keeps a pull request from exhausting the
linter's memory and time with a huge file; real migrations are much smaller (data
loads belong in a separate, batched job).

## Example
With `max_file_size = 64`:
```sql max_file_size=64
INSERT INTO countries (code, name) VALUES ('fr', 'France'), ('de', 'Germany');
```

## Use instead
Split the file, move bulk data out of the migration, or raise the limit:
```sql max_file_size=64
INSERT INTO countries (code) VALUES ('fr');
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.problems import FileTooLarge
from migralint.rule import DIALECTS, Violation, rule


@rule(
    "file-too-large",
    category="correctness",
    dialects=DIALECTS,
    on_fresh_install=True,
    on_new_tables=True,
)
def check(op: FileTooLarge, ctx: Context) -> Iterator[Violation]:
    yield ctx.finding(
        op,
        op.message,
        "Split the file, or raise `max_file_size` (or `--max-file-size`) if it is really "
        "one migration.",
    )
