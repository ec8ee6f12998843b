"""One finding per cause (migralint/overlaps.py): each case under fixtures/overlaps/ is
a migration set whose last file says, in `-- stands:` and `-- dropped:` comments,
which rule's finding stands for the others'. The dropped rule flags the file when it
runs alone, so the case proves the overlap, not a quiet rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import REPO, lint_tree

from migralint.cli import main
from migralint.config import Settings
from migralint.engine import lint_paths
from migralint.findings import Severity
from migralint.overlaps import ANY_RULE, CAUSE, EARLIER, MIGRATION, OVERLAPS, STATEMENT
from migralint.rulepack import load_rules

CASES = sorted(p for p in (REPO / "fixtures" / "overlaps").iterdir() if p.is_dir())


def _declared(judged: Path, key: str) -> str:
    [value] = [
        line.removeprefix(f"-- {key}:").strip()
        for line in judged.read_text().splitlines()
        if line.startswith(f"-- {key}:")
    ]
    return value


def _rules_on(case: Path, settings: Settings) -> list[str]:
    judged = sorted(case.glob("*.sql"))[-1]
    found = lint_paths([case], settings).findings
    return [f.rule for f in found if Path(f.path) == judged]


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_one_finding_stands_for_the_other(case: Path) -> None:
    judged = sorted(case.glob("*.sql"))[-1]
    stands = _declared(judged, "stands")
    every = _rules_on(case, Settings())
    assert stands in every, every
    for dropped in _declared(judged, "dropped").split(", "):
        assert dropped in _rules_on(case, Settings(select=(dropped,)))
        assert dropped not in every, every


def test_the_table_names_rules_that_exist_and_has_no_cycle() -> None:
    known = {spec.id for spec in load_rules().rules}
    kept_by = {}
    for overlap in OVERLAPS:
        assert overlap.scope in (STATEMENT, MIGRATION, CAUSE, EARLIER) and overlap.why
        assert {overlap.dropped, *overlap.kept} <= known | ANY_RULE, overlap
        if overlap.scope not in (CAUSE, EARLIER):  # earlier statements: no chain returns
            kept_by.setdefault(overlap.dropped, set()).update(overlap.kept)

    def reaches(rule: str, seen: frozenset[str]) -> bool:
        return any(k in seen or reaches(k, seen | {k}) for k in kept_by.get(rule, ()))

    assert not any(reaches(rule, frozenset({rule})) for rule in kept_by)


def test_the_held_lock_is_said_in_the_finding_that_stands() -> None:
    case = REPO / "fixtures" / "overlaps" / "held_lock_foreign_key"
    [found] = [f for f in lint_paths([case]).findings if f.rule == "adding-foreign-key-constraint"]
    held = "`ALTER TABLE users ADD COLUMN tenant_ref int` (line 5) holds ACCESS EXCLUSIVE on users"
    assert f"line 6 then waits for a lock on tenants while {held}" in found.message
    assert found.message.endswith(
        "commit right after the statement that takes the ACCESS EXCLUSIVE lock"
    )
    case = REPO / "fixtures" / "overlaps" / "held_lock_drop_index"
    [found] = [f for f in lint_paths([case]).findings if f.rule == "drop-column"]
    assert "line 8 drops index orders_customer_idx under this statement's lock" in found.message
    case = REPO / "fixtures" / "overlaps" / "lock_wait_without_timeout"
    [found] = [f for f in lint_paths([case]).findings if f.rule == "require-lock-timeout"]
    assert "line 6 then waits for a lock on accounts while" in found.message


def test_a_less_severe_finding_never_stands_for_a_more_severe_one() -> None:
    """The exit code follows the findings: lowering the kept rule keeps both."""
    case = REPO / "fixtures" / "overlaps" / "coupled_drop_column"
    lowered = Settings(severity={"expand-contract-coupled": Severity.WARNING})
    assert {"drop-column", "expand-contract-coupled"} <= set(_rules_on(case, lowered))


def test_a_statement_dropping_more_than_the_replaced_column_keeps_both(tmp_path: Path) -> None:
    """drop-column names t.other too, which the coupled finding does not cover."""
    files = {
        "V1__a.sql": "CREATE TABLE t (id int PRIMARY KEY, a text, other text);",
        "V2__b.sql": "ALTER TABLE t ADD COLUMN b text;\nUPDATE t SET b = a WHERE b IS NULL;\n"
        "ALTER TABLE t DROP COLUMN a, DROP COLUMN other;",
    }
    rules = [f.rule for f in lint_tree(tmp_path, files).findings if f.line == 3]
    assert {"drop-column", "expand-contract-coupled"} <= set(rules)


def test_plan_from_still_plans_what_a_dropped_finding_flagged(tmp_path: Path) -> None:
    """drop-column stands behind the coupled finding: its DROP COLUMN is planned as before."""
    case = REPO / "fixtures" / "overlaps" / "coupled_drop_column"
    result = CliRunner().invoke(
        main, ["plan", "--from", str(case / "V2__change.sql"), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    assert "Dropping users.email in three migrations" in result.output


def test_work_under_a_held_lock_is_named_in_the_finding_that_holds_it() -> None:
    """After a rewrite in one transaction, an index build and a CHECK scan on the same
    table keep its lock held: one finding, at the rewrite, names both (the dropped
    rules are test_one_finding_stands_for_the_other's)."""
    case = REPO / "fixtures" / "overlaps" / "held_lock_work_after_rewrite"
    found = [f for f in lint_paths([case]).findings if f.rule != "require-lock-timeout"]
    assert [(f.rule, f.line) for f in found] == [("adding-field-with-default", 6)]
    assert "then line 7 builds an index on eperson under this statement's lock" in found[0].message
    assert "then line 8 scans eperson under this statement's lock" in found[0].message


def test_a_rerun_finding_names_where_the_rerun_stops_next() -> None:
    case = REPO / "fixtures" / "overlaps" / "rerun_stops_at_first_failure"
    [first] = [f for f in lint_paths([case]).findings if f.rule.endswith("if-not-exists")]
    assert first.line == 6
    assert "a re-run past it stops next at line 7 (CREATE INDEX events_kind_idx" in first.message
    assert "then at line 8 (DROP TABLE legacy fails with 'does not exist')" in first.message


def test_a_rerun_finding_counts_the_stops_past_the_first_few(tmp_path: Path) -> None:
    """Thirty unguarded CREATE TABLEs outside a transaction: the first finding names the
    next three stops and counts the rest by their lines, not thirty clauses."""
    (tmp_path / "001_tables.sql").write_text(
        "\n".join(f"CREATE TABLE t{n} (id bigint);" for n in range(1, 31)) + "\n"
    )
    [finding] = lint_paths([tmp_path], Settings(transaction={"*": "none"})).findings
    assert finding.line == 1
    assert "stops next at line 2 (CREATE TABLE t2 fails with 'already exists')" in finding.message
    assert "then at line 4 (CREATE TABLE t4" in finding.message
    assert "t5" not in finding.message
    assert finding.message.endswith("and at 26 more statements (lines 5–30)")


def test_a_drop_index_under_a_lock_judged_harmless_is_not_reported() -> None:
    """The statement holding the lock has no finding: the DROP INDEX after it in the
    transaction waits for no one and blocks no one more, and is not reported either."""
    case = (
        REPO
        / "fixtures"
        / "sql"
        / "require-concurrent-index-deletion"
        / "clean_under_a_harmless_held_lock"
    )
    assert lint_paths([case]).findings == []


def test_asides_past_the_first_few_are_counted_and_none_cites_its_own_statement(
    tmp_path: Path,
) -> None:
    """Thirty indexes dropped under the first drop's lock: three named, the rest counted;
    a finding folded with a later one never says 'meanwhile' of its own statement."""
    drops = "\n".join(f"DROP INDEX big_{n};" for n in range(30))
    creates = "\n".join(f"CREATE INDEX big_{n} ON big (a);" for n in range(30))
    (tmp_path / "V1__big.sql").write_text(f"CREATE TABLE big (a int);\n{creates}\n")
    (tmp_path / "V2__drops.sql").write_text(f"BEGIN;\n{drops}\nCOMMIT;\n")
    [finding] = [
        f for f in lint_paths([tmp_path]).findings if f.rule == "require-concurrent-index-deletion"
    ]
    assert finding.line == 2
    assert finding.message.count("under this statement's lock") == 3
    assert finding.message.endswith("and more at 26 statements (lines 6–31)")
    case = REPO / "fixtures" / "overlaps" / "held_lock_work_after_rewrite"
    for f in lint_paths([case]).findings:
        assert f"(line {f.line}) holds" not in f.message


def test_a_sequence_of_a_table_the_migration_drops_claims_no_reused_ids() -> None:
    """Alone (drop-table not selected), its finding names the table it numbers, and
    says nothing of ids a new sequence would reuse: the table holding them is gone."""
    case = REPO / "fixtures" / "overlaps" / "sequence_of_a_dropped_table"
    found = lint_paths([case], Settings(select=("drop-sequence",))).findings
    assert [(f.line, f.message) for f in found] == [
        (
            5,
            "dropping sequence message_ids breaks release N-1's inserts into messages, which "
            "this migration drops too",
        ),
        (
            7,
            "dropping sequence cache_id_seq breaks release N-1's inserts into cache, which "
            "this migration drops too",
        ),
    ]


def test_an_aside_about_a_causes_lock_joins_only_the_causes_finding() -> None:
    """The SET NOT NULL's finding goes to the required-column finding, which goes to the
    coupled change at a later line: the aside meant for the ADD COLUMN's finding is not
    carried there ('then line 5' in a finding at line 7 would point backwards)."""
    case = REPO / "fixtures" / "held_locks" / "aside_of_another_cause"
    found = lint_paths([case]).findings
    assert "expand-contract-coupled" in {f.rule for f in found}
    for f in found:
        for later in re.findall(r"then line (\d+)", f.message):
            assert int(later) > f.line, f.message


def test_a_renamed_table_keeps_the_lock_its_rename_took(tmp_path: Path) -> None:
    """After `RENAME TO` in the transaction, the lock is held on the table by its new
    name: later statements on it are under that lock, not beside a second table."""
    (tmp_path / "V1__init.sql").write_text("CREATE TABLE keys (id int PRIMARY KEY);\n")
    (tmp_path / "V2__change.sql").write_text(
        "ALTER TABLE keys RENAME TO objects;\nALTER TABLE objects ADD COLUMN multipart boolean;\n"
        "UPDATE objects SET multipart = false;\n"
        "ALTER TABLE objects ALTER COLUMN multipart SET NOT NULL;\n"
    )
    found = {f.rule: f.message for f in lint_paths([tmp_path]).findings}
    assert "holds ACCESS EXCLUSIVE on objects" in found["backfill-with-ddl"]
    assert not any("holds ACCESS EXCLUSIVE on keys" in m for m in found.values())
