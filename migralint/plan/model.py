"""What a plan is: ordered phases, each a migration with an up and a down."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from migralint.report.escape import visible

PHASES = ("expand", "migrate", "contract")
# Settings that would cancel long work in a phase run outside a transaction (a role's
# default, or what an earlier migration left on the connection).
_LONG_WORK = ("statement_timeout", "lock_timeout")
# A comment line a tool would read as its own directive: dbmate's `-- migrate:up` and
# `-- migrate:down` (case-sensitive, as dbmate reads them), migralint's `-- migralint: …`,
# squawk's `-- squawk-ignore…` and goose's `-- +goose …` (any case).
_DIRECTIVE = re.compile(r"\s*(?:migrate:(?:up|down)\b|(?i:migralint\s*:|squawk-ignore|\+goose\b))")


def shown(text: str) -> str:
    """`text` on one line for a comment or a message: the report's escapes
    (`report.escape.visible`: line breaks, controls, bidi overrides, undecodable bytes),
    and every other format character (a zero-width space, a left-to-right mark) too."""
    return "".join(_format_escape(ch) for ch in visible(text))


def _format_escape(ch: str) -> str:
    if unicodedata.category(ch) != "Cf":
        return ch
    return f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}"


def comment(text: str) -> str:
    """`-- ` lines, one per `\\n`-separated line of `text`, every other line break and
    control character escaped: nothing in `text` can end the comment early, and no line
    reads as a tool's directive (it gets a leading backslash)."""
    return "\n".join(_comment_line(shown(line)) for line in text.split("\n"))


def _comment_line(line: str) -> str:
    escape = "\\" if _DIRECTIVE.match(line) else ""
    return f"-- {escape}{line}".rstrip()


@dataclass(frozen=True)
class Phase:
    """One migration of a plan.

    `header` says what the phase does, what the application must do around it and when
    the next phase is safe. `transactional` is False when the up and the down must run
    outside a transaction (a batched backfill commits per batch, CREATE INDEX
    CONCURRENTLY): such a phase is one statement, so that tools sending a file as one
    query (golang-migrate, dbmate) can run it.
    """

    name: str  # expand | migrate | contract; "" for statements kept as written
    slug: str  # file-name words, e.g. "rename_users_full_name_to_name_expand"
    header: str
    up: str
    down: str
    transactional: bool = True

    def sql(self, direction: str, per_statement: bool) -> str:
        """The up or down SQL as a tool runs it. For a tool that runs a file statement
        by statement (Flyway), the work of a phase outside a transaction runs with no
        statement or lock timeout, both reset afterwards; otherwise the file holds the
        statement alone (its header says how to lift the timeouts)."""
        body = (self.up if direction == "up" else self.down).strip()
        if self.transactional or not per_statement:
            return body
        lift = "\n".join(f"SET {s} = 0;" for s in _LONG_WORK)
        reset = "\n".join(f"RESET {s};" for s in _LONG_WORK)
        return f"{lift}\n\n{body}\n\n{reset}"

    def text(self, body: str, note: str = "") -> str:
        """A migration file's text: the phase marker, the header comment (and the
        writer's `note`), the SQL."""
        header = f"{self.header}\n{note}" if note else self.header
        marker = f"-- migralint: phase={self.name}\n" if self.name else ""
        return f"{marker}{comment(header)}\n\n{body.strip()}\n"


@dataclass(frozen=True)
class Plan:
    operation: str
    phases: tuple[Phase, ...]
    summary: str


class PlanError(Exception):
    """The plan cannot be made or written; the message says why. The CLI exits with 2."""
