"""`DROP INDEX IF EXISTS` of an index that does not exist drops nothing and locks
nothing, and the catalog says an index does not exist only when it knows every index
of the database (the set created every table it touched, in forms it follows)."""

from __future__ import annotations

from typing import Any

import pytest

from migralint.config import Settings
from migralint.engine import Linter
from migralint.migration import FileInfo
from migralint.schema import Catalog
from migralint.sql import ops

SET = """
CREATE TABLE post (id int PRIMARY KEY, score int, name text UNIQUE);
CREATE INDEX idx_post_score ON post (score);
CREATE MATERIALIZED VIEW ranked AS SELECT id FROM post;
CREATE INDEX idx_ranked ON ranked (id);
"""


def replayed(sql: str) -> Catalog:
    catalog = Catalog()
    Linter([], Settings()).lint_source(sql, FileInfo(path="m.sql", dialect="postgres"), catalog)
    return catalog


def absent(catalog: Catalog, name: str) -> bool:
    return catalog.index_absent(ops.Name(name))


def test_a_set_that_created_every_table_knows_which_indexes_exist() -> None:
    catalog = replayed(SET + "ALTER INDEX idx_post_score RENAME TO idx_post_rank;")
    assert catalog.knows_every_index()
    assert absent(catalog, "idx_never_created")
    for existing in ("idx_post_score", "idx_ranked", "post_pkey", "post_name_key", "idx_post_rank"):
        assert not absent(catalog, existing), existing


@pytest.mark.parametrize(
    "gap",
    [
        "ALTER TABLE users ADD COLUMN nickname text;",  # a table the set did not create
        "INSERT INTO users VALUES (1);",
        "CREATE INDEX ON post (name);",  # PostgreSQL names it
        "CREATE TABLE copy (LIKE post INCLUDING ALL);",
        "CREATE TABLE events (id int) PARTITION BY RANGE (id);",
        "DO $$ BEGIN EXECUTE 'CREATE INDEX i ON post (id)'; END $$;",
        "DROP INDEX idx_from_elsewhere;",  # succeeds only if it exists
        "ALTER INDEX idx_from_elsewhere RENAME TO idx_other;",
    ],
)
def test_what_the_catalog_cannot_follow_ends_its_knowledge(gap: str) -> None:
    catalog = replayed(SET + gap)
    assert not catalog.knows_every_index(), gap
    assert not absent(catalog, "idx_never_created")


def test_a_set_that_created_no_table_knows_nothing() -> None:
    assert not absent(replayed("SELECT 1;"), "idx_never_created")


def test_dropping_a_missing_index_if_exists_takes_no_lock(db: Any) -> None:
    """What the rules rely on: PostgreSQL finds no relation, and locks none; the same
    statement on an index that exists locks its table until commit."""
    db.execute("CREATE TABLE post (id int PRIMARY KEY)")
    db.execute("CREATE INDEX idx_post ON post (id)")
    for name, expected in (("idx_never_created", 0), ("idx_post", 1)):
        with db.transaction():
            db.execute(f"DROP INDEX IF EXISTS {name}")
            [locks] = db.execute(
                "SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() "
                "AND locktype = 'relation' AND mode = 'AccessExclusiveLock' "
                "AND relation = 'post'::regclass"
            ).fetchone()
        assert locks == expected, name
