"""What a CREATE or ALTER TABLE says beyond its Ops: column collations and partitioning.

Few statements say either, so each reader looks for its keyword before it parses (and
before it imports sqlglot).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from migralint.sql import ops
from migralint.sql.names import identifier, table_name
from migralint.sql.normalise import normalise

if TYPE_CHECKING:
    from sqlglot import exp


def _tree(statement: str, keyword: str) -> exp.Expression | None:
    """The statement's tree when it mentions `keyword` and parses; else None."""
    if keyword not in statement.upper():
        return None
    import sqlglot
    from sqlglot.errors import SqlglotError

    try:
        return sqlglot.parse_one(normalise(statement, "postgres"), read="postgres")
    except SqlglotError:
        return None


def _collation(node: exp.Expression | None) -> str | None:
    """A COLLATE clause's collation name, None for none or `default` (the type's)."""
    from sqlglot import exp

    if isinstance(node, exp.Column):  # pg_catalog."C"
        node = node.this
    name = identifier(node) if isinstance(node, exp.Identifier) else None
    return None if name in (None, "default") else name


def column_collation(statement: str, column: str) -> str | None:
    """The collation the statement gives `column` where it defines it (CREATE TABLE, ADD
    COLUMN) or changes its type (ALTER COLUMN … TYPE … COLLATE): None when it says none,
    as the column then has its type's."""
    tree = _tree(statement, "COLLATE")
    if tree is None:
        return None
    from sqlglot import exp

    for node in tree.find_all(exp.ColumnDef, exp.AlterColumn):
        if identifier(node.this) != column:
            continue
        if isinstance(node, exp.AlterColumn):
            if node.args.get("dtype") is not None:
                return _collation(node.args.get("collate"))
            continue
        for c in node.args.get("constraints") or []:
            if isinstance(c.kind, exp.CollateColumnConstraint):
                return _collation(c.kind.this)
        return None
    return None


@dataclass(frozen=True)
class Partitioning:
    """A CREATE TABLE's `PARTITION BY` (partitioned) and `PARTITION OF parent`."""

    partitioned: bool = False
    parent: ops.Name | None = None


def partitioning(statement: str) -> Partitioning:
    tree = _tree(statement, "PARTITION")
    if tree is None:
        return Partitioning()
    from sqlglot import exp

    props = tree.args.get("properties") if isinstance(tree, exp.Create) else None
    found = props.expressions if props else []
    parent = next((p.this for p in found if isinstance(p, exp.PartitionedOfProperty)), None)
    if isinstance(parent, exp.Schema):  # PARTITION OF p (constraints …)
        parent = parent.this
    return Partitioning(
        any(isinstance(p, exp.PartitionedByProperty) for p in found),
        table_name(parent) if isinstance(parent, exp.Table) else None,
    )
