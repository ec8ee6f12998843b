"""What the static reader makes of code real revisions write: dialect guards on the
dialect's class, tables named through models and loops, commits that end the
transaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from migralint.alembic.front_end import revision_parts
from migralint.alembic.ops import EnvironmentRun
from migralint.alembic.project import read_version_set
from migralint.config import Settings
from migralint.engine import lint_paths
from migralint.sql import ops

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "alembic"


def _ops(path: Path, dialect: str = "postgres") -> list[ops.Op]:
    """The upgrade's Ops of the revision at `path`, without env.py's and the end."""
    parts = revision_parts(path, path.read_text(), dialect, read_version_set(path.parent))
    skipped = (ops.EndOfFile, ops.SetSetting, EnvironmentRun)
    return [
        p.op
        for part in parts
        if part.direction == "up"
        for p in part.pieces
        if not isinstance(p.op, skipped)
    ]


def _lines(path: Path, text: str) -> list[int]:
    return [i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line]


@pytest.mark.parametrize(
    ("dialect", "statements"),
    [
        ("postgres", ["jsonb", "ix_slices_owner", "weight", "legacy"]),
        ("mysql", ["MEDIUMTEXT"]),
        ("sqlite", ["legacy"]),
    ],
)
def test_isinstance_of_the_dialect_class_is_a_dialect_branch(
    dialect: str, statements: list[str]
) -> None:
    path = FIXTURES / "dialect_classes" / "versions" / "a1_dialect_classes.py"
    found = _ops(path, dialect)
    assert not any(isinstance(op, ops.Unparsed) for op in found)
    expected = [line for text in statements for line in _lines(path, text)]
    assert [op.loc.line for op in found] == expected


def test_tables_named_by_models_loops_and_helpers_are_read() -> None:
    path = FIXTURES / "models" / "migrations" / "versions" / "a1_models_loops_helpers.py"
    found = _ops(path)
    described = [
        (type(op).__name__, op.table.name if isinstance(op, ops.TableOp) else None) for op in found
    ]
    assert described == [
        ("CreateTable", "notes"),  # a model imported from the project
        ("CreateIndex", "reminders"),  # … under another name
        ("DropTable", "archives"),  # a model of the revision
        ("RenameTable", "note_tags"),  # a loop over pairs, unpacked
        ("RenameTable", "note_links"),
        ("SetNotNull", "notes"),  # a loop over a dict's items
        ("SetNotNull", "labels"),
        ("AddColumn", "notes"),  # a helper returning sa.Column, its default argument
        ("AddColumn", "labels"),  # … through a name; a model on prepend_sys_path
        ("RenameConstraint", "links"),  # a helper's keyword-only parameters and default
        ("UnresolvedCall", None),  # a model of a module outside the project
        ("UnknownChange", None),  # … whose table's state is unknown after it
        ("UnresolvedCall", None),  # a name no static reading gives: once, not per item
        ("UnknownChange", None),
    ]
    columns = [op.column.name for op in found if isinstance(op, ops.AddColumn)]
    assert columns == ["owner_id", "labeller_id"]
    unresolved = [op.loc.line for op in found if type(op).__name__ == "UnresolvedCall"]
    assert unresolved == _lines(path, "Stranger.__tablename__") + _lines(path, "constraint_name(")


def test_a_rule_gives_one_finding_per_line_a_loop_repeats() -> None:
    path = FIXTURES / "models" / "migrations" / "versions" / "a1_models_loops_helpers.py"
    result = lint_paths([path.parent], Settings())
    (line,) = _lines(path, "op.rename_table(old, new)")
    renames = [f for f in result.findings if f.rule == "rename-table" and f.line == line]
    assert [f.message for f in renames] == [
        "renaming table note_tags to labels breaks release N-1, which still queries "
        "note_tags (and 1 more like it from this line, repeated by a loop or a helper)"
    ]


@pytest.mark.parametrize(
    ("dialect", "tables"),
    [
        ("postgres", ["pg_only", "not_mysql"]),
        ("sqlite", ["sqlite_only", "not_mysql", "sqlite_context", "sqlite_tail"]),
        ("mysql", ["mysql_context"]),
    ],
)
def test_every_way_of_asking_the_dialect_picks_its_branch(dialect: str, tables: list[str]) -> None:
    path = FIXTURES / "dialect_forms" / "versions" / "d1_dialect_forms.py"
    found = _ops(path, dialect)
    assert [op.table.name for op in found if isinstance(op, ops.CreateTable)] == tables
    assert len(found) == len(tables)  # nothing unresolved


@pytest.mark.parametrize(
    ("dialect", "body"),
    [("postgres", "text"), ("mysql", "longtext")],
)
def test_types_named_through_the_project_and_variants_are_read(dialect: str, body: str) -> None:
    path = FIXTURES / "project_types" / "app" / "migrations" / "versions" / "t2_types.py"
    found = _ops(path, dialect)
    types = [op.type.sql if isinstance(op, ops.AlterColumnType) else None for op in found]
    assert types == [
        "varchar(512)",  # CompatibleTypes.UniqueText = db.String(512), in app/types.py
        body,  # db.Text().with_variant(LONGTEXT, "mysql")
        "varchar(64)",  # a constant of app/types.py
        "varchar(32)",  # a constant of the revision
        "varchar(128)",  # Flask-SQLAlchemy's db.String
        body,  # sa.Text().with_variant(…) written in place
        "text",  # class LongText(db.Text): the type it derives from
        None,  # a type of a module not in the project: not guessed
    ]
    assert type(found[-1]).__name__ == "UnjudgedTypeChange"


def test_a_try_body_stops_at_a_call_that_always_raises(tmp_path: Path) -> None:
    """`op.drop_constraint(None, …)` raises before any SQL is sent: the rest of its `try`
    body and the `else` never run; `finally` and what follows the statement do. A
    failing call inside a branch of the body may not run, so it stops nothing."""
    path = tmp_path / "b2.py"
    path.write_text(
        'from alembic import op\n\nrevision = "b2"\ndown_revision = None\n\n\ndef upgrade():\n'
        "    try:\n"
        "        if flag:\n"
        '            op.drop_constraint(None, "t", type_="foreignkey")\n'
        '        op.drop_constraint(None, "t", type_="foreignkey")\n'
        '        op.drop_column("t", "x")\n'
        "    except Exception:\n"
        "        pass\n"
        "    else:\n"
        '        op.drop_column("t", "y")\n'
        "    finally:\n"
        '        op.drop_column("t", "z")\n'
        '    op.drop_column("t", "w")\n'
    )
    found = [(type(op).__name__, op.loc.line) for op in _ops(path)]
    assert found == [
        ("FailingCall", 10),
        ("FailingCall", 11),
        ("DropColumn", 18),
        ("DropColumn", 19),
    ]
