"""`op.add_column` of a `primary_key=True` column, as Alembic renders it on PostgreSQL
(checked against its offline mode): NOT NULL and no PRIMARY KEY; an autoincremented
integer key is SERIAL / BIGSERIAL, whose sequence default rewrites the table."""

from __future__ import annotations

import io
from pathlib import Path

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

from migralint.config import Settings
from migralint.engine import lint_paths

PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "alembic" / "added_key"
REVISION = PROJECT / "versions" / "a2_add_id.py"


def test_alembic_writes_a_key_column_without_a_primary_key() -> None:
    out = io.StringIO()
    context = MigrationContext.configure(
        dialect_name="postgresql", opts={"as_sql": True, "output_buffer": out}
    )
    ops = Operations(context)
    ops.add_column("kvs", sa.Column("id", sa.BigInteger, primary_key=True))
    ops.add_column("kvs", sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False))
    assert out.getvalue().split(";")[:2] == [
        "ALTER TABLE kvs ADD COLUMN id BIGSERIAL NOT NULL",
        "\n\nALTER TABLE kvs ADD COLUMN seq INTEGER NOT NULL",
    ]


def test_an_added_key_column_is_judged_as_the_serial_column_alembic_adds() -> None:
    found = [f for f in lint_paths([PROJECT], Settings()).findings if f.path == str(REVISION)]
    rules = {f.rule for f in found}
    assert "adding-primary-key" not in rules
    assert "adding-required-field" not in rules  # the sequence and the defaults fill them
    (rewrite,) = [f for f in found if f.rule == "adding-field-with-default"]
    assert rewrite.line == 11
    assert "a bigserial column fills every existing row" in rewrite.message
