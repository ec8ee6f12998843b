"""Helpers for planner tests on a real PostgreSQL: catalog snapshots and running files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg


def schema_of(db: psycopg.Connection[Any], table: str) -> dict[str, Any]:
    """Columns, constraints, indexes and triggers of a table, for before/after checks."""
    q = db.execute
    return {
        "columns": q(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = %s ORDER BY column_name",
            (table,),
        ).fetchall(),
        "constraints": q(
            "SELECT conname, contype FROM pg_constraint WHERE conrelid = %s::regclass ORDER BY 1",
            (f'"{table}"',),
        ).fetchall(),
        "indexes": q(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s ORDER BY 1", (table,)
        ).fetchall(),
        "triggers": q(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            (f'"{table}"',),
        ).fetchall(),
    }


def run_file(db: psycopg.Connection[Any], path: Path) -> None:
    """Send a file as golang-migrate does: one multi-statement query."""
    db.execute(path.read_text(encoding="utf-8"))


def files(out: Path, phase: str, direction: str) -> Path:
    [found] = out.glob(f"*_{phase}.{direction}.sql")
    return found
