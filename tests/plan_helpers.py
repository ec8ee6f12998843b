"""Helpers for planner tests on a real PostgreSQL: catalog snapshots and running files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg

from migralint.sql.ops import Name


def schema_of(db: psycopg.Connection[Any], table: str) -> dict[str, Any]:
    """Columns, constraints, indexes and triggers of a table by exact definition, for
    before/after checks: each column's format_type, NOT NULL, default, identity, generated
    kind, collation and owned sequence (with its position); constraints by
    pg_get_constraintdef, indexes by pg_get_indexdef."""
    q = db.execute
    rel = f'"{table}"'
    return {
        "columns": q(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
            "pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, "
            "CASE WHEN a.attcollation <> t.typcollation THEN a.attcollation::regcollation END, "
            "pg_get_serial_sequence(quote_ident(%s), a.attname) "
            "FROM pg_attribute AS a JOIN pg_type AS t ON t.oid = a.atttypid "
            "LEFT JOIN pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped "
            "ORDER BY a.attname",
            (table, rel),
        ).fetchall(),
        "constraints": q(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass ORDER BY 1",
            (rel,),
        ).fetchall(),
        "referenced_by": q(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE confrelid = %s::regclass ORDER BY 1, 2",
            (rel,),
        ).fetchall(),
        "indexes": q(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY 1", (table,)
        ).fetchall(),
        "triggers": q(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            (rel,),
        ).fetchall(),
    }


def sequence_position(db: psycopg.Connection[Any], table: str, column: str) -> tuple[Any, ...]:
    """The owned sequence of a serial or identity column: its name, options, last value
    and is_called."""
    [name] = db.execute(
        "SELECT pg_get_serial_sequence(quote_ident(%s), %s)", (table, column)
    ).fetchone()
    options = db.execute(
        "SELECT seqtypid::regtype::text, seqstart, seqincrement, seqmax, seqmin, seqcache, "
        "seqcycle FROM pg_sequence WHERE seqrelid = %s::regclass",
        (name,),
    ).fetchone()
    return (name, *options, *db.execute(f"SELECT last_value, is_called FROM {name}").fetchone())


def run_file(db: psycopg.Connection[Any], path: Path) -> None:
    """Send a file as golang-migrate does: one multi-statement query."""
    db.execute(path.read_text(encoding="utf-8"))


def files(out: Path, phase: str, direction: str) -> Path:
    [found] = out.glob(f"*_{phase}.{direction}.sql")
    return found


def listed(name: str) -> str:
    """A name as a --column list item: double-quoted, quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def every_operation(names: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Options for every operation, naming the table, a column and a new name."""
    table, column, to = Name(names["table"], "app"), names["column"], names["to"]
    return {
        "rename-column": {"table": table, "column": column, "to": to, "type": "integer"},
        "set-not-null": {"table": table, "column": column},
        "replace-column": {
            "table": table,
            "column": column,
            "to": to,
            "type": "bigint",
            "from_type": "integer",
            "up": listed(column) + " * 100",
            "down": listed(to) + " / 100",
        },
        "change-column-type": {
            "table": table,
            "column": column,
            "type": "bigint",
            "from_type": "integer",
        },
        "create-index": {"table": table, "column": listed(column)},
        "drop-index": {"table": table, "index": to, "column": listed(column)},
        "add-column": {"table": table, "column": to, "type": "integer", "default": "0"},
        "add-foreign-key": {
            "table": table,
            "column": listed(column),
            "ref_table": to,
            "ref_column": listed(column),
        },
        "add-check": {"table": table, "check": listed(column) + " > 0"},
        "add-unique": {"table": table, "column": listed(column)},
        "add-primary-key": {"table": table, "column": listed(column)},
        "rename-table": {"table": table, "to": to},
        "drop-column": {"table": table, "column": column, "type": "integer"},
        "drop-table": {"table": table},
    }
