"""`migralint check --since REF / --staged`: lint the changed migrations in their context
and judge the release they belong to."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from migralint.config import Settings
from migralint.context import FileInfo
from migralint.engine import Linter, LintResult, lint_paths
from migralint.release import changes
from migralint.release.changes import ChangedFiles, Release, absolute
from migralint.release.facts import ReleaseFacts, release_facts
from migralint.rulepack import RuleSet
from migralint.sources.discover import discover
from migralint.sources.git import Repository
from migralint.sources.layout import MigrationFile
from migralint.sql import ops


@dataclass
class ChangedRun:
    """A lint run limited to what changed, and what it says about the release."""

    result: LintResult
    release: Release | None
    facts: ReleaseFacts = field(default_factory=ReleaseFacts)
    notices: list[str] = field(default_factory=list)


def repository(targets: Sequence[Path]) -> Repository:
    """The repository of the first target (or of the current folder); GitError if none."""
    return Repository.containing(Path(targets[0]) if targets else Path.cwd())


def lint_changed(
    targets: Sequence[Path],
    settings: Settings,
    ruleset: RuleSet,
    *,
    since: str | None,
    staged: bool,
) -> ChangedRun:
    """Lint `targets` (default: the repository) reporting only what changed, with the
    rules of `ruleset` (see `with_release_rules`); raises GitError outside a repository
    or for an unknown ref, ConfigError for bad settings.

    A file among `targets` (pre-commit passes the staged files) is judged after the
    earlier migrations of its set, as the engine does for a file given alone, and only
    the files given are reported."""
    repo = repository(targets)
    limit = settings.max_file_size
    release: Release | None
    if staged:
        scope, release = changes.staged(repo, settings.release_tag_pattern, limit)
    else:
        release = changes.since(repo, since or "HEAD")
        scope = changes.scope_of(release, limit)
    files = frozenset(absolute(t) for t in targets if t.is_file())
    if files:
        scope = replace(scope, reported=scope.reported & files, deleted=frozenset())
    targets = list(targets) or [Path(os.path.relpath(repo.root))]
    if release is None:
        run = ChangedRun(lint_paths(targets, settings, ruleset, scope, scope), None)
        run.notices.append(
            f"no tag matching {settings.release_tag_pattern!r} is reachable from HEAD: "
            "release rules not run"
        )
        return run
    return judged(targets, settings, ruleset, scope, release)


def judged(
    targets: Sequence[Path],
    settings: Settings,
    ruleset: RuleSet,
    scope: ChangedFiles,
    release: Release,
) -> ChangedRun:
    """The lint findings of what `scope` reports plus the release rules' findings on
    the files it touches."""
    run = ChangedRun(lint_paths(targets, settings, ruleset, scope, scope), release)
    run.notices.append(f"release base: {release.describe()}")
    run.facts = judge_release(targets, settings, scope, release)
    run.notices += run.facts.notices
    linter = Linter(ruleset.selected(settings), settings)
    for problem in run.facts.problems:
        if scope.touches(Path(problem.loc.path)):
            info = FileInfo(path=problem.loc.path, dialect=settings.dialect or "postgres")
            run.result.findings.extend(linter.judge_problem(problem, info))
    run.result.findings.sort(key=lambda f: f.sort_key)
    return run


def _with_folders(targets: Sequence[Path]) -> list[Path]:
    """The targets with each file replaced by its folder, each folder once: a release is
    judged over whole sets (a duplicate version needs its sibling)."""
    found = [t if not t.is_file() else Path(os.path.dirname(t) or os.curdir) for t in targets]
    return list(dict.fromkeys(found))


def judge_release(
    targets: Sequence[Path], settings: Settings, scope: ChangedFiles, release: Release
) -> ReleaseFacts:
    """The release facts of the migrations under `targets` (a file: its folder), read as
    the scope reads them."""
    found = discover(
        _with_folders(targets),
        exclude=settings.exclude,
        fresh_install_globs=settings.fresh_install,
        dialect=settings.dialect,
    )
    migrations = [m for m in found.files if scope.includes(m.path)]
    reader = Linter([], settings, scope)

    def up_ops(file: MigrationFile) -> list[ops.Op]:
        migration = reader.read(file, settings.dialect or file.dialect or "postgres")
        return [
            op
            for part in migration.parts
            if part.context.direction != "down"
            for statement in part.statements
            for op in statement.ops
        ]

    return release_facts(release, _with_folders(targets), migrations, up_ops, settings.code_paths)
