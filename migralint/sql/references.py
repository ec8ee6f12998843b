"""Column and table references in SQL text, found by parsing, renamed in place.

PostgreSQL's constraints and indexes point at columns and tables by number, so a
rename carries them along; the catalog keeps their text, and renames the references
in it. Only the parsed references change: a column `a` leaves `'a'`, `aa`, a function
`a()` and a type `a` alone, and everything else stays as written. Text sqlglot cannot
read is returned unchanged by a rename, and taken to read every column (DROP COLUMN
then forgets the constraint or index rather than keep one PostgreSQL dropped).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from migralint.sql.names import identifier, quote
from migralint.sql.normalise import normalise


@functools.lru_cache(maxsize=1024)
def _tree(text: str) -> exp.Expression | None:
    """The text parsed, once (a rename asks for an index's keys and its statement, a
    drop whether it reads the column): read-only to every caller."""
    try:
        return sqlglot.parse_one(normalise(text, "postgres"), read="postgres")
    except SqlglotError:
        return None


def _may_name(text: str, name: str) -> bool:
    """Can `text` refer to `name` (a folded identifier)? Only if it is written in it as a
    word, in any case, unless escaped: `U&"…"`, or a quote doubled inside a quoted name.
    A rename of a name the text cannot hold leaves it as it is, without parsing it."""
    lowered = text.lower()
    word = rf"(?<![\w$]){re.escape(name.lower())}(?![\w$])"
    return "u&" in lowered or '"' in name or re.search(word, lowered) is not None


def _columns(nodes: Iterable[exp.Expression | None]) -> Iterator[exp.Identifier]:
    """The name of every column reference in `nodes` (INCLUDE lists hold bare names)."""
    for node in nodes:
        if isinstance(node, exp.Identifier):
            yield node
        elif node is not None:
            yield from (
                c.this for c in node.find_all(exp.Column) if isinstance(c.this, exp.Identifier)
            )


def _replaced(text: str, names: Iterable[exp.Identifier], old: str, new: str, skip: int = 0) -> str:
    """`text` with each of `names` that is `old` written as `new` (the names' positions
    are `skip` characters into the parsed text)."""
    spans = sorted(
        (n.meta["start"] - skip, n.meta["end"] + 1 - skip)
        for n in names
        if identifier(n) == old and "start" in n.meta
    )
    out, last = [], 0
    for start, end in spans:
        out += [text[last:start], quote(new)]
        last = end
    return "".join(out) + text[last:]


def _expression(text: str, clause: bool) -> tuple[list[exp.Identifier], int] | None:
    """The column names a CHECK's condition (or with `clause`, a table constraint such
    as `EXCLUDE …`) reads, and how far into the parsed text `text` starts."""
    prefix = "ALTER TABLE t ADD CONSTRAINT c " if clause else "SELECT "
    tree = _tree(prefix + text)
    return None if tree is None else (list(_columns([tree])), len(prefix))


def rename_in_expression(text: str, old: str, new: str, clause: bool = False) -> str:
    """A CHECK's condition (or with `clause`, a table constraint such as `EXCLUDE …`)
    with column `old` renamed `new`."""
    if not _may_name(text, old):
        return text
    found = _expression(text, clause)
    return text if found is None else _replaced(text, found[0], old, new, found[1])


def reads_column(text: str, column: str, clause: bool = False) -> bool:
    """Does the condition (or with `clause`, the constraint) read `column`? Text that
    does not parse is taken to read it."""
    found = _expression(text, clause)
    return found is None or any(identifier(n) == column for n in found[0])


def _index(statement: str) -> tuple[exp.Index, list[exp.Expression]] | None:
    """A CREATE INDEX's index node and its key entries (ordering, collation and operator
    class left out), or None if it does not parse as one."""
    tree = _tree(statement)
    index = tree.this if isinstance(tree, exp.Create) else None
    params = index.args.get("params") if isinstance(index, exp.Index) else None
    if params is None:
        return None
    entries = []
    for node in params.args.get("columns") or []:
        while isinstance(node, (exp.Ordered, exp.Collate, exp.Opclass)):
            node = node.this
        entries.append(node)
    return index, entries


def _index_names(statement: str) -> list[exp.Identifier] | None:
    """The column names in a CREATE INDEX's keys, INCLUDE list and predicate (not in its
    name, table, method or storage parameters)."""
    found = _index(statement)
    if found is None:
        return None
    index, entries = found
    params = index.args["params"]
    return list(_columns([*entries, *(params.args.get("include") or []), params.args.get("where")]))


def rename_in_index(statement: str, old: str, new: str) -> str:
    """A CREATE INDEX statement with column `old` renamed `new`."""
    if not _may_name(statement, old):
        return statement
    names = _index_names(statement)
    return statement if names is None else _replaced(statement, names, old, new)


def index_reads_column(statement: str, column: str) -> bool:
    """Does the CREATE INDEX use `column` (a statement that does not parse is taken to)?"""
    names = _index_names(statement)
    return names is None or any(identifier(n) == column for n in names)


def rename_index_columns(
    statement: str, columns: tuple[str, ...], old: str, new: str
) -> tuple[str, ...]:
    """An index's key `columns` (names, or expressions as SQL, one for each entry of the
    CREATE INDEX `statement`) with column `old` renamed `new`."""
    if not any(_may_name(text, old) for text in (statement, *columns)):
        return columns
    found = _index(statement)
    entries = found[1] if found else []
    if len(entries) != len(columns):
        entries = [exp.column(c) for c in columns]  # what does not parse is read as names
    return tuple(
        (new if c == old else c)
        if isinstance(node, exp.Column)
        else rename_in_expression(c, old, new)
        for c, node in zip(columns, entries, strict=True)
    )


def rename_index_table(statement: str, old: str, new: str) -> str:
    """A CREATE INDEX statement on table `old` (unqualified name) as one on `new`."""
    if not _may_name(statement, old):
        return statement
    found = _index(statement)
    table = found[0].args.get("table") if found else None
    names = [table.this] if isinstance(table, exp.Table) else []
    return _replaced(statement, [n for n in names if isinstance(n, exp.Identifier)], old, new)
