"""parse_statement on hostile input: right names, bounded recursion, time linear in size."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import pytest
from helpers import cpu_seconds

from migralint.sql import ops
from migralint.sql.ops import (
    CreateTable,
    DropObject,
    DropTable,
    LockTable,
    Name,
    RenameTable,
    SetSetting,
    Truncate,
    Unparsed,
    Update,
)
from migralint.sql.parse import MAX_NESTING, parse_statement
from migralint.sql.split import split_statements
from migralint.sql.statements import Statement


def _statement(text: str) -> Statement:
    return Statement(text, 0, len(text), 1, 1, 1, max(len(text), 1))


def parse(sql: str, dialect: str = "postgres") -> list[ops.Op]:
    return parse_statement(_statement(sql), "m.sql", dialect)


# -- Names ------------------------------------------------------------------------------


def test_sqlite_user_type_names_are_read() -> None:
    """sqlglot keeps SQLite's unknown type names as text; reading them once raised."""
    [op] = parse("CREATE TABLE p (d foo, e Bar(10))", "sqlite")
    assert isinstance(op, CreateTable)
    assert [(c.name, c.type and (c.type.name, c.type.params)) for c in op.columns] == [
        ("d", ("foo", ())),
        ("e", ("bar", (10,))),
    ]


def test_quoted_names_keep_their_commas_and_brackets() -> None:
    found = parse('DROP TABLE "a,b", c, "d(x)" CASCADE')
    assert [(op.table.name, op.cascade) for op in found if isinstance(op, DropTable)] == [
        ("a,b", True),
        ("c", True),
        ("d(x)", True),
    ]
    [op] = parse('TRUNCATE "x,y"')
    assert isinstance(op, Truncate) and op.table == Name("x,y")
    [op] = parse('LOCK TABLE s."a,b" IN SHARE ROW EXCLUSIVE MODE')
    assert op == LockTable(loc=op.loc, table=Name("a,b", "s"), mode="SHARE ROW EXCLUSIVE")


def test_function_signatures_are_not_names() -> None:
    found = parse("DROP FUNCTION f(int, varchar(10)), s.g()")
    assert [op.name for op in found if isinstance(op, DropObject)] == [Name("f"), Name("g", "s")]


def test_mysql_rename_of_quoted_names() -> None:
    found = parse("RENAME TABLE `a,b` TO c, d TO `e TO f`", "mysql")
    assert [(op.table, op.new_name) for op in found if isinstance(op, RenameTable)] == [
        (Name("a,b"), "c"),
        (Name("d"), "e TO f"),
    ]


# -- Nesting ----------------------------------------------------------------------------


def _nested(depth: int) -> str:
    return "(" * depth + "a + 1" + ")" * depth


@pytest.mark.parametrize(
    "template",
    [
        "UPDATE t SET a = {} WHERE b",
        "ALTER TABLE t ADD COLUMN a int DEFAULT {}",
        "CREATE TABLE t (a int CHECK {})",
    ],
)
def test_deep_valid_brackets_parse(template: str) -> None:
    limit = sys.getrecursionlimit()
    [op] = parse(template.format(_nested(MAX_NESTING - 1)))
    assert not isinstance(op, Unparsed), op
    assert sys.getrecursionlimit() == limit


def test_pathological_nesting_is_a_syntax_error_at_the_bracket_too_deep() -> None:
    sql = "UPDATE t SET a = " + _nested(10_000)
    start = time.perf_counter()
    [op] = parse(sql)
    assert time.perf_counter() - start < 2
    assert isinstance(op, Unparsed)
    assert op.error == f"brackets nested more than {MAX_NESTING} deep"
    assert op.column == len("UPDATE t SET a = ") + MAX_NESTING + 1


def test_brackets_in_strings_and_comments_do_not_nest() -> None:
    deep = "(" * (2 * MAX_NESTING)
    [op] = parse(f"UPDATE t SET a = '{deep}' /* {deep} */ WHERE b = $x${deep}$x$")
    assert isinstance(op, Update)


# -- Time linear in size ----------------------------------------------------------------


def _seconds(sql: str, dialect: str) -> float:
    return cpu_seconds(lambda: parse(sql, dialect))


# Each input took seconds at these sizes when a pattern backtracked quadratically.
_GROWING: list[tuple[str, Callable[[int], str], int, str]] = [
    ("truncate", lambda n: "TRUNCATE a" + " " * n + "b", 4000, "postgres"),
    ("truncate-tail", lambda n: "TRUNCATE a" + " " * n + "x CASCADE", 4000, "postgres"),
    ("lock", lambda n: "LOCK TABLE a" + " " * n + "b IN SHARE MODE", 4000, "postgres"),
    ("lock-mode", lambda n: "LOCK TABLE a IN SHARE" + " " * n + "x MODE", 4000, "postgres"),
    ("drop", lambda n: "DROP TABLE a" + " " * n + "b", 4000, "postgres"),
    ("drop-mysql", lambda n: "DROP INDEX i ON t LOCK" + " " * n + "-", 4000, "mysql"),
    ("set", lambda n: "SET search_path = a" + " " * n + "b", 4000, "postgres"),
    ("set-time-zone", lambda n: "SET TIME ZONE a" + " " * n + "b", 4000, "postgres"),
    ("array", lambda n: "CREATE TABLE t (a int" + " " * n + "b)", 4000, "postgres"),
    ("mysql-option", lambda n: "ALTER TABLE t LOCK" + " " * n + "x", 4000, "mysql"),
    (
        "mysql-index-option",
        lambda n: "CREATE INDEX i ON t (a) ALGORITHM" + " " * n + "-",
        4000,
        "mysql",
    ),
    ("mysql-rename", lambda n: "RENAME TABLE a" + " " * n + "b", 4000, "mysql"),
    ("open-comments", lambda n: "UPDATE t SET a = 1 " + "/* " * n, 1500, "postgres"),
    (
        "comments",
        lambda n: "ALTER TABLE t ADD COLUMN a int, " + "/* c */ -- d\n" * n + "ADD CHECK (a > 0)",
        2000,
        "postgres",
    ),
    (
        "open-dollar-quotes",
        lambda n: "UPDATE t SET a = " + " ".join(f"$q{i}$" for i in range(n)),
        1500,
        "postgres",
    ),
    ("enum", lambda n: "CREATE TYPE e AS ENUM ('a'" + " AS ENUM (" * n, 2000, "postgres"),
]


@pytest.mark.parametrize(
    ("make", "size", "dialect"),
    [pytest.param(make, size, dialect, id=name) for name, make, size, dialect in _GROWING],
)
def test_time_grows_linearly(make: Callable[[int], str], size: int, dialect: str) -> None:
    """4× the input takes under 8× the time (linear is 4×, quadratic 16×; below 20 ms all
    counts as 20 ms) and seconds."""
    small, large = _seconds(make(size), dialect), _seconds(make(4 * size), dialect)
    assert large < 3.0, (small, large)
    assert large < 8 * max(small, 0.02), (small, large)


def test_long_whitespace_still_reads_the_statement() -> None:
    """The linear patterns read what the quadratic ones did."""
    gap = " " * 5000
    found = parse(f"TRUNCATE a,{gap}b{gap}CASCADE")
    assert [(op.table, op.cascade) for op in found if isinstance(op, Truncate)] == [
        (Name("a"), True),
        (Name("b"), True),
    ]
    [op] = parse(f"LOCK TABLE a IN{gap}SHARE{gap}MODE")
    assert isinstance(op, LockTable) and op.mode == "SHARE"
    [op] = parse(f"SET LOCAL lock_timeout ={gap}'5s'{gap}")
    assert isinstance(op, SetSetting) and (op.value, op.local) == ("5s", True)
    [op] = parse(
        f"CREATE TABLE t (a text{gap}ARRAY NOT NULL, b int, CONSTRAINT n{gap}NOT NULL{gap}b)"
    )
    assert isinstance(op, CreateTable)
    assert [
        (c.name, c.type and c.type.name, c.type and c.type.array, c.nullable) for c in op.columns
    ] == [
        ("a", "text", True, False),
        ("b", "integer", False, False),
    ]


# -- Logging ----------------------------------------------------------------------------


def test_sqlglot_command_fallbacks_log_nothing(caplog: pytest.LogCaptureFixture) -> None:
    """sqlglot warns when it falls back to a Command; a linter's output must stay clean."""
    for sql in (
        "ALTER TABLE t ADD CHECK (a > 0)",
        "ALTER TABLE t RESET (fillfactor)",
        "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql",
        "GRANT SELECT ON t TO r",
    ):
        parse(sql)
    assert [r.getMessage() for r in caplog.records] == []


def test_an_alter_table_the_fallback_reads_no_action_from_is_a_syntax_error() -> None:
    """Found by the long fuzz run: the keyword fallback returned no Op and the reader
    indexed into the empty list (an internal error)."""
    text = "ALTER TABLE or\r-- note\rALTER TABLE or''ders ALTER COLUMN users TYPE int;\n"
    [stmt] = split_statements(text, "postgres").statements
    [op] = parse_statement(stmt, "V1__x.sql", "postgres")
    assert isinstance(op, ops.Unparsed)
