"""Alembic forms four unseen projects showed misjudged, each on a fixture of its own
(fixtures/alembic/): what PostgreSQL really does with them decides the finding."""

from __future__ import annotations

from pathlib import Path

from migralint.config import Settings
from migralint.engine import lint_paths
from migralint.findings import Finding

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "alembic"


def _findings(fixture: str, rule: str) -> list[Finding]:
    return [f for f in lint_paths([FIXTURES / fixture], Settings()).findings if f.rule == rule]


def test_not_null_restated_on_a_column_history_made_not_null_is_no_scan() -> None:
    # email is NOT NULL since r1 (SET NOT NULL then does nothing); nickname was nullable
    [finding] = _findings("restated_not_null", "setting-not-null")
    assert finding.message.startswith("SET NOT NULL on ab_user.nickname ")


def test_an_imported_type_helper_with_a_mysql_variant_is_its_base_type_on_postgres() -> None:
    # MediumText() is TEXT but on MySQL: TEXT -> TEXT is no change; ShortText() is varchar(100)
    findings = lint_paths([FIXTURES / "variant_helper"], Settings()).findings
    typed = {(f.rule, f.line) for f in findings if "type" in f.rule}
    assert typed == {("narrowing-column-type", 18)}


def test_values_static_though_not_inline_are_read_and_a_computed_fk_name_is_a_drop() -> None:
    findings = lint_paths([FIXTURES / "static_values"], Settings()).findings
    # a local `column = sa.Column(…)` and a loop over a module-level dict are read; the
    # drop_constraint without type_ is still unknown
    assert [f.line for f in findings if f.rule == "alembic-unresolved-op"] == [28]
    [dropped] = [f for f in findings if f.rule == "drop-constraint"]
    assert dropped.line == 27
    assert dropped.message.startswith(
        "dropping constraint <find_fk_name('slices', 'tables')> on slices: rows may now "
        "point at missing parents"
    )


def test_a_computed_fk_name_dropped_and_a_foreign_key_added_to_its_table_is_redefined() -> None:
    findings = lint_paths([FIXTURES / "static_values"], Settings()).findings
    assert not [f for f in findings if f.rule == "drop-constraint" and "tab_state" in f.message]


def test_an_update_joined_to_a_keyset_cte_with_a_limit_is_a_batch() -> None:
    # line 14's UPDATE changes the 1000 rows its CTE picks; line 25's changes every NULL
    assert [f.line for f in _findings("keyset_batch", "unbatched-backfill")] == [25]


def test_help_to_end_the_transaction_after_a_lock_fits_the_runs_transaction() -> None:
    [index] = _findings("lock_then_work", "require-concurrent-index-creation")
    assert index.help.startswith(  # no env.py: one transaction for the whole upgrade
        "Alembic runs the whole upgrade in one transaction, so only a "
        "`with op.get_context().autocommit_block():` block around what follows line 12, or "
        "transaction_per_migration=True in env.py with what follows it in a revision of its "
        "own, commits sooner (its lock is held until commit"
    )
    assert "commit right after" not in index.help.lower()
