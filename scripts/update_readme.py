"""Regenerate the rule table in README.md from the rules' own metadata."""

from __future__ import annotations

import re
from pathlib import Path

from migralint.ruledocs import rule_table
from migralint.rulepack import load_rules

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- rules:start -->", "<!-- rules:end -->"


def updated(text: str) -> str:
    table = rule_table(list(load_rules().rules))
    return re.sub(
        re.escape(START) + r".*?" + re.escape(END),
        lambda _: f"{START}\n{table}{END}",
        text,
        flags=re.DOTALL,
    )


if __name__ == "__main__":
    README.write_text(updated(README.read_text(encoding="utf-8")), encoding="utf-8")
