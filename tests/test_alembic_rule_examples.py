"""The Alembic rules' documented examples (```python blocks) behave as documented: the
Example is flagged by its rule, the Use-instead is not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from migralint.config import Settings
from migralint.engine import lint_paths
from migralint.rule import RuleSpec
from migralint.ruledocs import parse_doc
from migralint.rulepack import load_rules

_BLOCK = re.compile(r"```python file=(?P<file>\S+)\n(?P<code>.*?)```", re.DOTALL)
RULES = [r for r in load_rules().rules if r.id.startswith("alembic-")]


def _flagged(spec: RuleSpec, section: str, tmp_path: Path) -> bool:
    block = _BLOCK.search(parse_doc(spec).sections[section])
    assert block, f"{spec.id}: no ```python file=… block under {section}"
    (tmp_path / block["file"]).write_text(block["code"], encoding="utf-8")
    render = spec.id == "alembic-render-failed"  # its examples are rendered (run)
    settings = Settings(select=(spec.id,), dialect=spec.dialects[0], alembic_render=render)
    return spec.id in {f.rule for f in lint_paths([tmp_path], settings).findings}


def test_there_are_alembic_rules() -> None:
    assert {r.id for r in RULES} == {
        "alembic-batch-recreate",
        "alembic-commit-in-revision",
        "alembic-failing-op",
        "alembic-render-failed",
        "alembic-revision-graph",
        "alembic-type-change-unjudged",
        "alembic-unresolved-op",
    }


@pytest.mark.parametrize("spec", RULES, ids=lambda s: s.id)
def test_the_example_is_flagged(spec: RuleSpec, tmp_path: Path) -> None:
    assert _flagged(spec, "Example", tmp_path)


@pytest.mark.parametrize("spec", RULES, ids=lambda s: s.id)
def test_the_use_instead_is_clean(spec: RuleSpec, tmp_path: Path) -> None:
    assert not _flagged(spec, "Use instead", tmp_path)
