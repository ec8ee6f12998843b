"""Every rule documents itself, and its documented examples behave as documented."""

from __future__ import annotations

import pytest

from migralint.rule import RuleSpec
from migralint.ruledocs import REQUIRED_SECTIONS, lint_example, parse_doc
from migralint.rulepack import load_rules

RULES = load_rules().rules


def _ids(spec: RuleSpec) -> str:
    return spec.id


@pytest.mark.parametrize("spec", RULES, ids=_ids)
def test_rule_has_every_doc_section(spec: RuleSpec) -> None:
    doc = parse_doc(spec)
    assert doc.summary, f"{spec.id}: the docstring needs a summary line"
    missing = [s for s in REQUIRED_SECTIONS if not doc.sections.get(s)]
    assert not missing, f"{spec.id}: missing sections {missing}"


@pytest.mark.parametrize("spec", RULES, ids=_ids)
def test_bad_example_is_flagged(spec: RuleSpec) -> None:
    bad = parse_doc(spec).bad_example
    assert bad, f"{spec.id}: no ```sql block under Example"
    assert spec.id in lint_example(spec, bad)


@pytest.mark.parametrize("spec", RULES, ids=_ids)
def test_good_example_is_clean(spec: RuleSpec) -> None:
    good = parse_doc(spec).good_example
    assert good, f"{spec.id}: no ```sql block under Use instead"
    assert spec.id not in lint_example(spec, good)


def test_the_first_fifteen_rules_exist() -> None:
    ids = {r.id for r in RULES}
    assert {
        "drop-table",
        "drop-column",
        "rename-column",
        "rename-table",
        "require-concurrent-index-creation",
        "require-concurrent-index-deletion",
        "concurrent-index-in-transaction",
        "adding-foreign-key-constraint",
        "constraint-missing-not-valid",
        "setting-not-null",
        "adding-required-field",
        "adding-field-with-default",
        "changing-column-type",
        "require-lock-timeout",
        "create-without-if-not-exists",
    } <= ids
