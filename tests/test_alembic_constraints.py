"""Alembic constraints and indexes read as the SQL SQLAlchemy writes for them:
`postgresql_not_valid=True` is `NOT VALID` on PostgreSQL, so the scan-free re-add is
not flagged, and `sa.Column(…, index=True)` is the CREATE INDEX after the column."""

from __future__ import annotations

import shutil
from pathlib import Path

from migralint.config import Settings
from migralint.engine import lint_paths

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "alembic"
NOT_VALID = FIXTURES / "not_valid"
_SCANS = ("adding-foreign-key-constraint", "constraint-missing-not-valid")


def _scans(project: Path) -> list[tuple[str, int, str]]:
    result = lint_paths([project], Settings(select=_SCANS))
    return sorted((Path(f.path).name, f.line, f.rule) for f in result.findings)


def test_constraints_added_not_valid_are_not_flagged() -> None:
    assert _scans(NOT_VALID) == []


def test_without_postgresql_not_valid_the_same_re_adds_are_flagged(tmp_path: Path) -> None:
    project = tmp_path / "not_valid"
    shutil.copytree(NOT_VALID, project)
    revision = project / "versions" / "n2_cascade.py"
    text = revision.read_text(encoding="utf-8")
    revision.write_text(text.replace("not_valid=True", "not_valid=False"), "utf-8")
    assert _scans(project) == [
        ("n2_cascade.py", 16, "adding-foreign-key-constraint"),
        ("n2_cascade.py", 26, "constraint-missing-not-valid"),
    ]


def test_a_column_with_index_true_gets_the_index_sqlalchemy_writes() -> None:
    """i1's users.team_id has `index=True`, so i2's foreign key finds ix_users_team_id;
    i2's new flag with `index=True` builds ix_users_is_draft on the existing users,
    as `--alembic-render` shows."""
    project = FIXTURES / "column_index"
    rules = ("require-concurrent-index-creation", "foreign-key-without-index")
    static = lint_paths([project], Settings(select=rules))
    rendered = lint_paths([project], Settings(select=rules, alembic_render=True))
    found = [
        (Path(f.path).name, f.line, f.rule, f.message.split(" on ")[0]) for f in static.findings
    ]
    assert found == [
        ("i2_flags.py", 16, "require-concurrent-index-creation", "creating ix_users_is_draft")
    ]
    # the same finding; each quotes the statement holding the lock as it read it (the
    # rendered SQL, or the op call)
    assert [(f.line, f.message.split(" as `")[0]) for f in rendered.findings] == [
        (f.line, f.message.split(" as `")[0]) for f in static.findings
    ]


def test_a_columns_foreign_key_is_on_that_column_as_in_sql() -> None:
    """`sa.Column("manager_id", …, sa.ForeignKey("users.id"))` is SQL's `manager_id …
    REFERENCES users`: its key is on manager_id (which no index covers; the new column
    is NULL in every row, so adding the key checks none), and c1's column key is the
    users_team_id_fkey c3 drops."""
    rules = ("adding-foreign-key-constraint", "foreign-key-without-index", "drop-constraint")
    result = lint_paths([FIXTURES / "column_fk"], Settings(select=rules))
    assert [(Path(f.path).name, f.rule, f.message.split(":")[0]) for f in result.findings] == [
        ("c2_manager.py", "foreign-key-without-index", "no index on users (manager_id)"),
        ("c3_unlink.py", "drop-constraint", "dropping constraint users_team_id_fkey on users"),
    ]
    assert "rows may now point at missing parents" in result.findings[1].message


def test_a_foreign_keys_source_schema_names_its_table() -> None:
    """create_foreign_key's schema is `source_schema`: the key is on shop.orders, whose
    user_id s1 indexed."""
    rules = ("adding-foreign-key-constraint", "foreign-key-without-index")
    result = lint_paths([FIXTURES / "schemas"], Settings(select=rules))
    assert [f.message.split(" blocks")[0] for f in result.findings] == [
        "adding a validated foreign key on shop.orders (user_id) → shop.users"
    ]
