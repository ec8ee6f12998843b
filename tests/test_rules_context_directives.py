"""Other linters' suppression comments are honoured: Atlas's `-- atlas:nolint [code]`
for the next statement, diesel-guard's `-- safety-assured:start … end` blocks."""

from __future__ import annotations

import re

from helpers import REPO

from migralint import directives
from migralint.config import Settings
from migralint.engine import lint_paths
from migralint.sql.split import split_statements

FIXTURE = REPO / "fixtures" / "sql" / "other_linters_directives.sql"


def flagged_lines(*select: str) -> list[int]:
    """The lines reported: each finding's own, and those a folded finding names
    ("also lines 8, 15: …", migralint/folding.py)."""
    result = lint_paths([FIXTURE], Settings(select=select))
    lines = [f.line for f in result.findings]
    for f in result.findings:
        named = re.search(r"also lines? ([\d, ]+)", f.message)
        lines += [int(n) for n in named[1].split(", ")] if named else []
    return sorted(lines)


def test_atlas_nolint_silences_its_statement_all_rules_or_the_named_check() -> None:
    lines = flagged_lines("drop-column", "drop-table")
    assert 2 not in lines  # bare: every rule
    assert 5 not in lines  # DS103 is drop-column
    assert 8 in lines  # DS102 is drop-table, not this drop-column
    assert {15, 18} <= set(lines)  # after the block, and a block never closed


def test_safety_assured_blocks_are_read_with_their_lines() -> None:
    comments = split_statements(FIXTURE.read_text()).comments
    blocks = directives.assured_blocks(comments)
    assert blocks == [(10, 13)]  # the start without an end switches nothing off
    assert directives.assured(blocks, 11) and directives.assured(blocks, 12)
    assert directives.assured(blocks, 15) == [] and directives.assured(blocks, 18) == []


def test_statements_inside_a_safety_assured_block_are_not_reported() -> None:
    lines = flagged_lines("drop-column", "drop-table")
    assert 11 not in lines and 12 not in lines
