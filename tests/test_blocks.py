"""DDL inside DO blocks is linted where it is plain, at its real position."""

from __future__ import annotations

from helpers import cpu_seconds

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
    # the two rules whose statements sit inside the block (a category would also bring
    # rules about the file as a whole, such as require-statement-timeout)
    rules = ("require-concurrent-index-creation", "rename-column")
    findings = lint_text(BLOCK, Settings(select=rules))
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


def _block(sql: str) -> ops.DoBlock:
    [stmt] = split_statements(sql).statements
    [block] = parse_statement(stmt, "m.sql")
    assert isinstance(block, ops.DoBlock)
    return block


def test_inner_positions_count_crlf_and_lone_cr_as_one_line_end() -> None:
    for newline in ("\n", "\r\n", "\r"):
        block = _block(newline.join(["-- m", "DO $$", "BEGIN", "  DROP TABLE t;", "END $$;"]))
        [(inner, _)] = inner_statements(block)
        assert (inner.text, inner.line, inner.column, inner.end_column) == (
            "DROP TABLE t",
            4,
            3,
            14,
        )


def test_a_body_ends_at_its_own_tag_only() -> None:
    block = _block("DO $a$ BEGIN EXECUTE $$ x $$; DROP TABLE t; END $a$;")
    assert [s.text for s, _ in inner_statements(block)] == ["DROP TABLE t"]


def _inner_seconds(size: int) -> float:
    """Best CPU time of three to read a DO block of `size` guarded and unguarded inner
    statements, the collector off (its passes grow with the heap, not with the reader)."""
    body = "IF EXISTS (SELECT 1) THEN ALTER TABLE t ADD COLUMN c int; END IF;\n"
    block = _block("DO $$ BEGIN\n" + (body + "ALTER TABLE t ADD d int;\n") * size + "END $$;")
    found = inner_statements(block)
    assert [guarded for _, guarded in found[:2]] == [True, False] and len(found) == 2 * size
    return cpu_seconds(lambda: inner_statements(block))


def test_reading_a_do_block_takes_linear_time() -> None:
    small, large = _inner_seconds(1_000), _inner_seconds(4_000)
    assert large < 5 * small + 0.05, f"{small:.3f}s at 1x, {large:.3f}s at 4x"


def test_a_do_block_of_ten_times_the_reported_size_reads_in_seconds() -> None:
    assert _inner_seconds(35_000) < 5  # 3.2 MB: issue 9 reported 320 KB taking 100 s
