"""What a caller may tell a format beyond the lint result: colour, the working folder
that paths are relative to, where rule documentation lives, the rule specs, a size cap."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from migralint.rule import RuleSpec

DOCS_URL = "docs/rules/"
"""Where `<rule-id>.md` pages are found. migralint has no published documentation site,
so the default is the pages' path in its repository, a relative reference; set an
absolute base (e.g. the repository's `blob/<tag>/docs/rules/` address) to give SARIF and
GitLab readers a link that resolves."""

MARKDOWN_LIMIT = 60_000
"""Characters a markdown report stays under: GitHub's 65,536 for a comment, less room
for a bot's own header."""


@dataclass(frozen=True)
class ReportOptions:
    """How to render: defaults suit a run from the repository root."""

    color: bool = False
    root: Path = field(default_factory=Path.cwd)
    docs_url: str = DOCS_URL
    rules: Sequence[RuleSpec] | None = None  # None: the result's, else the built-in pack
    max_chars: int = MARKDOWN_LIMIT
    summary: bool = True  # text: end with the one-line account (a terminal gets its own)
