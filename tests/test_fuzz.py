"""Fuzzing: whatever the text, linting it yields findings (a syntax error at worst),
never an exception, an internal error or a hang.

The default run is short and deterministic. The long run is opt-in:
`pytest -m fuzz tests/test_fuzz.py` with `MIGRALINT_FUZZ_EXAMPLES=N` examples per
property (10,000 by default), random each time; every failure prints its input.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import DIALECTS, broken_script, mutated

from migralint.config import Settings
from migralint.engine import lint_paths
from migralint.rulepack import RuleSet, load_rules

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
# Seeds used when the shared corpus is absent: small real-looking migrations.
FALLBACK_SEEDS = (
    (
        "postgres",
        "CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL);\n"
        "CREATE INDEX CONCURRENTLY users_email ON users (email);\n",
    ),
    (
        "postgres",
        "DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') "
        "THEN\n    CREATE TYPE mood AS ENUM ('ok');\n  END IF;\nEND $$;\r\n",
    ),
    (
        "mysql",
        "DELIMITER //\nCREATE PROCEDURE p() BEGIN UPDATE t SET a = 1; END //\n"
        "DELIMITER ;\n/*!40101 SET NAMES utf8 */;\nALTER TABLE t ADD COLUMN b int, ALGORITHM=COPY;\n",
    ),
    (
        "sqlite",
        "CREATE TABLE t (a INTEGER);\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN\n"
        "  UPDATE t SET a = 1;\nEND;\n",
    ),
)
MAX_SEED_CHARS = 20_000
SECONDS_PER_EXAMPLE = 20  # far above any real example: more is a hang
LONG_RUN_EXAMPLES = int(os.environ.get("MIGRALINT_FUZZ_EXAMPLES", "10000"))


@cache
def rules() -> RuleSet:
    return load_rules()


@cache
def corpus_seeds() -> tuple[tuple[str, str], ...]:
    """(dialect, text) of the shared corpus' SQL files, or the fallback seeds."""
    if not CORPUS.is_dir():
        return FALLBACK_SEEDS
    seeds = []
    for path in sorted(p for p in CORPUS.rglob("*.sql") if p.is_file()):
        dialect = "mysql" if "mysql" in path.as_posix().lower() else "postgres"
        text = path.read_text(encoding="utf-8", errors="replace")[:MAX_SEED_CHARS]
        seeds.append((dialect, text))
    return tuple(seeds) or FALLBACK_SEEDS


def assert_lints_cleanly(text: str, dialect: str) -> None:
    """Lint `text` as a migration file: no exception, no internal error, no hang."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "V1__fuzz.sql"
        path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
        started = time.perf_counter()
        result = lint_paths([path], Settings(dialect=dialect), rules())
        elapsed = time.perf_counter() - started
    internal = [f for f in result.findings if f.rule == "internal-error"]
    assert not internal, f"internal error on {text!r}: {internal[0].message}"
    assert result.files_linted == 1 or (result.skipped and result.findings)  # e.g. a NUL byte
    assert elapsed < SECONDS_PER_EXAMPLE, f"{elapsed:.1f}s on {len(text)} characters"


QUICK = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@QUICK
@given(text=broken_script(), dialect=DIALECTS)
def test_drawn_scripts_lint_cleanly(text: str, dialect: str) -> None:
    assert_lints_cleanly(text, dialect)


@st.composite
def mutated_seed(draw: st.DrawFn) -> tuple[str, str]:
    dialect, text = draw(st.sampled_from(corpus_seeds()))
    return dialect, draw(mutated(text))


@QUICK
@given(seed=mutated_seed())
def test_mutated_corpus_files_lint_cleanly(seed: tuple[str, str]) -> None:
    dialect, text = seed
    assert_lints_cleanly(text, dialect)


def test_corpus_is_used_when_present() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}: fuzzing mutates the fallback seeds")
    assert len(corpus_seeds()) > len(FALLBACK_SEEDS)


LONG = settings(QUICK, max_examples=LONG_RUN_EXAMPLES, derandomize=False)
_examples_run = Counter[str]()


def _progress(name: str) -> None:
    """Count a long run's examples; print the count every thousand (seen with `pytest -s`)."""
    _examples_run[name] += 1
    if _examples_run[name] % 1000 == 0:
        print(f"{name}: {_examples_run[name]} examples", file=sys.stderr, flush=True)


@pytest.fixture
def long_run(request: pytest.FixtureRequest) -> None:
    """Skip the long run unless it was asked for with `-m fuzz`."""
    if "fuzz" not in (request.config.option.markexpr or ""):
        pytest.skip("long fuzz run: pytest -m fuzz (MIGRALINT_FUZZ_EXAMPLES=N examples)")


@pytest.mark.fuzz
@pytest.mark.usefixtures("long_run")
@LONG
@given(text=broken_script(), dialect=DIALECTS)
def test_long_fuzz_drawn_scripts(text: str, dialect: str) -> None:
    _progress("drawn scripts")
    assert_lints_cleanly(text, dialect)


@pytest.mark.fuzz
@pytest.mark.usefixtures("long_run")
@LONG
@given(seed=mutated_seed())
def test_long_fuzz_mutated_corpus(seed: tuple[str, str]) -> None:
    _progress("mutated corpus")
    dialect, text = seed
    assert_lints_cleanly(text, dialect)
