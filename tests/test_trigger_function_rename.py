"""A trigger refers to its function itself, not its name: renaming a function that
RETURNS trigger breaks no trigger (fixtures/sql/rename-function/clean_trigger_function)."""

from __future__ import annotations

from typing import Any

from helpers import REPO

CASE = REPO / "fixtures" / "sql" / "rename-function" / "clean_trigger_function"


def test_the_trigger_keeps_firing_after_its_function_is_renamed(db: Any) -> None:
    db.autocommit = True
    for migration in sorted(CASE.glob("*.sql")):
        db.execute(migration.read_text())
    db.execute("INSERT INTO posts (id) VALUES (1)")
    assert db.execute("SELECT score FROM posts").fetchone() == (0,)
    assert db.execute(
        "SELECT p.proname FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
        "WHERE t.tgname = 'posts_score'"
    ).fetchone() == ("posts_score_default",)
