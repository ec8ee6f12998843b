"""Column and table references in SQL text, found by parsing, renamed in place.

PostgreSQL's constraints and indexes point at columns and tables by number, so a
rename carries them along; the catalog keeps their text, and renames the references
in it. Only the parsed references change: a column `a` leaves `'a'`, `aa`, a function
`a()` and a type `a` alone, and everything else stays as written. Text sqlglot cannot
read is returned unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from migralint.sql.names import identifier, quote
from migralint.sql.normalise import normalise


def _tree(text: str) -> exp.Expression | None:
    try:
        return sqlglot.parse_one(normalise(text, "postgres"), read="postgres")
    except SqlglotError:
        return None


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


def rename_in_expression(text: str, old: str, new: str, clause: bool = False) -> str:
    """A CHECK's condition (or with `clause`, a table constraint such as `EXCLUDE …`)
    with column `old` renamed `new`."""
    prefix = "ALTER TABLE t ADD CONSTRAINT c " if clause else "SELECT "
    tree = _tree(prefix + text)
    if tree is None:
        return text
    return _replaced(text, _columns([tree]), old, new, len(prefix))


def index_column_nodes(statement: str) -> tuple[exp.Index, list[exp.Expression]] | None:
    """A CREATE INDEX's index node and its key entries (ordering, collation and operator
    class left out), or None if it does not parse as one."""
    tree = _tree(statement)
    index = tree.this if isinstance(tree, exp.Create) else None
    if not isinstance(index, exp.Index):
        return None
    params = index.args.get("params")
    entries = []
    for node in params.args.get("columns") or [] if params else []:
        while isinstance(node, (exp.Ordered, exp.Collate, exp.Opclass)):
            node = node.this
        entries.append(node)
    return index, entries


def rename_in_index(statement: str, old: str, new: str) -> str:
    """A CREATE INDEX statement with column `old` renamed `new` in its keys, INCLUDE list
    and predicate (not in its name, table, method or storage parameters)."""
    found = index_column_nodes(statement)
    if found is None:
        return statement
    index, entries = found
    params = index.args["params"]
    include = params.args.get("include") or []
    where = [params.args.get("where")]
    return _replaced(statement, _columns([*entries, *include, *where]), old, new)


def rename_index_columns(
    statement: str, columns: tuple[str, ...], old: str, new: str
) -> tuple[str, ...]:
    """An index's key `columns` (names, or expressions as SQL, one for each entry of the
    CREATE INDEX `statement`) with column `old` renamed `new`."""
    found = index_column_nodes(statement)
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
    found = index_column_nodes(statement)
    if found is None:
        return statement
    table = found[0].args.get("table")
    names = (
        [table.this]
        if isinstance(table, exp.Table) and isinstance(table.this, exp.Identifier)
        else []
    )
    return _replaced(statement, names, old, new)
