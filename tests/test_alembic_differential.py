"""`plan --format alembic` does what the SQL plan does: for every operation, the plan's
revisions run by Alembic (`upgrade head`, then `downgrade` to the base revision) and the
same plan's SQL phases run in order (then their downs in reverse) leave equal catalogs
and data on a real PostgreSQL, compared with the differential harness's snapshot()."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import psycopg
import pytest
from differential import differences, snapshot
from plan_helpers import every_operation
from test_plan_alembic import _alembic, _project
from test_plan_quoting import PLAIN

from migralint.plan.operations import OPERATIONS
from migralint.plan.write import write_plan

# What every operation's plan starts from: app.orders(id, amount) with rows, and what
# the operation needs besides: the table a foreign key references, the index to drop.
_ORDERS = """
CREATE SCHEMA app;
CREATE TABLE app.orders (id integer PRIMARY KEY, amount integer);
INSERT INTO app.orders SELECT g, g * 10 FROM generate_series(1, 300) AS g;
"""
_BASES = {
    "add-primary-key": _ORDERS.replace(
        "id integer PRIMARY KEY, amount integer", "id integer, amount integer NOT NULL"
    ),
    "add-foreign-key": _ORDERS
    + """
CREATE TABLE total (amount integer UNIQUE);
INSERT INTO total SELECT g * 10 FROM generate_series(1, 300) AS g;
""",
    "drop-index": _ORDERS + "CREATE INDEX total ON app.orders (amount);",
}

_BASE_REVISION = '''"""the state the plan starts from"""
from alembic import op

revision = "base0001"
down_revision = None


def upgrade() -> None:
    op.execute("""{sql}""")


def downgrade() -> None:
    op.execute("DROP SCHEMA app CASCADE; DROP TABLE IF EXISTS total")
'''


def _state(db: psycopg.Connection[Any], names: str) -> dict[str, str]:
    """The snapshot, without Alembic's own bookkeeping table."""
    return {k: v for k, v in snapshot(db, names).items() if "alembic_version" not in k}


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_the_alembic_revisions_do_what_the_sql_plan_does(
    tmp_path: Path, pg_server: Any, operation: str
) -> None:
    module = importlib.import_module(OPERATIONS[operation])
    planned = module.plan(module.Change(**every_operation(PLAIN)[operation]))
    base = _BASES.get(operation, _ORDERS)
    names = base + "".join(p.up + p.down for p in planned.phases)
    versions = _project(tmp_path)
    (versions / "base0001_base.py").write_text(_BASE_REVISION.format(sql=base))
    write_plan(planned, "alembic", versions)
    with pg_server.database() as by_sql, pg_server.database() as by_alembic:
        by_sql.execute(base)
        _alembic(tmp_path, by_alembic, "upgrade", "base0001")
        before = _state(by_sql, names)
        assert differences(before, _state(by_alembic, names)) == []
        for phase in planned.phases:
            _run(by_sql, phase.sql("up", per_statement=False), phase.transactional)
        _alembic(tmp_path, by_alembic, "upgrade", "head")
        after = _state(by_sql, names)
        assert after != before
        assert differences(after, _state(by_alembic, names)) == []
        for phase in reversed(planned.phases):
            _run(by_sql, phase.sql("down", per_statement=False), phase.transactional)
        _alembic(tmp_path, by_alembic, "downgrade", "base0001")
        assert differences(_state(by_sql, names), _state(by_alembic, names)) == []


def _run(db: psycopg.Connection[Any], sql: str, transactional: bool) -> None:
    """A phase as a SQL tool sends it: in one transaction, or (one statement) outside."""
    if not sql.strip():
        return
    if transactional:
        with db.transaction():
            db.execute(sql)
    else:
        db.execute(sql)
