"""What a project's own revisions say of the connection its caller hands `env.py`.

PostgreSQL refuses `CREATE INDEX CONCURRENTLY` (and `DROP INDEX CONCURRENTLY`) inside a
transaction block, and a project runs its own revisions: a revision that builds an index
concurrently outside `autocommit_block()` works only on a connection that is not in a
transaction (AUTOCOMMIT). Without such a revision, the caller's connection is
SQLAlchemy's default: a transaction, begun when Alembic begins it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator

from migralint.alembic.revision import Revision

_CONCURRENTLY_SQL = re.compile(r"\b(?:CREATE|DROP)\b[^;]*\bINDEX\s+CONCURRENTLY\b", re.IGNORECASE)


def concurrent_outside_autocommit(revisions: Iterable[Revision]) -> tuple[Revision, int] | None:
    """The first revision (by file name) and line that runs an index build or drop
    CONCURRENTLY outside an `autocommit_block`, if one does."""
    for revision in sorted(revisions, key=lambda r: r.path.name):
        if revision.module is None or "oncurrent" not in revision.text:
            continue
        line = next(_concurrent_calls(revision.module, inside_block=False), None)
        if line is not None:
            return revision, line
    return None


def _concurrent_calls(node: ast.AST, inside_block: bool) -> Iterator[int]:
    """Lines of concurrent index calls below `node` that no `autocommit_block` holds."""
    if isinstance(node, ast.With) and any(_autocommit(item.context_expr) for item in node.items):
        inside_block = True
    if not inside_block and isinstance(node, ast.Call) and _concurrent(node):
        yield node.lineno
    for child in ast.iter_child_nodes(node):
        yield from _concurrent_calls(child, inside_block)


def _autocommit(expr: ast.expr) -> bool:
    return (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "autocommit_block"
    )


def _concurrent(call: ast.Call) -> bool:
    """`op.create_index(…, postgresql_concurrently=True)` or `op.execute("CREATE INDEX
    CONCURRENTLY …")`."""
    for keyword in call.keywords:
        value = keyword.value
        if keyword.arg == "postgresql_concurrently" and isinstance(value, ast.Constant):
            return value.value is True
    name = call.func.attr if isinstance(call.func, ast.Attribute) else ""
    return name == "execute" and any(
        isinstance(a, ast.Constant)
        and isinstance(a.value, str)
        and _CONCURRENTLY_SQL.search(a.value)
        for a in ast.walk(call)
    )
