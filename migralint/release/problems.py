"""Ops that describe a release rather than a statement, judged by the rules in
`rules/release/` like any other Op. Each stands at the file (and line) it is about."""

from __future__ import annotations

from dataclasses import dataclass

from migralint.sql import ops


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseProblem(ops.Op):
    """Something about a migration in this release; `message` says what, naming commits."""

    message: str
    tag: str  # the release base the problem is relative to (a tag or the --since ref)

    @classmethod
    def at(cls, path: str, message: str, tag: str, line: int = 1) -> ReleaseProblem:
        return cls(loc=ops.Location(path, line, 1, line, 1), message=message, tag=tag)


@dataclass(frozen=True, slots=True, kw_only=True)
class CoupledRelease(ReleaseProblem):
    """The expand (a column added) and the contract (a released column dropped) of the
    same table ship in one release."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EditedReleasedMigration(ReleaseProblem):
    """A migration present at the release tag was edited or deleted after it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DuplicateVersion(ReleaseProblem):
    """Two migrations of one set carry the same version."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StaleCodeReference(ReleaseProblem):
    """A table or column this release drops or renames is still named by the previous
    release's code."""
