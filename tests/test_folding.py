"""One rule's findings about one table in one migration are one finding
(migralint/folding.py), on the sets under fixtures/folding/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import REPO

from migralint import folding
from migralint.cli import main
from migralint.config import Settings
from migralint.engine import LintResult, lint_paths
from migralint.rule import RuleSpec, Violation

FOLDING = REPO / "fixtures" / "folding"
TYPES = FOLDING / "type_changes"
INDEXES = FOLDING / "indexes"


def judged(case: Path, rule: str, **settings: object) -> LintResult:
    result = lint_paths([case], Settings(select=(rule,), **settings))  # type: ignore[arg-type]
    last = sorted(case.glob("*.sql"))[-1]
    result.findings = [f for f in result.findings if Path(f.path) == last]
    return result


def unfolded(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_groups(flagged: list[tuple[RuleSpec, Violation]]) -> dict[int, list[int]]:
        return {}

    monkeypatch.setattr(folding, "groups", no_groups)


def test_one_rules_rewrites_in_one_migration_are_one_finding_naming_the_others() -> None:
    [found] = judged(TYPES, "changing-column-type").findings
    assert found.line == 3
    assert found.message.startswith("changing collection_shares.collection_id from int")
    assert (
        "also lines 4, 5, 6: collection_shares.from_user_id, collection_shares.to_user_id, "
        "files.owner_id" in found.message
    )
    assert "collection_shares is rewritten 3 times" in found.message
    assert "one ALTER TABLE with all its actions rewrites it once" in found.message
    assert "files is rewritten" not in found.message  # once: nothing to combine


def test_past_the_listed_lines_a_folded_finding_counts_the_rest(tmp_path: Path) -> None:
    tables = [f"t{i}" for i in range(40)]
    (tmp_path / "1_create.up.sql").write_text(
        "".join(f"CREATE TABLE {t} (id int);\n" for t in tables)
    )
    (tmp_path / "2_bigint.up.sql").write_text(
        "".join(f"ALTER TABLE {t} ALTER COLUMN id TYPE bigint;\n" for t in tables)
    )
    [found] = judged(tmp_path, "changing-column-type").findings
    assert found.line == 1
    assert "also 39 more statements (lines 2–40): t1.id, t2.id" in found.message
    assert found.message.endswith("t25.id and 14 more")


def test_one_finding_names_every_index_built_on_the_table() -> None:
    [found] = judged(INDEXES, "require-concurrent-index-creation").findings
    assert found.line == 2
    names = [f"idx_post_c{i}" for i in range(2, 23)]
    assert f"also lines {', '.join(map(str, range(3, 24)))}: {', '.join(names)}" in found.message
    assert "rewritten" not in found.message  # an index build is no rewrite


def test_folding_keeps_the_exit_code_and_every_rule_and_severity(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folded = lint_paths([TYPES, INDEXES], Settings())
    kinds = {(f.path, f.rule, f.severity) for f in folded.findings}
    unfolded(monkeypatch)
    every = lint_paths([TYPES, INDEXES], Settings())
    assert len(every.findings) > len(folded.findings)
    assert {(f.path, f.rule, f.severity) for f in every.findings} == kinds
    assert every.fails() == folded.fails()


def test_a_suppression_silences_its_own_line_of_a_group(tmp_path: Path) -> None:
    case = Path(shutil.copytree(TYPES, tmp_path / "types"))
    migration = case / "2_bigint.up.sql"
    lines = migration.read_text().splitlines()
    lines[2] = "-- migralint: ignore changing-column-type -- a small table\n" + lines[2]
    migration.write_text("\n".join(lines) + "\n")
    found = judged(case, "changing-column-type").findings
    first = found[0]
    assert first.line == 5 and first.message.startswith("changing collection_shares.from_user_id")
    assert "also lines 6, 7: collection_shares.to_user_id, files.owner_id" in first.message
    assert "collection_id" not in first.message  # its cause is silenced, not folded in


def test_plan_from_plans_every_folded_statement(tmp_path: Path) -> None:
    case = Path(shutil.copytree(TYPES, tmp_path / "types"))
    result = CliRunner().invoke(
        main,
        ["plan", "--from", str(case / "2_bigint.up.sql"), "--out", str(tmp_path / "plan")],
    )
    assert result.exit_code == 0, result.output
    for line, column in ((3, "collection_id"), (4, "from_user_id"), (5, "to_user_id")):
        assert f"line {line}: " in result.output and column in result.output


def test_constraints_on_other_columns_of_other_tables_fold_into_one(tmp_path: Path) -> None:
    (tmp_path / "1_create.up.sql").write_text(
        "CREATE TABLE a (x int, y int);\nCREATE TABLE b (k int);\n"
    )
    (tmp_path / "2_keys.up.sql").write_text(
        "ALTER TABLE a ADD PRIMARY KEY (x, y);\nALTER TABLE b ADD PRIMARY KEY (k);\n"
    )
    [found] = judged(tmp_path, "adding-primary-key").findings
    assert found.line == 1 and "also line 2: b.k" in found.message
