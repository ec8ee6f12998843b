"""The facts that judge a release as a whole, against its base (the previous tag).

From the migrations present now and what git says changed since the base: released
migrations edited or deleted, versions used twice, and the Ops of the unreleased
migrations, read for what they drop or rename that existed at the base, whether the
same release also expands that table, and which lines of the base's code (`code_paths`,
`git grep -w` at the base) still name it.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from migralint.release.changes import Release, absolute
from migralint.release.problems import (
    CoupledRelease,
    DuplicateVersion,
    EditedReleasedMigration,
    ReleaseProblem,
    StaleCodeReference,
)
from migralint.sources.git import GrepHit
from migralint.sources.layout import MigrationFile, is_candidate
from migralint.sql import ops

SHOWN_HITS = 10  # code lines a finding lists before saying how many more


@dataclass(frozen=True)
class Removal:
    """A table or column that existed at the base and this release drops or renames."""

    op: ops.Op
    what: str  # "column users.full_name", "table sessions"
    word: str  # the name the previous release's code uses
    hits: tuple[GrepHit, ...] = ()


@dataclass
class ReleaseFacts:
    """The release's problems (judged by the release rules), what it removes (for
    rollback-check's destructive question), and notices for stderr."""

    problems: list[ReleaseProblem] = field(default_factory=list)
    removals: list[Removal] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def release_facts(
    release: Release,
    roots: Sequence[Path],
    migrations: Sequence[MigrationFile],
    up_ops: Callable[[MigrationFile], Sequence[ops.Op]],
    code_paths: Sequence[str],
) -> ReleaseFacts:
    """Everything release-level about `migrations` (the files found under `roots`, in
    applied order); `up_ops` reads the Ops a file applies going up."""
    facts = ReleaseFacts()
    facts.problems += _edited(release, [absolute(r) for r in roots], migrations)
    facts.problems += _duplicates(release, migrations)
    unreleased = [m for m in migrations if _status(release, m.path) == "A"]
    removals, coupled = _removals(release, unreleased, up_ops)
    facts.problems += coupled
    if code_paths:
        removals = [_with_hits(release, r, code_paths) for r in removals]
        facts.problems += [_stale(release, r) for r in removals if r.hits]
    elif removals:
        facts.notices.append(
            "set code_paths to check that the previous release's code no longer uses what "
            "this release drops or renames"
        )
    facts.removals = removals
    return facts


def _status(release: Release, path: Path) -> str | None:
    change = release.changes.get(absolute(path))
    return change.status if change else None


def _edited(
    release: Release, roots: Sequence[Path], migrations: Sequence[MigrationFile]
) -> list[ReleaseProblem]:
    """Released migrations changed (M) or deleted (D, a migration's name under `roots`)."""
    known = {absolute(m.path): str(m.path) for m in migrations}
    found: list[ReleaseProblem] = []
    for path, change in sorted(release.changes.items()):
        deleted = change.status == "D" and is_candidate(path.name)
        in_roots = any(root == path or root in path.parents for root in roots)
        if not (change.status == "M" and path in known) and not (deleted and in_roots):
            continue
        shown = known.get(path) or os.path.relpath(path)
        verb = "deleted" if deleted else "edited"
        found.append(
            EditedReleasedMigration.at(
                shown,
                f"{change.path} was {release.in_base()} and {verb} after it: "
                f"{_who_changed(release, change.path)}",
                release.name,
            )
        )
    return found


def _who_changed(release: Release, path: str) -> str:
    commits = release.repo.commits_touching(release.commit, path)
    named = [f'commit {sha} "{subject}"' for sha, subject in commits[:3]]
    if len(commits) > 3:
        named.append(f"{len(commits) - 3} more")
    if release.staged:
        named.append("the staged change")
    elif release.repo.differs_from_head(path):
        named.append("uncommitted changes")
    return ", ".join(named)


def _duplicates(release: Release, migrations: Sequence[MigrationFile]) -> list[ReleaseProblem]:
    """Files of one set that carry the same version, where one is new in this release."""
    groups: dict[tuple[object, ...], list[MigrationFile]] = defaultdict(list)
    for m in migrations:
        if m.sort_key[1] and not m.fresh_install and m.tool not in ("synapse", "prisma"):
            groups[(m.set_root, m.tool, m.direction, m.dialect, m.sort_key[1])].append(m)
    found: list[ReleaseProblem] = []
    for group in groups.values():
        for m in group:
            others = [o for o in group if o is not m]
            if not others or _status(release, m.path) != "A":
                continue
            names = "; ".join(f"{o.path} ({_added(release, o)})" for o in others)
            found.append(
                DuplicateVersion.at(
                    str(m.path),
                    f"version {m.version} of {m.path} ({_added(release, m)}) is also the "
                    f"version of {names}",
                    release.name,
                )
            )
    return found


def _added(release: Release, migration: MigrationFile) -> str:
    relative = release.relative(absolute(migration.path))
    commit = release.repo.adding_commit(relative)
    return f'added in commit {commit[0]} "{commit[1]}"' if commit else "not committed yet"


@dataclass
class _New:
    """What the release has created so far: tables, and columns of released tables."""

    tables: set[str] = field(default_factory=set)
    columns: set[tuple[str, str]] = field(default_factory=set)
    expands: dict[str, list[ops.AddColumn]] = field(default_factory=dict)  # table → added
    backfills: list[tuple[ops.Update, ops.Assignment]] = field(default_factory=list)

    def expand_of(self, drop: ops.DropColumn) -> tuple[ops.AddColumn, ops.Update | None]:
        """The column added to the dropped column's table that a backfill of this
        release fills from it (the one change, expand and contract), else the first."""
        added = self.expands[drop.table.key]
        for update, assignment in self.backfills:
            if update.table.key == drop.table.key and _names(assignment.value, drop.column):
                expand = next((a for a in added if a.column.name == assignment.column), None)
                if expand is not None:
                    return expand, update
        return added[0], None

    def note(self, op: ops.Op) -> bool:
        """Record what `op` creates; True when it touches nothing released."""
        table = getattr(op, "table", None)
        if isinstance(op, ops.CreateTable):
            self.tables.add(op.table.key)
            return True
        if not isinstance(table, ops.Name):
            return True
        if table.key in self.tables:
            if isinstance(op, ops.RenameTable):
                self.tables.add(ops.Name(op.new_name, table.schema).key)
            return True
        if isinstance(op, ops.AddColumn):
            self.columns.add((table.key, op.column.name))
            self.expands.setdefault(table.key, []).append(op)
            return True
        if isinstance(op, ops.Update):
            self.backfills += [(op, a) for a in op.assignments or ()]
        released = not isinstance(op, (ops.DropColumn, ops.RenameColumn)) or (
            (table.key, op.column) not in self.columns
        )
        if not released and isinstance(op, ops.RenameColumn):
            self.columns.add((table.key, op.new_name))
        return not released


def _removals(
    release: Release,
    unreleased: Sequence[MigrationFile],
    up_ops: Callable[[MigrationFile], Sequence[ops.Op]],
) -> tuple[list[Removal], list[ReleaseProblem]]:
    """What the unreleased migrations drop or rename that existed at the base, and the
    drops that ship with an expand (a column added) of the same table."""
    new = _New()
    removals: list[Removal] = []
    for migration in unreleased:
        for op in up_ops(migration):
            if not new.note(op) and (removal := _removal(op)):
                removals.append(removal)
    coupled = [
        _coupled(release, r.op, *new.expand_of(r.op))
        for r in removals
        if isinstance(r.op, ops.DropColumn) and r.op.table.key in new.expands
    ]
    return removals, coupled


def _removal(op: ops.Op) -> Removal | None:
    """The Removal an Op is when it drops or renames a released table or column."""
    if isinstance(op, (ops.DropColumn, ops.RenameColumn)):
        return Removal(op, f"column {op.table}.{op.column}", op.column)
    if isinstance(op, (ops.DropTable, ops.RenameTable)):
        return Removal(op, f"table {op.table}", op.table.name)
    return None


def _coupled(
    release: Release, drop: ops.DropColumn, expand: ops.AddColumn, backfill: ops.Update | None
) -> CoupledRelease:
    filled = f", backfilled from it ({_place(backfill)})" if backfill else ""
    return CoupledRelease(
        loc=drop.loc,
        tag=release.name,
        message=(
            f"{drop.table}.{drop.column} is dropped in the same release (since {release.name}) "
            f"that adds {drop.table}.{expand.column.name} ({_place(expand)}{filled}): the "
            "expand and the contract ship together, so rolling the code back finds the old "
            "column gone"
        ),
    )


def _names(sql: str, word: str) -> bool:
    """Whether the SQL text names `word` as a whole identifier (quoted or not)."""
    return (
        re.search(rf'(?<![\w$"]){re.escape(word)}(?![\w$"])|"{re.escape(word)}"', sql) is not None
    )


def _place(op: ops.Op) -> str:
    return f"{op.loc.path}:{op.loc.line}"


def _with_hits(release: Release, removal: Removal, code_paths: Sequence[str]) -> Removal:
    hits = release.repo.grep_word(release.commit, removal.word, code_paths)
    return Removal(removal.op, removal.what, removal.word, tuple(hits))


def _stale(release: Release, removal: Removal) -> StaleCodeReference:
    lines = [f"{h.path}:{h.line}" for h in removal.hits[:SHOWN_HITS]]
    if len(removal.hits) > SHOWN_HITS:
        lines.append(f"and {len(removal.hits) - SHOWN_HITS} more")
    return StaleCodeReference(
        loc=removal.op.loc,
        tag=release.name,
        message=(
            f"{removal.what} is dropped or renamed, but the code of {release.name} (release "
            f"N-1, still running during the rollout and after a rollback) names "
            f"{removal.word!r}: {', '.join(lines)}"
        ),
    )
