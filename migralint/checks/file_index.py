"""The Ops of one file, indexed once, for the questions rules ask about what comes
before or after the statement they judge ("does a later statement re-create this
table?"). A question costs a dictionary look-up and a bisection plus the answers it
returns, never a rescan of the file: a migration of n statements is judged in
O(n log n), however many of its statements ask."""

from __future__ import annotations

import weakref
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterator
from typing import Any, TypeVar

from migralint.context import Context
from migralint.sql import ops

T = TypeVar("T", bound=ops.Op)
Key = Callable[[T], Hashable]


class Each(tuple):  # type: ignore[type-arg]
    """What a key function returns to file one Op under several keys."""


def no_key(_: ops.Op) -> None:
    """The key function that files every Op of a type under one key (None)."""
    return None


class FileIndex:
    """Positions of a file's Ops grouped by (Op type, key function, key), each group
    built on first use in one pass over the file. Key functions must be defined once
    (at module level): a new function object builds a new group."""

    def __init__(self, file_ops: list[ops.Op]) -> None:
        self.ops = file_ops
        self.size = len(file_ops)
        self._groups: dict[tuple[type | tuple[type, ...], Key], dict[Hashable, list[int]]] = {}
        self._derived: dict[Callable[[Context], Any], Any] = {}

    def derived(self, build: Callable[[Context], Any], ctx: Context) -> Any:
        """`build(ctx)`, computed once per file (`build` defined once, like keys): a fact
        of the file's Ops, not of the catalog state at the first call."""
        if build not in self._derived:
            self._derived[build] = build(ctx)
        return self._derived[build]

    def positions(self, op_type: type[T], key: Key[T], value: Hashable) -> list[int]:
        """Where the Ops of `op_type` whose `key(op) == value` stand, in file order."""
        group = self._groups.get((op_type, key))
        if group is None:
            group = defaultdict(list)
            for i, op in enumerate(self.ops):
                if isinstance(op, op_type):
                    keys = key(op)
                    for k in keys if isinstance(keys, Each) else (keys,):
                        group[k].append(i)
            self._groups[(op_type, key)] = group
        return group.get(value, [])


_INDEXES: weakref.WeakKeyDictionary[Context, FileIndex] = weakref.WeakKeyDictionary()


def file_index(ctx: Context) -> FileIndex:
    """The index of the file `ctx` judges (rebuilt when its Ops are replaced)."""
    index = _INDEXES.get(ctx)
    if index is None or index.ops is not ctx.file_ops or index.size != len(ctx.file_ops):
        index = _INDEXES[ctx] = FileIndex(ctx.file_ops)
    return index


def before(
    ctx: Context, op_type: type[T], key: Key[T] = no_key, value: Hashable = None
) -> Iterator[T]:
    """Ops of `op_type` with `key(op) == value` before the current one, first first."""
    index = file_index(ctx)
    found = index.positions(op_type, key, value)
    for i in range(bisect_left(found, ctx.position)):
        yield index.ops[found[i]]  # type: ignore[misc]


def after(
    ctx: Context, op_type: type[T], key: Key[T] = no_key, value: Hashable = None
) -> Iterator[T]:
    """Ops of `op_type` with `key(op) == value` after the current one, first first."""
    index = file_index(ctx)
    found = index.positions(op_type, key, value)
    for i in range(bisect_right(found, ctx.position), len(found)):
        yield index.ops[found[i]]  # type: ignore[misc]


def anywhere(
    ctx: Context, op_type: type[T], key: Key[T] = no_key, value: Hashable = None
) -> Iterator[T]:
    """Ops of `op_type` with `key(op) == value` anywhere in the file, the current one included."""
    index = file_index(ctx)
    for i in index.positions(op_type, key, value):
        yield index.ops[i]  # type: ignore[misc]


def first_after(
    ctx: Context,
    op_type: type[T],
    key: Key[T] = no_key,
    value: Hashable = None,
    position: int | None = None,
) -> int | None:
    """The position of the first matching Op after `position` (default: the current Op)."""
    found = file_index(ctx).positions(op_type, key, value)
    k = bisect_right(found, ctx.position if position is None else position)
    return found[k] if k < len(found) else None


def last_before(
    ctx: Context, op_type: type[T], key: Key[T] = no_key, value: Hashable = None
) -> int | None:
    """The position of the last matching Op before the current one."""
    found = file_index(ctx).positions(op_type, key, value)
    k = bisect_left(found, ctx.position)
    return found[k - 1] if k else None


def statement_run(ctx: Context) -> range:
    """Positions of the Ops read from the same statement as the current one (a DROP
    TABLE of several tables, an ALTER TABLE of several actions): consecutive, at one
    start line and column, in one run of it (`Location.execution`)."""
    ops_ = ctx.file_ops
    at = _start(ops_[ctx.position])
    first = last = ctx.position
    while first > 0 and _start(ops_[first - 1]) == at:
        first -= 1
    while last + 1 < len(ops_) and _start(ops_[last + 1]) == at:
        last += 1
    return range(first, last + 1)


def column_added_earlier(ctx: Context, table: ops.Name, column: str) -> bool:
    """True when an ADD COLUMN earlier in this file added the column (under this name, or
    under one a RENAME COLUMN later gave it this name) and no DROP COLUMN has removed it
    since: a column of this migration's own, which release N-1 never knew."""
    index = file_index(ctx)
    key, end = (table.key, column), ctx.position
    while True:
        added = _last(index.positions(ops.AddColumn, added_column, key), end)
        dropped = _last(index.positions(ops.DropColumn, dropped_column, key), end)
        renamed = _last(index.positions(ops.RenameColumn, renamed_column, key), end)
        latest = max(added, dropped, renamed)
        if latest < 0 or latest == dropped:
            return False
        if latest == added:
            return True
        rename = index.ops[renamed]
        assert isinstance(rename, ops.RenameColumn)
        key, end = (table.key, rename.column), renamed  # follow the column to its old name


def _last(found: list[int], end: int) -> int:
    """The last of the sorted positions `found` before `end`, else -1."""
    k = bisect_left(found, end)
    return found[k - 1] if k else -1


def _start(op: ops.Op) -> tuple[int, int, int]:
    return op.loc.line, op.loc.column, op.loc.execution


# Keys several checks look Ops up by


def added_column(op: ops.AddColumn) -> tuple[str, str]:
    """(table key, column) of an ADD COLUMN."""
    return op.table.key, op.column.name


def dropped_column(op: ops.DropColumn) -> tuple[str, str]:
    """(table key, column) of a DROP COLUMN."""
    return op.table.key, op.column


def renamed_column(op: ops.RenameColumn) -> tuple[str, str]:
    """(table key, new name) of a RENAME COLUMN."""
    return op.table.key, op.new_name


def created_object(op: ops.CreateObject) -> tuple[str, str]:
    """(kind, name key) of a CREATE VIEW / TYPE / FUNCTION …"""
    return op.kind, op.name.key


def table_key(op: ops.TableOp) -> str:
    """The key of the table a table Op works on."""
    return op.table.key


def index_name(op: ops.CreateIndex) -> str | None:
    """The name a CREATE INDEX gives (without schema)."""
    return op.name
