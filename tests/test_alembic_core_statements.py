"""SQLAlchemy Core statements given to `op.execute` or a connection's `execute`
(`t.update().values(…)`, `sa.update(t).where(…)`, `t.delete()`) are read into the
Update / Delete Ops the SQL front end makes of the same SQL, so rules judge them alike."""

from __future__ import annotations

import ast
from pathlib import Path

from helpers import lint_tree

from migralint.alembic.table_expressions import statement_op
from migralint.alembic.values import Scope
from migralint.sql import ops

_BASE = """import sqlalchemy as sa
from alembic import op

revision = "a1"
down_revision = None


def upgrade():
    op.create_table("q", sa.Column("id", sa.Integer, primary_key=True), sa.Column("s", sa.String(10)))
"""
_STEP = """import sqlalchemy as sa
from alembic import op
from sqlalchemy.sql import table

revision = "b2"
down_revision = "a1"


def upgrade():
    q = table("q", sa.Column("id", sa.Integer), sa.Column("s", sa.String(10)), sa.Column("old", sa.String(10)))
{body}
"""
_LOC = ops.Location("r.py", 1, 1, 1, 1)


def _rules(tmp_path: Path, body: str) -> set[tuple[str, int]]:
    step = _STEP.format(body=body)
    files = {"versions/a1.py": _BASE, "versions/b2.py": step}
    result = lint_tree(tmp_path, files)
    return {(f.rule, f.line) for f in result.findings if f.path.endswith("b2.py")}


def _op(statement: str) -> ops.Op | None:
    names = {"t": ast.parse('sa.table("t", sa.Column("id"))', mode="eval").body}
    return statement_op(ast.parse(statement, mode="eval").body, Scope(names), _LOC)


def test_a_copy_before_the_drop_is_the_coupled_expand_contract_the_sql_gives(
    tmp_path: Path,
) -> None:
    """The column's data is copied first: not a plain loss of it, as with the same SQL."""
    add = '    op.add_column("q", sa.Column("old", sa.String(10), nullable=True))\n'
    drop = '    op.drop_column("q", "s")'
    core = _rules(
        tmp_path / "core", f'{add}    op.execute(q.update().values({{"old": q.c.s}}))\n{drop}'
    )
    keyword = _rules(
        tmp_path / "kw", f"{add}    op.get_bind().execute(q.update().values(old=q.c.s))\n{drop}"
    )
    sql = _rules(tmp_path / "sql", f'{add}    op.execute("UPDATE q SET old = s")\n{drop}')
    assert core == keyword == sql
    assert ("expand-contract-coupled", 13) in core and "drop-column" not in {r for r, _ in core}


def test_a_keyed_update_per_selected_row_is_a_batch(tmp_path: Path) -> None:
    """One row per pass, picked by its key, judged as the same keyed UPDATE in SQL: no
    unbatched whole-table backfill, which the same statement without its WHERE is."""
    loop = """    conn = op.get_bind()
    for row in conn.execute(q.select()):
        conn.execute(sa.update(q).where(q.c.id == row.id).values(s=row.s.strip()))"""
    keyed = '    op.execute("UPDATE q SET s = :s WHERE id = :id")'
    whole = "    op.get_bind().execute(sa.update(q).values(s=sa.func.trim(q.c.s)))"
    found = _rules(tmp_path / "loop", loop)
    assert {r for r, _ in found} == {r for r, _ in _rules(tmp_path / "keyed", keyed)}
    assert "unbatched-backfill" not in {r for r, _ in found}
    assert ("unbatched-backfill", 11) in _rules(tmp_path / "whole", whole)


def test_what_an_update_sets_and_where_it_reads() -> None:
    found = _op("t.update().where(t.c.id == row.id).where(t.c.n.is_(None)).values(n=t.c.n + 1)")
    assert isinstance(found, ops.Update) and found.table == ops.Name("t")
    assert (found.columns, found.where) == (("n",), "id = :value AND n IS NULL")
    assert found.where_columns == {"id", "n"}
    (change,) = found.assignments or ()
    assert (change.reads_self, change.columns_read) == (True, ("n",))
    same = _op('t.update().values({t.c.n: t.c.n, "m": 1})')
    assert isinstance(same, ops.Update) and same.columns == ("n", "m")
    assert [a.reads_self for a in same.assignments or ()] == [False, False]


def test_deletes_name_their_table_and_condition() -> None:
    assert _op("sa.delete(t).where(t.c.id > 5)") == ops.Delete(
        loc=_LOC, table=ops.Name("t"), where="id > 5"
    )
    assert _op("t.delete().where(t.c.id != None)") == ops.Delete(
        loc=_LOC, table=ops.Name("t"), where="id IS NOT NULL"
    )
    assert _op("t.delete()") == ops.Delete(loc=_LOC, table=ops.Name("t"))
    assert _op("t.select()") is None
