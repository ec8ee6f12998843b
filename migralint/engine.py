"""The lint run: files → Migrations (front ends) → replay and rules → findings.

A `Contents` supplies each file's bytes and a front end (migralint/frontends/) turns
them into a `Migration`; the engine only replays Migrations in order, each set into
its own catalog, one stream per dialect, and judges their Ops, so rules can ask what
earlier migrations built. A file given on its own is judged after its set's earlier
migrations are replayed (not reported), so its verdicts are a folder run's (the
pre-commit case). Every file is linted even when others fail: a file that cannot be
read or parsed yields findings, never an exception. Every path found is accounted
for: linted, or a finding (its `InputProblem`) and `skipped`. Reading a file and
judging it get `time_budget` seconds each; a rule that raises is an `internal-error`
finding.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from migralint import __version__, assumed_mode, directives, overlaps
from migralint.cache import Cache
from migralint.checks.idempotency import rests_on_assumed_mode
from migralint.config import Settings, settings_for
from migralint.context import Context, FileInfo
from migralint.findings import Finding, Severity
from migralint.incremental import Job, Linters, lint_in_sets
from migralint.migration import Migration, Part, failure
from migralint.overlaps import Flagged
from migralint.problems import FileTooSlow, InputProblem
from migralint.result import LintResult
from migralint.rule import RuleSpec, Violation
from migralint.rulepack import RuleSet, load_rules
from migralint.run_context import file_context, path_matches
from migralint.schema import Catalog
from migralint.session import Session
from migralint.sources.contents import Contents, DiskContents
from migralint.sources.discover import discover
from migralint.sources.files import InputError
from migralint.sources.layout import MigrationFile
from migralint.sources.sets import with_earlier
from migralint.sql import ops
from migralint.sql.statements import Comment, Statement

SUPPORTED_DIALECTS = ("postgres", "mysql", "sqlite", "cockroach")


class Scope(Protocol):
    """Which files a run reports (`check --since/--staged`): a file it does not `include`
    is left out, one it does not `report` is replayed for context only, and what the
    `unreleased` files create counts as new to each other (they ship in one deploy)."""

    def includes(self, path: Path) -> bool: ...

    def reports(self, path: Path) -> bool: ...

    def unreleased(self, path: Path) -> bool: ...


def lint_paths(
    paths: Sequence[str | Path],
    settings: Settings | None = None,
    rules: RuleSet | None = None,
    contents: Contents | None = None,
    scope: Scope | None = None,
    cache: Cache | None = None,
    on_file: Callable[[int, int], None] | None = None,
) -> LintResult:
    """Lint migration files and folders; raises ConfigError for bad settings only. The
    bytes come from `contents` (None: the disk); `scope` narrows what is reported; with
    a `cache`, files and sets that did not change are not read or judged again (see
    migralint/incremental.py); `on_file(done, total)` is called as reported files are
    done (a progress bar)."""
    settings = settings if settings is not None else settings_for(paths)
    ruleset = rules if rules is not None else load_rules(settings.rule_paths)
    linter = Linter(ruleset.selected(settings), settings, contents)
    replay = Linter([], settings, contents)
    found = discover(
        paths,
        exclude=settings.exclude,
        fresh_install_globs=settings.fresh_install,
        dialect=settings.dialect,
    )
    result = LintResult(missing=found.missing, unusable=found.unusable, rules=tuple(linter.rules))
    result.not_run = tuple(f for f in found.not_run if scope is None or scope.reports(f.path))
    for problem in found.rejected:
        if scope is not None and not scope.reports(Path(problem.loc.path)):
            continue
        info = FileInfo(path=problem.loc.path, dialect=settings.dialect or "postgres")
        result.findings.extend(linter.judge_problem(problem, info))
        result.skipped[problem.loc.path] = problem.reason
    steps: list[Job | tuple[str, str]] = []  # a file to lint, or (path, dialect) skipped
    in_release: set[tuple[Path, str]] = set()  # sets whose last file was unreleased
    for file, reported in with_earlier(found.files, paths, settings):
        if scope is not None and not scope.includes(file.path):
            continue
        reported = reported and (scope is None or scope.reports(file.path))
        dialect = settings.dialect or file.dialect or "postgres"
        if dialect not in SUPPORTED_DIALECTS:
            if reported:
                steps.append((str(file.path), dialect))
            continue
        key = (file.set_root, dialect)
        unreleased = scope is not None and scope.unreleased(file.path)
        new_migration = not (unreleased and key in in_release)
        (in_release.add if unreleased else in_release.discard)(key)
        steps.append(Job(file, dialect, reported, new_migration))
    jobs = [step for step in steps if isinstance(step, Job)]
    total, finished = sum(job.reported for job in jobs), 0
    if on_file is not None:
        on_file(0, total)
    done = iter(lint_in_sets(Linters(linter, replay, cache or Cache(None)), jobs))
    for step in steps:
        if not isinstance(step, Job):
            result.skipped[step[0]] = f"dialect {step[1]} is not supported"
        elif (read := next(done)) is not None:  # None: replayed for context only
            result.add(*read)
            finished += 1
            if on_file is not None:
                on_file(finished, total)
    result.findings = assumed_mode.fold(result.findings, result.contexts, settings)
    result.findings.sort(key=lambda f: f.sort_key)
    return result


def build_catalog(
    paths: Sequence[str | Path],
    settings: Settings | None = None,
    before: Path | None = None,
    into: Catalog | None = None,
) -> Catalog:
    """The PostgreSQL schema the migrations under `paths` build, replayed in order
    (into `into`, a Catalog subclass that records more, when given); with `before`, only
    the migrations applied before that file."""
    settings = settings or Settings()
    replay = Linter([], settings)
    catalog = into if into is not None else Catalog()
    for migration in discover(paths, exclude=settings.exclude, dialect=settings.dialect).files:
        if before is not None and migration.path.resolve() == before.resolve():
            break
        if (settings.dialect or migration.dialect or "postgres") == "postgres":
            replay.lint_file(migration, "postgres", catalog)
    return catalog


def lint_text(text: str, settings: Settings | None = None, path: str = "<sql>") -> list[Finding]:
    """Lint SQL text as one plain migration (used by `explain` examples and tests)."""
    settings = settings or Settings()
    linter = Linter(load_rules(settings.rule_paths).selected(settings), settings)
    info = FileInfo(path=path, dialect=settings.dialect or "postgres")
    return sorted(linter.lint_source(text, info, Catalog()), key=lambda f: f.sort_key)


@dataclass(frozen=True, slots=True)
class Linted:
    """One migration's findings, and why it was not linted to its end (None: it was)."""

    findings: list[Finding]
    unfinished: str | None = None


def parse_statement(stmt: Statement, path: str, dialect: str = "postgres") -> list[ops.Op]:
    """The statement reader the engine gives the SQL front end (imported on first use,
    so that `migralint rules` never loads sqlglot); tests replace it to plant bugs."""
    from migralint.sql.parse import parse_statement as parse

    return parse(stmt, path, dialect)


class Linter:
    """Reads files into Migrations and judges them with a fixed set of rules, each Op
    dispatched to the rules that want it."""

    def __init__(
        self, rules: Sequence[RuleSpec], settings: Settings, contents: Contents | None = None
    ) -> None:
        self.rules = rules
        self.settings = settings
        self.contents = contents or DiskContents(settings.max_file_size)
        self._dispatch: dict[type[ops.Op], list[RuleSpec]] = {}

    def rules_for(self, op_type: type[ops.Op]) -> list[RuleSpec]:
        found = self._dispatch.get(op_type)
        if found is None:
            found = [r for r in self.rules if issubclass(op_type, r.op_types)]
            self._dispatch[op_type] = found
        return found

    def lint_file(self, file: MigrationFile, dialect: str, catalog: Catalog) -> list[Finding]:
        """Read and judge one file: its findings."""
        return self.judge(self.read(file, dialect), catalog).findings

    def read(self, file: MigrationFile, dialect: str) -> Migration:
        """The file as a Migration, by its front end: never raises, never reads what is
        not a regular file."""
        from migralint.frontends import Reading, front_end_for

        try:
            data = self.contents.read(file)
        except InputError as error:
            info = file_context(file, dialect, self.settings)
            return Migration(file, info, "", problem=error.problem, unfinished=error.problem.reason)
        front_end = front_end_for(file)
        deadline = time.monotonic() + self.settings.time_budget
        try:
            reading = Reading(dialect, self.settings, deadline, parse_statement, run=self)
            return front_end.read(file, data, reading)
        except Exception as error:  # a bug of ours must not hide the other files
            info = file_context(file, dialect, self.settings)  # the front end builds its own
            return Migration(file, info, front_end.name, failure=failure(error))

    def judge(self, migration: Migration, catalog: Catalog, new_migration: bool = True) -> Linted:
        """Replay the migration into the catalog and judge its Ops; never raises.
        `new_migration=False`: what the previous file created still counts as new."""
        path = migration.path
        if migration.failure is not None:
            return Linted([internal_error(path, migration.failure)], "internal error")
        deadline = time.monotonic() + self.settings.time_budget
        findings: list[Finding] = []
        try:
            for index, part in enumerate(migration.parts):  # one migration: parts share "new"
                findings += self.judge_part(
                    part, catalog, deadline, migration.comments, new_migration and index == 0
                )
        except _OutOfTime as late:
            return Linted(findings + late.findings, FileTooSlow.reason)
        except Exception as error:  # a bug of ours must not hide the other files
            return Linted([internal_error(path, failure(error))], "internal error")
        if migration.problem is not None:
            findings += self.judge_problem(migration.problem, migration.context)
        if migration.context.tool == "alembic":
            from migralint.alembic.repeats import one_per_place

            findings = one_per_place(findings)
        return Linted(findings, migration.unfinished)

    def judge_problem(self, problem: InputProblem, info: FileInfo) -> list[Finding]:
        """The findings the rule pack reports for a path it could not lint (fully)."""
        ctx = Context(info, Catalog(), Session(False), self.settings)
        found = list(self._judge(problem, ctx, [], self._per_file_ignores(info.path)))
        return self._findings(found)

    def lint_source(
        self,
        text: str,
        info: FileInfo,
        catalog: Catalog,
        leading: Sequence[ops.Op] = (),
        deadline: float | None = None,
    ) -> list[Finding]:
        """Read decoded SQL text as one part and judge it; `leading` Ops (a decoding
        problem) are judged first."""
        from migralint.frontends.sql import read_sql

        part = read_sql(text, info, leading, deadline, parse_statement)
        return self.judge_part(part, catalog, deadline, part.comments)

    def judge_part(
        self,
        part: Part,
        catalog: Catalog,
        deadline: float | None = None,
        comments: tuple[Comment, ...] = (),
        new_migration: bool = True,
    ) -> list[Finding]:
        """Judge one part of a migration and replay it into the catalog. Past the
        `deadline` (time.monotonic()), raises _OutOfTime with the findings so far."""
        info = part.context
        per_file = self._per_file_ignores(info.path)
        findings = [
            internal_error(info.path, s.failure, "reading this statement", s.line)
            for s in part.statements
            if s.failure is not None
        ]
        parsed = [(op, list(s.suppressions)) for s in part.statements for op in s.ops]
        if part.end is not None:
            parsed.append((part.end, []))
        ctx = Context(info, catalog, Session(self._wrapped(info)), self.settings, comments)
        ctx.file_ops = [op for op, _ in parsed]
        if new_migration:
            catalog.start_migration()
        whole_file = list(part.file_suppressions)
        judged: list[Finding | Flagged] = []
        down = info.direction == "down"
        for position, (op, suppressed) in enumerate(parsed):
            self._check_time(
                deadline, lambda: findings + self._findings(judged, down), info, op.loc.line
            )
            ctx.position = position
            if op.runs_if_absent is not None and catalog.holds(op.runs_if_absent):
                continue  # its guard finds the object there: the statement does not run
            try:
                ctx.session.reach(op)
                judged.extend(self._judge(op, ctx, suppressed + whole_file, per_file))
                catalog.lock_timeout.replay(op, ctx)
                ctx.session.apply(op, ctx.tables_locked(op))
                if info.direction not in ("down", "verify"):
                    catalog.apply(op)
            except Exception as error:  # the catalog's bug costs this statement only
                judged.append(
                    internal_error(
                        info.path, failure(error), "replaying this statement", op.loc.line
                    )
                )
        return findings + self._findings(judged, down)

    def settle(self, flagged: list[Flagged]) -> list[Flagged]:
        """The findings of one part, one per cause (see migralint/overlaps.py); a cause
        without a finding is known harmless only when every default rule judged it."""
        s = self.settings
        every_rule = not (s.select or s.ignore or s.extend_ignore or s.squawk_excluded)
        return overlaps.settle(flagged, every_rule)[0]

    def _findings(self, judged: Sequence[Finding | Flagged], down: bool = False) -> list[Finding]:
        """Findings from what `_judge` yielded, each cause once; `down`: of a down
        migration, so each says it is on the rollback path."""
        flagged = [j for j in judged if isinstance(j, tuple)]
        findings = [j for j in judged if isinstance(j, Finding)]
        kept = assumed_mode.counted(flagged, self.settle(flagged))
        return findings + [as_finding(spec, v, down) for spec, v in kept]

    def _check_time(
        self,
        deadline: float | None,
        so_far: Callable[[], list[Finding]],
        info: FileInfo,
        line: int,
    ) -> None:
        """Raise _OutOfTime, with the findings `so_far` and a file-too-slow finding at
        `line`, past the deadline."""
        if deadline is None or time.monotonic() <= deadline:
            return
        message = (
            f"linting stopped at line {line}: the file took longer than its time_budget of "
            f"{self.settings.time_budget:g} s; the rest of it was not checked"
        )
        late = self.judge_problem(FileTooSlow.at(info.path, message, line), info)
        raise _OutOfTime([*so_far(), *late])

    def _wrapped(self, info: FileInfo) -> bool:
        """Does the tool run this file inside one transaction?"""
        if info.transaction in ("per-file", "per-run"):  # per-run: one for every file run
            return True
        if info.transaction == "implicit":  # one multi-statement query: a single one is bare
            return info.statements > 1
        return info.transaction is None and self.settings.assume_in_transaction

    def _judge(
        self,
        op: ops.Op,
        ctx: Context,
        suppressions: Sequence[directives.Suppression],
        per_file: set[str],
    ) -> Iterator[Finding | Flagged]:
        """What every rule that wants the Op flags; a rule that raises is reported."""
        info = ctx.file
        table = ctx.target_table(op)
        new_table = table is not None and ctx.is_new_table(table)
        for spec in self.rules_for(type(op)):
            if (
                info.dialect not in spec.dialects
                or (info.fresh_install and not spec.on_fresh_install)
                or (new_table and not spec.on_new_tables)
                or (info.direction == "down" and not spec.runs_on_down(self.settings.lint_downs))
                or (info.deployment == "offline" and not spec.runs_offline)
                or (info.direction == "verify" and not isinstance(op, _VERIFY_CHECKS))
            ):
                continue
            try:
                violations = list(spec.check(op, ctx))
            except Exception as error:  # one rule's bug must not hide the others' findings
                yield internal_error(info.path, failure(error), f"in rule {spec.id}", op.loc.line)
                continue
            names = {spec.id, *spec.aliases}
            if spec.id in per_file or directives.switched_off(names, suppressions):
                continue
            if spec.reruns and violations and rests_on_assumed_mode(op, ctx):
                violations = [replace(v, assumed_reruns=1) for v in violations]
            yield from ((spec, overlaps.held_lock_cause(spec, v, ctx)) for v in violations)

    def _per_file_ignores(self, path: str) -> set[str]:
        ignored = {
            name
            for pattern, names in self.settings.per_file_ignores.items()
            if path_matches(path, pattern)
            for name in names
        }
        rules_by_name = {n: r.id for r in self.rules for n in (r.id, *r.aliases)}
        return {rules_by_name.get(n, n) for n in ignored}


ON_ROLLBACK = "on rollback (down migration): "


def as_finding(spec: RuleSpec, v: Violation, down: bool = False) -> Finding:
    """The finding a rule's violation makes: its rule, severity and place; in a down
    migration (`down`), its message says it is on the rollback path, unless the rule's
    own wording does."""
    loc = v.op.loc
    line = v.line or loc.line
    column = v.column or loc.column
    end_line, end_column = (loc.end_line, loc.end_column) if v.line is None else (line, column)
    message = v.message
    if down and "rollback" not in message:
        message = ON_ROLLBACK + message
    return Finding(
        spec.id,
        spec.severity,
        message,
        v.help,
        loc.path,
        line,
        column,
        end_line,
        end_column,
        v.assumed_reruns,
    )


_VERIFY_CHECKS = (ops.Unparsed, InputProblem)
"""What a verify script (sqitch's verify/, which only checks a deploy and changes
nothing) is judged for: syntax and input problems."""


class _OutOfTime(Exception):
    """A file ran past its time budget; carries the findings up to that point."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings


INTERNAL_ERROR_HELP = (
    f"This is a bug in migralint {__version__}, not in the migration: please report it with "
    "this file attached; the other statements and files were linted."
)


def internal_error(path: str, detail: str, where: str = "", line: int = 1) -> Finding:
    """The finding for a bug of ours (`detail`: see migration.failure): never a
    traceback, never a syntax error."""
    place = f" {where}" if where else ""
    message = f"migralint failed{place}: {detail}"
    return Finding(
        "internal-error", Severity.ERROR, message, INTERNAL_ERROR_HELP, path, line, 1, line, 1
    )
