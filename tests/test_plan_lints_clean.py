"""`migralint check` on every plan finds nothing but the contract's intended drops.

Every operation, in every writer's layout (and the MySQL rename in each), is written
beside the migration creating its table and linted with the default rules: no finding.
Then the contracts lose their `-- migralint: phase=contract` marker, and what the linter
finds must be drops in the contract files alone: the phase marker is what lets them
through, and nothing else of any plan is judged risky.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from plan_helpers import every_operation

from migralint.config import Settings
from migralint.engine import lint_paths
from migralint.plan.model import Plan
from migralint.plan.operations import OPERATIONS
from migralint.plan.rename_column import Change as RenameColumn
from migralint.plan.rename_column import plan as rename_plan
from migralint.plan.write import write_plan
from migralint.plan.writers import WRITERS
from migralint.sql.ops import Name

PLAIN = {"table": "orders", "column": "amount", "to": "total"}
INIT = (
    "CREATE TABLE orders (id bigint PRIMARY KEY, amount integer, total integer);\n"
    "CREATE TABLE total (amount integer PRIMARY KEY);\n"
)
FIRST = {
    "golang-migrate": ("1_init.up.sql", INIT),
    "flyway": ("V1__init.sql", INIT),
    "sql": ("0001_init.sql", INIT),
    "dbmate": (
        "20240101000000_init.sql",
        f"-- migrate:up\n{INIT}\n-- migrate:down\nDROP TABLE total;\nDROP TABLE orders;\n",
    ),
    "alembic": (
        "init0001_init.py",
        'revision = "init0001"\ndown_revision = None\nfrom alembic import op\n\n\n'
        f"def upgrade() -> None:\n    op.execute({INIT!r})\n",
    ),
}
SQL_WRITERS = sorted(set(WRITERS) - {"alembic"})  # MySQL plans are SQL files only
DROPS = {"drop-column", "drop-table", "drop-view", "drop-function", "drop-trigger"}
CONTRACT_MARKERS = ("-- migralint: phase=contract\n", "# migralint: phase=contract\n")
# What each plan's contract drops, by the linter's rules (nothing: the contract only
# validates, renames or drops its own index copies).
# (the sync trigger's RETURNS trigger function, dropped after its trigger, breaks nothing)
CONTRACT_DROPS = {
    "change-column-type": {"drop-column", "drop-trigger"},
    "drop-column": {"drop-column"},
    "drop-table": {"drop-table"},
    "rename-column": {"drop-column", "drop-trigger"},
    "rename-table": {"drop-view"},
    "replace-column": {"drop-column", "drop-trigger"},
}


def _write(tmp_path: Path, fmt: str, planned: Plan) -> list[Path]:
    name, text = FIRST[fmt]
    (tmp_path / name).write_text(text)
    return write_plan(planned, fmt, tmp_path)


def _findings(tmp_path: Path, settings: Settings) -> list[tuple[str, str]]:
    """(file, rule) of each finding in the plan's files (the table's migration aside)."""
    init = {name for name, _ in FIRST.values()}
    found = lint_paths([tmp_path], settings).findings
    return sorted((Path(f.path).name, f.rule) for f in found if Path(f.path).name not in init)


def _without_contract_markers(written: list[Path]) -> set[str]:
    """Drop the contract phase marker from the written files; their names."""
    contracts = set()
    for path in written:
        text = path.read_text(encoding="utf-8")
        marker = next((m for m in CONTRACT_MARKERS if m in text), None)
        if marker:
            path.write_text(text.replace(marker, ""), encoding="utf-8")
            contracts.add(path.name)
    return contracts


@pytest.mark.parametrize("fmt", sorted(WRITERS))
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_every_plan_lints_clean_but_for_the_contract_s_drops(
    tmp_path: Path, operation: str, fmt: str
) -> None:
    changes = every_operation(PLAIN)[operation] | {"table": Name("orders")}
    module = importlib.import_module(OPERATIONS[operation])
    written = _write(tmp_path, fmt, module.plan(module.Change(**changes)))
    settings = Settings(pg_version=(15, 0))
    assert _findings(tmp_path, settings) == []

    contracts = _without_contract_markers(written)
    found = _findings(tmp_path, settings)
    assert {name for name, _ in found} <= contracts
    assert {rule for _, rule in found} == CONTRACT_DROPS.get(operation, set())


@pytest.mark.parametrize("fmt", SQL_WRITERS)
def test_the_mysql_rename_lints_clean_but_for_the_contract_s_drops(
    tmp_path: Path, fmt: str
) -> None:
    change = RenameColumn(Name("orders"), "amount", "total_amount", type="int", dialect="mysql")
    written = _write(tmp_path, fmt, rename_plan(change))
    settings = Settings(dialect="mysql")
    assert _findings(tmp_path, settings) == []

    contracts = _without_contract_markers(written)
    found = _findings(tmp_path, settings)
    assert found and {name for name, _ in found} <= contracts
    assert {rule for _, rule in found} <= DROPS
