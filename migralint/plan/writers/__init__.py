"""Writers: one module per migration tool, each turning a plan into named files.

A writer is a function `render(plan, versions) -> [(file name, text)]` that receives one
version string per phase, in order; `write.py` picks versions and writes the files.
"""

from __future__ import annotations

from collections.abc import Callable

from migralint.plan.model import Plan
from migralint.plan.writers import alembic, dbmate, flyway, golang_migrate, plain_sql

Render = Callable[[Plan, list[str]], list[tuple[str, str]]]

WRITERS: dict[str, Render] = {
    "sql": plain_sql.render,
    "golang-migrate": golang_migrate.render,
    "flyway": flyway.render,
    "dbmate": dbmate.render,
    "alembic": alembic.render,
}
