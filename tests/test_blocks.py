"""DDL inside DO blocks is linted where it is plain, at its real position."""

from __future__ import annotations

from migralint.config import Settings
from migralint.engine import lint_text
from migralint.sql import ops
from migralint.sql.blocks import inner_statements
from migralint.sql.parse import parse_statement
from migralint.sql.split import split_statements

BLOCK = """SET lock_timeout = '1s';
DO $migration$
DECLARE n int;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'idx_users_x') THEN
    CREATE INDEX idx_users_x ON users (x);
  END IF;
  ALTER TABLE users RENAME COLUMN a TO b;
  EXECUTE 'DROP TABLE users';
EXCEPTION WHEN duplicate_object THEN NULL;
END $migration$;
"""


def test_inner_statements_keep_file_positions_and_guards() -> None:
    [stmt] = [s for s in split_statements(BLOCK).statements if s.text.startswith("DO")]
    [block] = parse_statement(stmt, "m.sql")
    assert isinstance(block, ops.DoBlock)
    inner = inner_statements(block)
    assert [(s.text.split()[0], s.line, s.column, guarded) for s, guarded in inner] == [
        ("CREATE", 6, 5, True),
        ("ALTER", 8, 3, True),  # the block's exception handler guards it too
    ]


def test_rules_see_ddl_inside_do_blocks() -> None:
    findings = lint_text(BLOCK, Settings(select=("locking", "destructive")))
    assert [(f.rule, f.line, f.column) for f in findings] == [
        ("require-concurrent-index-creation", 6, 5),
        ("rename-column", 8, 3),
    ]


def test_unguarded_block_statements_are_not_marked_guarded() -> None:
    sql = "DO $$ BEGIN ALTER TABLE t ADD COLUMN c int; END $$;"
    [stmt] = split_statements(sql).statements
    [(inner, guarded)] = inner_statements(parse_statement(stmt, "m.sql")[0])
    assert inner.text == "ALTER TABLE t ADD COLUMN c int" and not guarded


def test_a_guard_stays_open_across_nested_ifs() -> None:
    sql = """DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'c') THEN
    IF current_setting('x', true) IS NULL THEN
      RAISE NOTICE 'x';
    END IF;
    ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;
  END IF;
  ALTER TABLE t ADD COLUMN d int;
END $$;"""
    [stmt] = split_statements(sql).statements
    found = [
        (s.text.split()[0], guarded)
        for s, guarded in inner_statements(parse_statement(stmt, "m.sql")[0])
    ]
    assert found == [("ALTER", True), ("ALTER", False)]
