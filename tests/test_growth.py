"""Judging a migration takes time in proportion to its size, whatever its shape.

Each case lints a file of n statements and one of 4n: the larger must take under 5×
as long (a rescan of the file per statement makes it 16×, a rescan inside a loop 64×).
The rules, the catalog and the session are what is measured: every distinct statement
is parsed once by the real parser and its Ops re-used at each place it occurs, so the
cases (which repeat a few dozen statements) measure judging, not sqlglot. The file that
took 226 s (800 CREATE TABLE + 800 DROP TABLE) is also judged at ten times that size;
MIGRALINT_GROWTH_FULL=1 runs every case at ten times the size of the report."""

from __future__ import annotations

import dataclasses
import gc
import os
import time
from collections.abc import Callable

import pytest

from migralint import engine
from migralint.config import Settings
from migralint.context import FileInfo
from migralint.rulepack import load_rules
from migralint.schema import Catalog
from migralint.sql import ops
from migralint.sql.parse import location, parse_statement
from migralint.sql.statements import Statement

NAMES = 50  # distinct table, column and index names each case cycles through

_KINDS = [
    "ADD COLUMN c{i} integer",
    "ALTER COLUMN c{i} SET NOT NULL",
    "DROP COLUMN d{i}",
    "ALTER COLUMN e{i} DROP DEFAULT",
    "ALTER COLUMN e{i} DROP NOT NULL",
    "DROP CONSTRAINT k{i}",
    "RENAME COLUMN f{i} TO g{i}",
    "ALTER COLUMN h{i} TYPE bigint",
    "ADD CONSTRAINT u{i} UNIQUE (c{i})",
    "ADD CONSTRAINT fk{i} FOREIGN KEY (c{i}) REFERENCES t (id)",
]
_MIXED = [
    "CREATE TABLE n{i} (id bigint PRIMARY KEY, a text);",
    "ALTER TABLE t{i} ADD COLUMN c{i} integer;",
    "CREATE INDEX i{i} ON t{i} (c{i});",
    "DROP TABLE IF EXISTS x{i};",
    "UPDATE t{i} SET a = 'x' WHERE id = {i};",
    "INSERT INTO t{i} (id) SELECT id FROM t{i};",
    "ALTER TABLE t{i} ADD CONSTRAINT k{i} CHECK (c{i} > 0);",
    "ALTER TABLE t{i} DROP COLUMN c{i};",
    "ALTER TABLE t{i} RENAME COLUMN a TO b{i};",
    "CREATE VIEW v{i} AS SELECT * FROM t{i};",
    "BEGIN;",
    "COMMIT;",
    "DROP INDEX i{i};",
    "DO $$ BEGIN ALTER TABLE t{i} ADD COLUMN d int; END $$;",
    "ALTER TYPE e{i} ADD VALUE 'v{i}';",
    "CREATE TYPE e{i} AS ENUM ('a');",
    "DELETE FROM t{i};",
    "TRUNCATE t{i};",
    "ALTER TABLE t{i} RENAME TO r{i};",
    "CREATE TRIGGER tr{i} BEFORE INSERT ON t{i} FOR EACH ROW EXECUTE FUNCTION f();",
]


def create_then_drop_other_tables(n: int) -> str:
    half = n // 2
    creates = "".join(f"CREATE TABLE n{i % NAMES} (id int);\n" for i in range(half))
    return creates + "".join(f"DROP TABLE t{i % NAMES};\n" for i in range(half))


def drops(n: int) -> str:
    return "".join(f"DROP TABLE t{i % NAMES};\n" for i in range(n))


def alters_of_one_table(n: int) -> str:
    return "".join(
        f"ALTER TABLE users {_KINDS[i % len(_KINDS)].format(i=i % NAMES)};\n" for i in range(n)
    )


def indexes_of_one_table(n: int) -> str:
    return "".join(
        f"CREATE INDEX i{i % NAMES} ON users (c{i % NAMES});\nDROP INDEX i{(i + 7) % NAMES};\n"
        for i in range(n // 2)
    )


def mixed(n: int) -> str:
    return "".join(_MIXED[i % len(_MIXED)].format(i=i * 7 % NAMES) + "\n" for i in range(n))


def one_transaction(n: int) -> str:
    body = "".join(
        f"ALTER TABLE t{i % NAMES} ADD COLUMN c int NOT NULL DEFAULT 0;\n"
        f"UPDATE t{i % NAMES} SET c = 1;\n"
        f"CREATE TABLE n{i % NAMES} (id int);\n"
        f"ALTER TABLE n{i % NAMES} ADD COLUMN x int;\n"
        for i in range(n // 4)
    )
    return f"BEGIN;\n{body}COMMIT;\n"


# (case, statements in the report) for the ten-times runs
CASES: list[tuple[Callable[[int], str], int]] = [
    (create_then_drop_other_tables, 1_600),
    (drops, 4_000),
    (alters_of_one_table, 4_000),
    (indexes_of_one_table, 4_000),
    (mixed, 20_000),
    (one_transaction, 4_000),
]


@pytest.fixture
def judge(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], float]:
    """CPU seconds the engine takes to judge a text, best of three (each statement's
    Ops parsed once, then placed at every statement with the same text)."""
    parsed: dict[str, list[ops.Op]] = {}

    def parse_once(stmt: Statement, path: str, dialect: str = "postgres") -> list[ops.Op]:
        if stmt.text not in parsed:
            parsed[stmt.text] = parse_statement(stmt, path, dialect)
        loc = location(stmt, path)
        return [dataclasses.replace(op, loc=loc) for op in parsed[stmt.text]]

    monkeypatch.setattr(engine, "parse_statement", parse_once)
    settings = Settings()
    linter = engine.Linter(load_rules(settings.rule_paths).selected(settings), settings)

    def seconds(text: str, runs: int = 3) -> float:
        best = float("inf")
        for _ in range(runs):
            gc.collect()  # each run starts from the same heap
            gc.disable()  # the collector's passes grow with the heap, not with our work
            try:
                start = time.process_time()  # this process's CPU: others' load is not ours
                findings = linter.lint_source(text, FileInfo(path="V1__big.sql"), Catalog())
                best = min(best, time.process_time() - start)
            finally:
                gc.enable()
            assert findings and not any(f.rule == "internal-error" for f in findings)
        return best

    return seconds


@pytest.mark.parametrize("case", [case for case, _ in CASES], ids=lambda c: c.__name__)
def test_four_times_the_statements_take_under_eight_times_as_long(
    judge: Callable[[str], float], case: Callable[[int], str]
) -> None:
    judge(case(100), runs=1)  # parse each distinct statement once, untimed
    small_text, large_text = case(1_000), case(4_000)  # large enough for timer noise to fade
    small = large = float("inf")
    for _ in range(5):  # interleaved, so both sizes see the machine's load alike
        small = min(small, judge(small_text, runs=1))
        large = min(large, judge(large_text, runs=1))
    # Linear work is 4x, quadratic 16x: 8x (their geometric mean) tells them apart even on a
    # loaded machine, where the larger heap's cache misses inflate even this process's CPU.
    assert large < 8 * small, f"{case.__name__}: {small:.3f} s at 1000, {large:.3f} s at 4000"


def test_the_file_that_took_226_s_at_ten_times_its_size(judge: Callable[[str], float]) -> None:
    assert judge(create_then_drop_other_tables(16_000), runs=1) < 10


@pytest.mark.skipif(
    not os.environ.get("MIGRALINT_GROWTH_FULL"), reason="MIGRALINT_GROWTH_FULL=1: minutes"
)
@pytest.mark.parametrize("case, reported", CASES, ids=[case.__name__ for case, _ in CASES])
def test_every_case_at_ten_times_the_reported_size(
    judge: Callable[[str], float], case: Callable[[int], str], reported: int
) -> None:
    n = 10 * reported
    assert judge(case(n), runs=1) < n / 1_000  # a millisecond per statement at most
