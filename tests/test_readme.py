"""README.md stays true: the rule table matches the code, the set-up commands are there."""

from __future__ import annotations

import importlib.util
import re

from helpers import REPO


def _update_readme_module():
    spec = importlib.util.spec_from_file_location(
        "update_readme", REPO / "scripts" / "update_readme.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rule_table_is_in_sync_with_the_rules() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert _update_readme_module().updated(text) == text, "run: python scripts/update_readme.py"


def test_readme_opens_with_the_setup_commands() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    commands = [line.split("#", 1)[0].strip() for line in block]
    assert commands[0].startswith("python3 -m venv .venv && . .venv/bin/activate")
    assert commands[1:3] == ["pip install .", "migralint check fixtures/examples"]
    assert commands[-1] == "./scripts/test"
    assert "./scripts/test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_every_test_the_robustness_table_names_exists() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Robustness\n", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`(test_\w+)`", section))
    defined = {
        name
        for path in (REPO / "tests").glob("test_*.py")
        for name in re.findall(r"^def (test_\w+)", path.read_text(encoding="utf-8"), re.M)
    }
    assert len(named) > 30
    assert named <= defined, sorted(named - defined)
