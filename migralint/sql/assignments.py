"""What an UPDATE's SET list does when it runs twice, read from sqlglot's tree.

The front end reads this once into `ops.Assignment`s, so the idempotency and phase
rules judge it without sqlglot: does a value compute from the column it overwrites
(`n = n + 1` changes the data again on a re-run), and which columns does it read.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from migralint.sql import ops
from migralint.sql.names import identifier

# Functions f with f(f(x)) = f(x): applying them to a column again changes nothing.
_IDEMPOTENT_NODES = (
    exp.Paren,
    exp.Cast,
    exp.TryCast,
    exp.Case,
    exp.If,
    exp.Coalesce,
    exp.Lower,
    exp.Upper,
    exp.Trim,
    exp.Initcap,
    exp.Abs,
    exp.Round,
    exp.Floor,
    exp.Ceil,
    exp.DateTrunc,
    exp.TimestampTrunc,
    exp.Greatest,
    exp.Least,
    exp.Nullif,
    exp.RegexpReplace,
)
_IDEMPOTENT_CALLS = frozenset(
    {
        "btrim",
        "ltrim",
        "rtrim",
        "unaccent",
        "jsonb_set",
        "jsonb_set_lax",
        "jsonb_strip_nulls",
        "json_strip_nulls",
        "array_remove",
        "date_trunc",
        "nullif",
        "trunc",
    }
)


def assignments(tree: exp.Update, table: ops.Name) -> tuple[ops.Assignment, ...]:
    """The UPDATE's `SET column = value` pairs."""
    names = _target_names(tree, table)
    found = []
    for eq in tree.expressions:
        if not isinstance(eq, exp.EQ) or not isinstance(eq.this, exp.Column):
            continue
        name = identifier(eq.this.this)
        refs = [r for r in _row_columns(eq.expression, names) if identifier(r) == name]
        found.append(
            ops.Assignment(
                column=name,
                value=eq.expression.sql("postgres"),
                reads_self=any(not _reapplies_same(r, eq, False) for r in refs),
                reads_self_json=any(not _reapplies_same(r, eq, True) for r in refs),
                reads_row=any(True for _ in eq.expression.find_all(exp.Column, exp.Subquery)),
                columns_read=tuple(identifier(c) for c in eq.expression.find_all(exp.Column)),
            )
        )
    return tuple(found)


def where_columns(condition: exp.Expression | None) -> frozenset[str]:
    """The columns a WHERE condition names."""
    if condition is None:
        return frozenset()
    return frozenset(identifier(c) for c in condition.find_all(exp.Column))


def _target_names(tree: exp.Update, table: ops.Name) -> set[str]:
    """The names a column of the updated row can be qualified with."""
    names = {table.name.lower()}
    if isinstance(tree.this, exp.Table) and tree.this.alias:
        names.add(tree.this.alias.lower())
    return names


def _row_columns(expression: exp.Expression, names: set[str]) -> Iterator[exp.Column]:
    """Column references that read the updated row (inside a subquery: qualified ones only)."""
    for col in expression.find_all(exp.Column):
        qualifier = col.table.lower()
        in_subquery = col.find_ancestor(exp.Subquery, exp.Select) is not None
        if qualifier in names or (not qualifier and not in_subquery):
            yield col


def _reapplies_same(ref: exp.Column, root: exp.EQ, json: bool) -> bool:
    """True when every expression between the column and the assignment is idempotent,
    or when the column only feeds a CASE condition (it chooses the value, not computes it)."""
    steps: list[tuple[exp.Expression, exp.Expression]] = []
    child: exp.Expression = ref
    parent = ref.parent
    while parent is not None and parent is not root:
        if isinstance(parent, exp.If) and parent.this is child:
            return True
        steps.append((parent, child))
        child, parent = parent, parent.parent
    return all(_idempotent_step(node, below, json) for node, below in steps)


def _idempotent_step(node: exp.Expression, child: exp.Expression, json: bool) -> bool:
    if isinstance(node, _IDEMPOTENT_NODES):
        return True
    if isinstance(node, exp.Replace):  # replace(x, 'a', 'b') is stable unless 'b' holds 'a'
        old, new = node.expression, node.args.get("replacement")
        if isinstance(old, exp.Literal) and isinstance(new, exp.Literal):
            return old.this not in new.this
        return True
    if isinstance(node, exp.Anonymous):
        return node.name.lower() in _IDEMPOTENT_CALLS
    # jsonb || '{…}' merges keys and jsonb - 'key' removes one: both settle
    return json and isinstance(node, (exp.DPipe, exp.Sub)) and node.this is child
