"""What a DO block's dynamic SQL (EXECUTE), which no rule can read, might do."""

from __future__ import annotations

from collections.abc import Iterator

from migralint.checks.file_index import before
from migralint.context import Context
from migralint.sql import ops

# the first keywords of SQL that only reads
READS_ONLY = frozenset({"SELECT", "WITH", "VALUES", "SHOW", "EXPLAIN", "TABLE"})


def unread(block: ops.DoBlock) -> list[ops.Execute]:
    """The block's EXECUTEs whose SQL may change the schema or data."""
    return [e for e in block.executes if e.keyword not in READS_ONLY]


def index_dropper_before(ctx: Context, name: str) -> ops.DoBlock | None:
    """The first DO block before the current statement whose dynamic SQL could drop the
    index `name`: the block names the index, or says INDEX and runs a DROP or SQL held in
    a variable."""
    return next(_index_droppers(ctx, name.lower()), None)


def _index_droppers(ctx: Context, name: str) -> Iterator[ops.DoBlock]:
    for block in before(ctx, ops.DoBlock):
        dynamic = unread(block)
        drops = "index" in block.words and any(e.keyword in (None, "DROP") for e in dynamic)
        if dynamic and (drops or name in block.words):
            yield block
