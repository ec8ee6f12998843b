"""An up migration without its down migration cannot be rolled back with the tool.

## What it does
For tools that pair migrations (golang-migrate, popx, diesel), flags an up file that
has no down file beside it, in a project that writes down files for its other
migrations. golang-migrate pairs them by version alone (`31_add_x.up.sql` with
`31_drop_x.down.sql`); popx by the name before the engine. Reported at the end of the
up file.

## Why is this bad?
`migrate down` (or `diesel migration revert`) stops at this migration: rolling back
past it needs a hand-written script in the middle of an incident. If the change
cannot be undone, an empty down file that says so documents the decision.

## Example
```sql file=2_add_nickname.up.sql siblings=1_init.up.sql,1_init.down.sql
ALTER TABLE users ADD COLUMN nickname text;
```

## Use instead
Write `…_add_nickname.down.sql` beside it:
```sql file=2_add_nickname.down.sql siblings=2_add_nickname.up.sql
ALTER TABLE users DROP COLUMN IF EXISTS nickname;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql.ops import EndOfFile


@rule(
    "missing-down-migration",
    category="phases",
    severity="warning",
    dialects=("postgres", "mysql", "sqlite", "cockroach"),
    on_down=False,
)
def check(op: EndOfFile, ctx: Context) -> Iterator[Violation]:
    if ctx.file.has_down is not False or not ctx.file.downs_written:
        return  # not a paired up file, it has its down, or a forward-only project
    up = ctx.file.name
    down = "down.sql" if ctx.file.tool == "diesel" else up[: -len("up.sql")] + "down.sql"
    yield ctx.finding(
        op,
        f"{up} has no down migration: rolling back past it needs a hand-written script",
        f"Write {down} beside it undoing this migration, or an empty one with a comment "
        "saying why it cannot be undone.",
    )
