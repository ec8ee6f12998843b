"""COMMIT or ROLLBACK with no transaction open: the statements before it were never atomic.

## What it does
In a file the migration tool does not run inside a transaction, flags `COMMIT`,
`END` and `ROLLBACK` when no explicit `BEGIN` of the file is open, unless the
statement right before it ended a transaction (`COMMIT; ROLLBACK;`): then nothing ran
outside one.

## Why is this bad?
Outside a transaction every statement commits on its own, so the COMMIT does nothing
but print "there is no transaction in progress", and a ROLLBACK undoes nothing. The
author expected the statements before it to succeed or fail together; they did not,
and a failure halfway leaves the migration half-applied.

## Example
```sql
ALTER TABLE users ADD COLUMN nickname text;
UPDATE users SET nickname = name WHERE nickname IS NULL;
COMMIT;
```

## Use instead
```sql
BEGIN;
ALTER TABLE users ADD COLUMN nickname text;
UPDATE users SET nickname = name WHERE nickname IS NULL;
COMMIT;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql import ops


@rule(
    "commit-without-begin",
    category="transactions",
    severity="warning",
    aliases=["transaction-nesting"],
    dialects=("postgres", "mysql", "cockroach"),
)
def check(op: ops.Commit, ctx: Context) -> Iterator[Violation]:
    if ctx.session.in_transaction or _right_after_an_end(ctx):
        return
    word = "ROLLBACK" if op.rollback else "COMMIT"
    if op.rollback:
        harm = "undoes nothing: every statement before it has already committed"
    else:
        harm = (
            "does nothing: every statement before it committed on its own, so they were "
            "never atomic"
        )
    unknown = (
        " (if your migration tool wraps this file in a transaction, set it in the "
        "`transaction` configuration)"
        if ctx.file.transaction is None
        else ""
    )
    yield ctx.finding(
        op,
        f"{word} with no transaction open {harm}",
        f"Open the transaction with `BEGIN;` at the start of the statements it should "
        f"cover, or remove the {word}{unknown}.",
    )


def _right_after_an_end(ctx: Context) -> bool:
    """True if the statement before is a COMMIT or ROLLBACK: nothing ran outside a
    transaction in between (`COMMIT; ROLLBACK;`, a guard some scripts end with)."""
    return ctx.position > 0 and isinstance(ctx.file_ops[ctx.position - 1], ops.Commit)
