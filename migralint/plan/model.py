"""What a plan is: ordered phases, each a migration with an up and a down."""

from __future__ import annotations

from dataclasses import dataclass

PHASES = ("expand", "migrate", "contract")


@dataclass(frozen=True)
class Phase:
    """One migration of a plan.

    `header` says what the phase does, what the application must do around it and when
    the next phase is safe. `transactional` is False when the up must run outside a
    transaction (a batched backfill commits per batch).
    """

    name: str  # expand | migrate | contract; "" for statements kept as written
    slug: str  # file-name words, e.g. "rename_users_full_name_to_name_expand"
    header: str
    up: str
    down: str
    transactional: bool = True

    def text(self, body: str) -> str:
        """A migration file's text: the phase marker, the header comment, the SQL."""
        comment = "\n".join(f"-- {line}".rstrip() for line in self.header.splitlines())
        marker = f"-- migralint: phase={self.name}\n" if self.name else ""
        return f"{marker}{comment}\n\n{body.strip()}\n"


@dataclass(frozen=True)
class Plan:
    operation: str
    phases: tuple[Phase, ...]
    summary: str


class PlanError(Exception):
    """The plan cannot be made or written; the message says why. The CLI exits with 2."""
