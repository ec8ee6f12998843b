"""Several ALTER TABLE statements on one table each queue for its lock.

## What it does
Flags the second of consecutive `ALTER TABLE` statements on the same existing table
that could be one statement (`ALTER TABLE t ADD COLUMN a …, ADD COLUMN b …`), when
they do not run in one transaction. Renames, VALIDATE CONSTRAINT and DETACH PARTITION
stay separate, as they must. Opt-in.

## Why is this bad?
Each statement waits for the ACCESS EXCLUSIVE lock on its own: behind every running
query, with all later queries queued behind it. Two statements mean two such waits,
and a rewrite or scan done once per statement.

## Example
```sql
ALTER TABLE users ADD COLUMN nickname text;
ALTER TABLE users ADD COLUMN avatar_url text;
```

## Use instead
```sql
ALTER TABLE users ADD COLUMN nickname text, ADD COLUMN avatar_url text;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.file_index import file_index
from migralint.context import Context
from migralint.rule import Violation, rule
from migralint.sql import ops

_COMBINABLE = (
    ops.AddColumn,
    ops.DropColumn,
    ops.AlterColumnType,
    ops.SetNotNull,
    ops.DropNotNull,
    ops.SetDefault,
    ops.DropDefault,
    ops.AddConstraint,
    ops.DropConstraint,
    ops.AlterIdentity,
)


@rule("multiple-alter-table", category="locking", severity="info", enabled_by_default=False)
def check(
    op: ops.AddColumn
    | ops.DropColumn
    | ops.AlterColumnType
    | ops.SetNotNull
    | ops.DropNotNull
    | ops.SetDefault
    | ops.DropDefault
    | ops.AddConstraint
    | ops.DropConstraint
    | ops.AlterIdentity,
    ctx: Context,
) -> Iterator[Violation]:
    if ctx.session.in_transaction:
        return  # the first statement's lock is still held: the others do not queue
    previous = _previous_statement(ctx, op)
    if previous is None or not isinstance(previous, _COMBINABLE):
        return
    if previous.table.key != op.table.key:
        return
    if not ctx.first_time(f"multiple-alter-table:{op.table.key}"):
        return
    yield ctx.finding(
        op,
        f"this is another ALTER TABLE on {op.table} right after the one on line "
        f"{previous.loc.line}: each statement waits for the ACCESS EXCLUSIVE lock again",
        f"Combine them into one `ALTER TABLE {op.table} …, …;` statement, with the "
        "sub-commands separated by commas.",
    )


def _previous_statement(ctx: Context, op: ops.Op) -> ops.Op | None:
    """The last Op of the statement before the current one (None at the file's start)."""
    start = file_index(ctx).derived(_statement_starts, ctx)[ctx.position]
    return ctx.file_ops[start - 1] if start > 0 else None


def _statement_starts(ctx: Context) -> list[int]:
    """For each position, where the run of Ops from the same statement begins."""
    starts: list[int] = []
    for i, op in enumerate(ctx.file_ops):
        same = i > 0 and _start(ctx.file_ops[i - 1]) == _start(op)
        starts.append(starts[-1] if same else i)
    return starts


def _start(op: ops.Op) -> tuple[int, int]:
    return op.loc.line, op.loc.column
