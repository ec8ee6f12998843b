"""Ops that describe an input rather than a statement: what a run could not read or finish.

Discovery and the engine turn each path they cannot lint (fully) into one of these, at
line 1 of the path, and the rule pack judges it like any other Op: so every input is
either linted or a finding with its own rule id, which `migralint rules` lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from migralint.sql import ops


@dataclass(frozen=True, slots=True, kw_only=True)
class InputProblem(ops.Op):
    """A path that is not linted, or not to the end; `message` says why."""

    message: str
    reason: ClassVar[str] = ""  # short and path-free, for the run's summary

    @classmethod
    def at(cls, path: str, message: str, line: int = 1, column: int = 1) -> InputProblem:
        return cls(loc=ops.Location(path, line, column, line, column), message=message)


@dataclass(frozen=True, slots=True, kw_only=True)
class UnreadableFile(InputProblem):
    reason: ClassVar[str] = "unreadable"


@dataclass(frozen=True, slots=True, kw_only=True)
class NonUtf8File(InputProblem):
    reason: ClassVar[str] = "not UTF-8"


@dataclass(frozen=True, slots=True, kw_only=True)
class SpecialFile(InputProblem):
    reason: ClassVar[str] = "not a regular file"


@dataclass(frozen=True, slots=True, kw_only=True)
class SymlinkLoop(InputProblem):
    reason: ClassVar[str] = "symlink loop"


@dataclass(frozen=True, slots=True, kw_only=True)
class SymlinkOutsideTree(InputProblem):
    reason: ClassVar[str] = "symlink out of the linted folders"


@dataclass(frozen=True, slots=True, kw_only=True)
class FileTooLarge(InputProblem):
    reason: ClassVar[str] = "too large"


@dataclass(frozen=True, slots=True, kw_only=True)
class FileTooSlow(InputProblem):
    reason: ClassVar[str] = "time budget exceeded"


@dataclass(frozen=True, slots=True, kw_only=True)
class MalformedManifest(InputProblem):
    reason: ClassVar[str] = "unreadable manifest"
