"""The release rules: a rule pack of their own, added to the run's packs wherever a
release is judged (`check --since/--staged`, `rollback-check`) or a rule is looked up
(`rules`, `explain`). Their Ops come from git, so a plain `check` never triggers them."""

from __future__ import annotations

from pathlib import Path

from migralint.rulepack import RuleSet, load_pack

RELEASE_RULES = Path(__file__).resolve().parent / "rules"


def with_release_rules(ruleset: RuleSet) -> RuleSet:
    """`ruleset` plus the release rules."""
    return RuleSet(ruleset.rules + load_pack(RELEASE_RULES))
