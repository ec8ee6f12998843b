"""The fixture project runs on a real PostgreSQL through Alembic itself, and the catalog
migralint builds by reading it statically matches the one Alembic built."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from migralint.engine import build_catalog

alembic = pytest.importorskip("alembic", reason="alembic is not installed (extra: alembic)")
pytest.importorskip("sqlalchemy", reason="sqlalchemy is not installed (extra: alembic)")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "alembic"

_COLUMNS = """
SELECT table_name, column_name, is_nullable = 'YES', column_default IS NOT NULL
FROM information_schema.columns
WHERE table_schema = 'public' AND table_name <> 'alembic_version'
ORDER BY 1, 2
"""


def _alembic(project: Path, url: str) -> Any:
    from alembic.config import Config

    config = Config(str(project / "alembic.ini"))
    config.set_main_option("script_location", str(project))
    config.set_main_option("sqlalchemy.url", url)
    return config


def _serial(data_type: Any) -> bool:
    return data_type is not None and data_type.name in ("serial", "bigserial", "smallserial")


def test_static_catalog_matches_what_alembic_builds(
    pg_server: Any, db: Any, tmp_path: Path
) -> None:
    from alembic import command

    project = shutil.copytree(FIXTURES / "shop", tmp_path / "shop")  # Alembic writes caches
    url = f"postgresql+psycopg://postgres@/{db.info.dbname}?host={pg_server.host}"
    config = _alembic(project, url)
    command.upgrade(config, "head")
    real = {tuple(row) for row in db.execute(_COLUMNS).fetchall()}
    catalog = build_catalog([project])
    static = {  # a serial column's default is its type's, as for SQL
        (table, column, state.nullable, state.default is not None or _serial(state.type))
        for table, table_state in catalog.tables.items()
        for column, state in table_state.columns.items()
    }
    assert static == real
    command.downgrade(config, "base")
    assert db.execute(_COLUMNS).fetchall() == []
