"""Per-dialect version trees (`versions/postgresql/`, `versions/sqlite/`) with one env.py
above `versions/`: its settings count for every tree; env.py runs the tree of the
database it connects to, so only the judged dialect's tree is linted, the others are
not run, and `--show-context` says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from migralint.cli import main
from migralint.config import Settings
from migralint.engine import lint_paths

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "alembic"
TREES = FIXTURES / "dialect_trees"
VERSIONS = TREES / "_migrations" / "versions"
SIBLINGS = FIXTURES / "dialect_siblings"
SIBLING_VERSIONS = SIBLINGS / "migrations" / "versions"


@pytest.mark.parametrize("dialect", ["postgres", "sqlite"])
def test_the_env_py_above_versions_runs_each_tree(dialect: str) -> None:
    result = lint_paths([TREES], Settings(dialect=dialect))
    transactions = {(Path(i.path).name, i.transaction_reason) for i in result.contexts}
    linted = {"postgres": "p1_events.py", "sqlite": "s1_events.py"}[dialect]
    assert {name for name, _ in transactions} == {linted}
    assert (linted, "env.py: transaction_per_migration=True") in transactions
    # env.py sets lock_timeout for every revision
    assert "require-lock-timeout" not in {f.rule for f in result.findings}


def test_only_the_judged_dialects_tree_is_linted() -> None:
    result = lint_paths([SIBLINGS], Settings())
    assert {(f.rule, Path(f.path).parent.name) for f in result.findings} == {
        ("drop-table", "postgresql"),
        ("require-lock-timeout", "migrations"),
    }
    assert [(f.path.parent.name, f.not_run) for f in result.not_run] == [
        (
            "sqlite",
            "of the sqlite tree: on postgres, the dialect judged, env.py runs versions/postgresql/",
        )
    ]
    on_sqlite = lint_paths([SIBLINGS], Settings(dialect="sqlite"))
    assert {Path(i.path).parent.name for i in on_sqlite.contexts} == {"sqlite"}
    assert [f.path.parent.name for f in on_sqlite.not_run] == ["postgresql"]


def test_a_tree_with_no_sibling_of_the_judged_dialect_is_linted_as_its_own() -> None:
    result = lint_paths([SIBLING_VERSIONS / "sqlite"], Settings(dialect="mysql"))
    assert not result.not_run
    assert {Path(i.path).parent.name for i in result.contexts} == {"sqlite"}


def test_show_context_gives_each_trees_dialect_and_its_files() -> None:
    shown = CliRunner().invoke(main, ["check", "--show-context", "--exit-zero", str(TREES)])
    assert shown.exit_code == 0, shown.output
    blocks = {b.splitlines()[0]: b.splitlines()[1] for b in shown.output.split("\n\n")[:2]}
    # p1's upgrade is three parts (before, in and after its autocommit_block): one file
    assert blocks == {
        f"{VERSIONS / 'postgresql'}  (alembic: 1 up, 1 down)": "  dialect       postgres",
        f"{VERSIONS / 'sqlite'}  (alembic: no migration)": (
            "  not run       1 file of the sqlite tree: on postgres, the dialect judged, "
            "env.py runs versions/postgresql/: skipped [s1_events.py]"
        ),
    }
