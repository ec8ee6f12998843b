"""What the idempotency rules share: does re-running this statement matter here, is the
object it creates or drops handled elsewhere in the file, and does an UPDATE change
data again when it runs twice (read by the front end: migralint/sql/assignments.py)."""

from __future__ import annotations

import sys
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from migralint import directives
from migralint.checks.file_index import after, before, file_index
from migralint.context import Context, FileInfo
from migralint.schema import Catalog
from migralint.sql import ops

# Re-running the file: when it matters

ASSUMED_OUTSIDE = "assumed: `--show-context` says how to state it"


def rests_on_assumed_mode(op: ops.Op, ctx: Context) -> bool:
    """True when the only reason `rerun_reason` gives for the statement is that the
    migration runs outside a transaction, which nothing (layout, directive,
    configuration) states."""
    why = rerun_reason(op, ctx)
    return why is not None and ASSUMED_OUTSIDE in why


def rerun_expected(file: FileInfo) -> bool:
    """True in a migration its marker declares an expand one: migralint's expand
    discipline makes it safe to re-run during a rollout. A pre-deploy name says only
    when the file runs, not that its tool runs it again."""
    return file.phase == "expand" and file.phase_reason == directives.MARKED


def rerun_reason(op: ops.Op, ctx: Context) -> str | None:
    """Why this statement may run a second time on a database that already has its
    effect, or None when a failure rolls it back and a re-run starts clean."""
    if op.guarded:
        return None
    if ctx.file.direction == "repeatable":
        return "a repeatable migration or callback runs again on the database it already changed"
    if rerun_expected(ctx.file):
        return "this expand migration must be safe to re-run during a rollout"
    implicit = ctx.file.transaction == "implicit"
    if implicit or (ctx.session.explicit and not ctx.session.wrapped):
        # a file sent as one query, or a BEGIN of its own: its COMMIT makes what came
        # before permanent, and the next statement starts a new transaction (a COMMIT
        # inside the tool's own transaction is transaction-in-wrapped-file's finding)
        commit = next(after(ctx, ops.Commit, _rolls_back, False), None)
        if commit is not None and statements_after(ctx, commit):
            return (
                f"the COMMIT on line {commit.loc.line} makes it permanent before the rest of "
                "the file runs, so a later failure leaves the migration half-applied"
            )
    if ctx.session.in_transaction or implicit:
        return None  # the open transaction rolls the rest of the file back on failure
    outside = "this migration runs outside a transaction"
    if ctx.file.transaction is None:  # neither the layout nor the configuration says
        outside += f" ({ASSUMED_OUTSIDE})"
    if not statements_after(ctx, op):
        return (
            f"{outside}: if the tool stops before it records the migration as applied, the "
            "next deploy runs the statement again"
        )
    return f"{outside}, so a later failure leaves it half-applied"


def _rolls_back(op: ops.Commit) -> bool:
    return op.rollback


Span = tuple[tuple[int, int], tuple[int, int], int]  # (start, end, position) of a DO block


def _outer_blocks(ctx: Context) -> list[Span]:
    """The DO blocks not inside an earlier one, by start (statements never overlap)."""
    spans: list[Span] = []
    for position, op in enumerate(ctx.file_ops):
        if not isinstance(op, ops.DoBlock):
            continue
        span = ((op.loc.line, op.loc.column), (op.loc.end_line, op.loc.end_column), position)
        k = bisect_right(spans, (span[0], (sys.maxsize, sys.maxsize), sys.maxsize))
        if not (k and spans[k - 1][0] <= span[0] <= spans[k - 1][1]):
            spans.insert(k, span)
    return spans


def _enclosing_end(ctx: Context, op: ops.Op) -> tuple[int, int]:
    """Where the statement holding `op` ends: a DO block's inner DDL ends with the block."""
    start = (op.loc.line, op.loc.column)
    spans: list[Span] = file_index(ctx).derived(_outer_blocks, ctx)
    k = bisect_right(spans, (start, (sys.maxsize, sys.maxsize), sys.maxsize))
    if k and spans[k - 1][0] <= start <= spans[k - 1][1]:
        _, block_end, position = spans[k - 1]
        if _position_of(ctx, op) > position:
            return block_end
    return op.loc.end_line, op.loc.end_column


def _identities(ctx: Context) -> dict[int, int]:
    """id(op) → the first position of that object in the file."""
    positions: dict[int, int] = {}
    for i, op in enumerate(ctx.file_ops):
        positions.setdefault(id(op), i)
    return positions


def _position_of(ctx: Context, op: ops.Op) -> int:
    """Where `op` stands in the file."""
    return file_index(ctx).derived(_identities, ctx).get(id(op), len(ctx.file_ops))


def _last_start(ctx: Context) -> tuple[int, int]:
    """Where the last statement of the file that can fail starts (a trailing COMMIT,
    ROLLBACK or BEGIN cannot leave the migration half-applied)."""
    ends = (ops.EndOfFile, ops.Commit, ops.Begin)
    starts = [(o.loc.line, o.loc.column) for o in ctx.file_ops if not isinstance(o, ends)]
    return max(starts, default=(0, 0))


def statements_after(ctx: Context, op: ops.Op) -> bool:
    """True when a statement that can fail follows the one holding `op` in this file."""
    return file_index(ctx).derived(_last_start, ctx) > _enclosing_end(ctx, op)


# Objects: what a statement creates or drops, and what else the file does to it

ObjectKey = tuple[str, ...]


def index_already_exists(op: ops.CreateIndex, catalog: Catalog) -> bool:
    """True for `CREATE INDEX IF NOT EXISTS` of a name the replayed catalog has an index
    of, on a table still known: PostgreSQL then only notices and builds nothing."""
    if not (op.if_not_exists and op.name):
        return False
    known = catalog.index_definitions.get(ops.Name(op.name, op.table.schema).key)
    return known is not None and catalog.table(known.table) is not None


def created_key(op: ops.Op) -> ObjectKey | None:
    """The object a statement creates (a table, index, column, constraint, view ...)."""
    if isinstance(op, ops.CreateTable):
        return ("TABLE", op.table.key)
    if isinstance(op, ops.CreateIndex) and op.name:
        return ("INDEX", ops.Name(op.name, op.table.schema).key)
    if isinstance(op, ops.AddColumn):
        return ("COLUMN", op.table.key, op.column.name)
    if isinstance(op, ops.AddConstraint) and op.constraint.name:
        return ("CONSTRAINT", op.table.key, op.constraint.name)
    if isinstance(op, ops.CreateObject):
        return _object_key(op.kind, op.name, op.table)
    return None


def dropped_key(op: ops.Op) -> ObjectKey | None:
    """The object a statement drops."""
    if isinstance(op, ops.DropTable):
        return ("TABLE", op.table.key)
    if isinstance(op, ops.DropIndex):
        return ("INDEX", op.name.key)
    if isinstance(op, ops.DropColumn):
        return ("COLUMN", op.table.key, op.column)
    if isinstance(op, ops.DropConstraint):
        return ("CONSTRAINT", op.table.key, op.name)
    if isinstance(op, ops.DropObject):
        return _object_key(op.kind, op.name, op.table)
    return None


PER_TABLE_KINDS = ("TRIGGER", "POLICY", "RULE")  # objects named per table in PostgreSQL


def _object_key(kind: str, name: ops.Name, table: ops.Name | None) -> ObjectKey:
    if kind in PER_TABLE_KINDS and table is not None:
        return (kind, name.key, table.key)
    return (kind, name.key)


def same_object(a: ObjectKey | None, b: ObjectKey | None) -> bool:
    """Equal keys; a trigger named without its table (MySQL's DROP TRIGGER: names are
    unique per schema there) matches that name on any table."""
    if a is None or b is None:
        return False
    return a == b or (a[0] in PER_TABLE_KINDS and a[:2] == b[:2] and min(len(a), len(b)) == 2)


@dataclass(frozen=True, slots=True)
class _KeyIndex:
    """Key functions over one way of naming an Op's object: the whole key, and (for
    per-table kinds) its (kind, name) head, of all keys or of table-less ones only."""

    whole: Callable[[ops.Op], ObjectKey | None]
    head: Callable[[ops.Op], ObjectKey | None]
    tableless: Callable[[ops.Op], ObjectKey | None]


def _key_index(key_of: Callable[[ops.Op], ObjectKey | None]) -> _KeyIndex:
    def head(op: ops.Op) -> ObjectKey | None:
        key = key_of(op)
        return key[:2] if key and key[0] in PER_TABLE_KINDS else None

    def tableless(op: ops.Op) -> ObjectKey | None:
        key = key_of(op)
        return key if key and key[0] in PER_TABLE_KINDS and len(key) == 2 else None

    return _KeyIndex(key_of, head, tableless)


_CREATED = _key_index(created_key)
_DROPPED = _key_index(dropped_key)
Where = Callable[[Context, type[ops.Op], Callable[[ops.Op], ObjectKey | None], ObjectKey], Iterator]


def _found(ctx: Context, keys: _KeyIndex, key: ObjectKey | None, where: Where) -> bool:
    """True when an Op `where` says (before, after) names an object that same_object
    matches with `key`: the index lookups that same_object's cases amount to."""
    if key is None:
        return False
    if key[0] not in PER_TABLE_KINDS:
        return any(where(ctx, ops.Op, keys.whole, key))
    if len(key) == 2:
        return any(where(ctx, ops.Op, keys.head, key))
    return any(where(ctx, ops.Op, keys.whole, key)) or any(
        where(ctx, ops.Op, keys.tableless, key[:2])
    )


def touched_positions(ctx: Context, key: ObjectKey, created: bool) -> list[int]:
    """Where the file's statements create (or drop) the object, in file order, matched
    as `same_object` matches."""
    keys = _CREATED if created else _DROPPED
    index = file_index(ctx)
    if key[0] not in PER_TABLE_KINDS:
        return index.positions(ops.Op, keys.whole, key)
    if len(key) == 2:
        return index.positions(ops.Op, keys.head, key)
    both = index.positions(ops.Op, keys.whole, key) + index.positions(
        ops.Op, keys.tableless, key[:2]
    )
    return sorted(both)


def dropped_before(ctx: Context, key: ObjectKey | None) -> bool:
    """True when an earlier statement of this file drops the object: a re-run re-creates it."""
    return _found(ctx, _DROPPED, key, before)


def created_before(ctx: Context, key: ObjectKey | None) -> bool:
    """True when an earlier statement of this file creates the object: it exists here."""
    return _found(ctx, _CREATED, key, before)


def created_later(ctx: Context, key: ObjectKey | None) -> bool:
    """True when a later statement of this file re-creates the object."""
    return _found(ctx, _CREATED, key, after)


# UPDATE: does running it twice change the data again?

_JSON_TYPES = frozenset({"json", "jsonb"})


def reads_self(op: ops.Update, a: ops.Assignment, ctx: Context) -> bool:
    """True when applying the assignment again changes the column again; on a json or
    jsonb column, `||` merges and `-` removals settle (see `ops.Assignment`)."""
    state = ctx.catalog.column(op.table, a.column)
    json = state is not None and state.type is not None and state.type.name in _JSON_TYPES
    return a.reads_self_json if json else a.reads_self


def where_reads(op: ops.Update, columns: set[str]) -> bool:
    """True when the UPDATE's WHERE mentions one of the assigned columns (a re-run guard)."""
    return bool(op.where_columns & columns)
