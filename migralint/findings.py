"""What a lint run produces: findings with a rule, a severity, a place and advice."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from migralint.cache import unpickled_by_names


class Severity(IntEnum):
    """Ordered: a run fails on findings at or above the failing severity (error)."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.strip().upper()]

    def __str__(self) -> str:
        return self.name.lower()


SEVERITY_NAMES = tuple(str(s) for s in Severity)


@unpickled_by_names
@dataclass(frozen=True, slots=True)
class Finding:
    """One problem at one place. `help` says what to write instead. `assumed_reruns`:
    the statements whose re-run failure it reports on a transaction mode nothing
    states (migralint/assumed_mode.py folds them); not part of any report."""

    rule: str
    severity: Severity
    message: str
    help: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    assumed_reruns: int = 0

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.rule)
