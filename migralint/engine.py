"""The lint run: files → statements → Ops → rules → findings.

Each migration set is replayed in order into its own catalog, one stream per dialect,
so rules can ask what earlier migrations built. Every file is linted even when others
fail: a file that cannot be read or parsed yields findings, never an exception. Every
path found is accounted for: linted, or a finding (its `InputProblem`) and `skipped`.
A file gets `time_budget` seconds; a rule that raises is an `internal-error` finding.
"""

from __future__ import annotations

import codecs
import fnmatch
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from migralint import __version__, directives
from migralint.config import EVERY_FILE, Settings, find_config, load_settings, trusting
from migralint.context import Context, FileInfo
from migralint.findings import Finding, Severity
from migralint.problems import FileTooSlow, InputProblem, NonUtf8File, UnreadableFile
from migralint.rule import RuleSpec, Violation
from migralint.rulepack import RuleSet, load_rules
from migralint.schema import Catalog
from migralint.session import Session
from migralint.sources.discover import discover
from migralint.sources.files import InputError, read_file
from migralint.sources.layout import MigrationFile, Section, looks_like_schema_dump, sections
from migralint.sql import ops
from migralint.sql.parse import parse_statement
from migralint.sql.split import SplitResult, split_statements
from migralint.sql.statements import Comment

SUPPORTED_DIALECTS = ("postgres", "mysql", "sqlite", "cockroach")


@dataclass
class LintResult:
    """Findings plus an account of every file: linted, or skipped and why."""

    findings: list[Finding] = field(default_factory=list)
    files_linted: int = 0
    skipped: dict[str, str] = field(default_factory=dict)  # path → reason
    missing: tuple[str, ...] = ()
    unusable: tuple[tuple[str, str], ...] = ()  # given paths that cannot be used: (path, why)
    sources: dict[str, str] = field(default_factory=dict)  # path → the text that was linted
    contexts: list[FileInfo] = field(default_factory=list)  # how each migration runs

    def fails(self, at: Severity = Severity.ERROR) -> bool:
        return any(f.severity >= at for f in self.findings)


def settings_for(
    paths: Sequence[str | Path], config: Path | None = None, *, load_rule_paths: bool | None = None
) -> Settings:
    """Settings from the given file, or from the one found above the first path.

    Its `rule_paths` are kept only when `load_rule_paths` (None: the environment, see
    `config.trusting`) enables them; `config.rule_paths_notice` says what was left out.
    """
    found = config or find_config(Path(paths[0]) if paths else Path.cwd())
    return trusting(load_settings(found) if found else Settings(), load_rule_paths)


def lint_paths(
    paths: Sequence[str | Path], settings: Settings | None = None, rules: RuleSet | None = None
) -> LintResult:
    """Lint migration files and folders; raises ConfigError for bad settings only."""
    settings = settings if settings is not None else settings_for(paths)
    ruleset = rules if rules is not None else load_rules(settings.rule_paths)
    linter = Linter(ruleset.selected(settings), settings)
    found = discover(paths, exclude=settings.exclude, fresh_install_globs=settings.fresh_install)
    result = LintResult(missing=found.missing, unusable=found.unusable)
    for problem in found.rejected:
        info = FileInfo(path=problem.loc.path, dialect=settings.dialect or "postgres")
        result.findings.extend(linter.judge_problem(problem, info))
        result.skipped[problem.loc.path] = problem.reason
    catalogs: dict[tuple[Path, str], Catalog] = defaultdict(Catalog)
    for migration in found.files:
        dialect = settings.dialect or migration.dialect or "postgres"
        if dialect not in SUPPORTED_DIALECTS:
            result.skipped[str(migration.path)] = f"dialect {dialect} is not supported"
            continue
        catalog = catalogs[(migration.set_root, dialect)]
        linted = linter.lint_migration(migration, dialect, catalog)
        result.findings.extend(linted.findings)
        result.contexts.extend(linted.infos)
        if linted.text is not None:
            result.sources[str(migration.path)] = linted.text
        if linted.unfinished:
            result.skipped[str(migration.path)] = linted.unfinished
        else:
            result.files_linted += 1
    result.findings.sort(key=lambda f: f.sort_key)
    return result


def build_catalog(
    paths: Sequence[str | Path], settings: Settings | None = None, before: Path | None = None
) -> Catalog:
    """The PostgreSQL schema the migrations under `paths` build, replayed in order;
    with `before`, only the migrations applied before that file."""
    settings = settings or Settings()
    replay = Linter([], settings)
    catalog = Catalog()
    for migration in discover(paths, exclude=settings.exclude).files:
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
    """One file's findings; why it was not linted to its end (None: it was); its text;
    how each of its sections runs."""

    findings: list[Finding]
    infos: tuple[FileInfo, ...]
    unfinished: str | None = None
    text: str | None = None  # None when the file was not read


class Linter:
    """Runs a fixed set of rules over files; dispatches each Op to the rules that want it."""

    def __init__(self, rules: Sequence[RuleSpec], settings: Settings) -> None:
        self.rules = rules
        self.settings = settings
        self._dispatch: dict[type[ops.Op], list[RuleSpec]] = {}

    def rules_for(self, op_type: type[ops.Op]) -> list[RuleSpec]:
        found = self._dispatch.get(op_type)
        if found is None:
            found = [r for r in self.rules if issubclass(op_type, r.op_types)]
            self._dispatch[op_type] = found
        return found

    def lint_file(self, migration: MigrationFile, dialect: str, catalog: Catalog) -> list[Finding]:
        return self.lint_migration(migration, dialect, catalog).findings

    def lint_migration(self, migration: MigrationFile, dialect: str, catalog: Catalog) -> Linted:
        """Read and lint one file: never raises, never reads what is not a regular file."""
        info = self.run_context(migration, dialect)
        path = info.path
        try:
            data = read_file(path, self.settings.max_file_size)
        except InputError as error:
            return Linted(self.judge_problem(error.problem, info), (info,), error.problem.reason)
        if b"\x00" in data[:8192]:
            problem = UnreadableFile.at(path, _binary(data))
            return Linted(self.judge_problem(problem, info), (info,), problem.reason)
        text, decoding = _decode(data, path)
        if not info.fresh_install and looks_like_schema_dump(text[:2048]):
            info = replace(info, fresh_install=True, fresh_reason="a schema dump (its header)")
        parts = [(text, info)]
        if found := sections(info.tool, text):
            fresh = {"fresh_install": info.fresh_install, "fresh_reason": info.fresh_reason}
            parts = [
                (s.text, replace(self.run_context(migration, dialect, s), **fresh)) for s in found
            ]
        infos = tuple(i for _, i in parts)
        deadline = time.monotonic() + self.settings.time_budget
        findings: list[Finding] = []
        try:
            for part, part_info in parts:
                findings += self.lint_source(part, part_info, catalog, decoding, deadline)
                decoding = ()
            return Linted(findings, infos, None, text)
        except _OutOfTime as late:
            return Linted(findings + late.findings, infos, FileTooSlow.reason, text)
        except Exception as error:  # a bug of ours must not hide the other files
            return Linted([internal_error(path, error)], infos, "internal error", text)

    def run_context(
        self,
        migration: MigrationFile,
        dialect: str,
        section: Section | None = None,
    ) -> FileInfo:
        """How the tool runs the file (or one `section` of it), from the layout overridden
        by the configuration."""
        path = str(migration.path)
        transaction, transaction_reason = migration.transaction, migration.transaction_reason
        if section is not None:
            transaction, transaction_reason = section.transaction, section.transaction_reason
        if configured := _matching(self.settings.transaction, path):
            pattern, transaction = configured
            transaction_reason = f"config: transaction {pattern!r}"
        deployment, deployment_reason = "online", ""
        if configured := _matching(self.settings.deployment, path):
            pattern, deployment = configured
            deployment_reason = (
                f"configured (deployment = {deployment!r} or --deployment)"
                if pattern == EVERY_FILE
                else f"config: deployment {pattern!r}"
            )
        return FileInfo(
            path=path,
            tool=migration.tool,
            direction=section.direction if section else migration.direction,
            dialect=dialect,
            transaction=transaction,
            fresh_install=migration.fresh_install,
            deployment=deployment,
            set_root=str(migration.set_root),
            transaction_reason=transaction_reason,
            fresh_reason=migration.fresh_reason,
            deployment_reason=deployment_reason,
        )

    def judge_problem(self, problem: InputProblem, info: FileInfo) -> list[Finding]:
        """The findings the rule pack reports for a path it could not lint (fully)."""
        ctx = Context(info, Catalog(), Session(False), self.settings)
        return list(self._judge(problem, ctx, [], self._per_file_ignores(info.path)))

    def lint_source(
        self,
        text: str,
        info: FileInfo,
        catalog: Catalog,
        leading: Sequence[ops.Op] = (),
        deadline: float | None = None,
    ) -> list[Finding]:
        """Lint decoded text; `leading` Ops (a decoding problem) are judged first. Past
        the `deadline` (time.monotonic()), raises _OutOfTime with the findings so far."""
        split = split_statements(text, info.dialect)
        info = replace(info, statements=len(split.statements))
        info = _with_phase(info, split.comments)
        file_suppressions = [s for s in directives.suppressions(split.comments) if s.whole_file]
        per_file = self._per_file_ignores(info.path)
        parsed: list[tuple[ops.Op, list[directives.Suppression]]] = [(op, []) for op in leading]
        findings: list[Finding] = []
        for stmt in split.statements:
            self._check_time(deadline, findings, info, stmt.line)
            suppressed = [s for s in directives.suppressions(stmt.comments) if not s.whole_file]
            try:
                found = _with_block_contents(parse_statement(stmt, info.path, info.dialect), info)
            except Exception as error:  # a reader's bug costs this statement only
                findings.append(
                    internal_error(info.path, error, "reading this statement", stmt.line)
                )
                continue
            parsed.extend((op, suppressed) for op in found)
        parsed.append((_end_of_file(text, info.path), []))
        ctx = Context(info, catalog, Session(self._wrapped(info, split)), self.settings)
        ctx.file_ops = [op for op, _ in parsed]
        catalog.start_migration()
        for position, (op, suppressed) in enumerate(parsed):
            self._check_time(deadline, findings, info, op.loc.line)
            ctx.position = position
            try:
                findings.extend(self._judge(op, ctx, suppressed + file_suppressions, per_file))
                ctx.session.apply(op, ctx.target_table(op))
                if info.direction != "down":
                    catalog.apply(op)
            except Exception as error:  # the catalog's bug costs this statement only
                findings.append(
                    internal_error(info.path, error, "replaying this statement", op.loc.line)
                )
        return findings

    def _check_time(
        self, deadline: float | None, findings: list[Finding], info: FileInfo, line: int
    ) -> None:
        """Raise _OutOfTime, with a file-too-slow finding at `line`, past the deadline."""
        if deadline is None or time.monotonic() <= deadline:
            return
        message = (
            f"linting stopped at line {line}: the file took longer than its time_budget of "
            f"{self.settings.time_budget:g} s; the rest of it was not checked"
        )
        late = self.judge_problem(FileTooSlow.at(info.path, message, line), info)
        raise _OutOfTime([*findings, *late])

    def _wrapped(self, info: FileInfo, split: SplitResult) -> bool:
        """Does the tool run this file inside one transaction?"""
        if info.transaction == "per-file":
            return True
        if info.transaction == "implicit":  # one multi-statement query: a single one is bare
            return len(split.statements) > 1
        return info.transaction is None and self.settings.assume_in_transaction

    def _judge(
        self,
        op: ops.Op,
        ctx: Context,
        suppressions: Sequence[directives.Suppression],
        per_file: set[str],
    ) -> Iterator[Finding]:
        """The findings of every rule that wants the Op; a rule that raises is reported."""
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
            ):
                continue
            try:
                violations = list(spec.check(op, ctx))
            except Exception as error:  # one rule's bug must not hide the others' findings
                yield internal_error(info.path, error, f"in rule {spec.id}", op.loc.line)
                continue
            names = {spec.id, *spec.aliases}
            if spec.id in per_file or _suppressed(names, suppressions):
                continue
            yield from (_finding(spec, v) for v in violations)

    def _per_file_ignores(self, path: str) -> set[str]:
        ignored = {
            name
            for pattern, names in self.settings.per_file_ignores.items()
            if _path_matches(path, pattern)
            for name in names
        }
        rules_by_name = {n: r.id for r in self.rules for n in (r.id, *r.aliases)}
        return {rules_by_name.get(n, n) for n in ignored}


def _with_block_contents(found: list[ops.Op], info: FileInfo) -> list[ops.Op]:
    """The Ops of a statement, each DO block followed by the plain DDL inside it."""
    if not any(isinstance(op, ops.DoBlock) for op in found):
        return found
    from migralint.sql.blocks import guard, inner_statements

    expanded: list[ops.Op] = []
    for op in found:
        expanded.append(op)
        if isinstance(op, ops.DoBlock):
            for stmt, guarded in inner_statements(op):
                expanded.extend(guard(parse_statement(stmt, info.path, info.dialect), guarded))
    return expanded


def _end_of_file(text: str, path: str) -> ops.EndOfFile:
    """An Op at the file's last line, for rules about the file as a whole."""
    line = max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
    return ops.EndOfFile(loc=ops.Location(path, line, 1, line, 1))


def _path_matches(path: str, pattern: str) -> bool:
    return fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, f"*/{pattern}")


def _matching(table: Mapping[str, str], path: str) -> tuple[str, str] | None:
    """The first (glob, value) of `table` whose glob matches the path."""
    return next((item for item in table.items() if _path_matches(path, item[0])), None)


def _with_phase(info: FileInfo, comments: Sequence[Comment]) -> FileInfo:
    phase = directives.phase(comments)
    return replace(info, phase=phase) if phase else info


def _suppressed(names: set[str], suppressions: Sequence[directives.Suppression]) -> bool:
    return any(directives.ALL in s.names or names & s.names for s in suppressions)


def _finding(spec: RuleSpec, v: Violation) -> Finding:
    loc = v.op.loc
    line = v.line or loc.line
    column = v.column or loc.column
    end_line, end_column = (loc.end_line, loc.end_column) if v.line is None else (line, column)
    return Finding(
        spec.id, spec.severity, v.message, v.help, loc.path, line, column, end_line, end_column
    )


class _OutOfTime(Exception):
    """A file ran past its time budget; carries the findings up to that point."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings


INTERNAL_ERROR_HELP = (
    f"This is a bug in migralint {__version__}, not in the migration: please report it with "
    "this file attached; the other statements and files were linted."
)


def internal_error(path: str, error: Exception, where: str = "", line: int = 1) -> Finding:
    """The finding for an exception of ours: never a traceback, never a syntax error."""
    detail = str(error)
    detail = detail if len(detail) <= 200 else detail[:199] + "…"
    place = f" {where}" if where else ""
    message = f"migralint failed{place}: {type(error).__name__}: {detail}"
    return Finding(
        "internal-error", Severity.ERROR, message, INTERNAL_ERROR_HELP, path, line, 1, line, 1
    )


def _binary(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "saved as UTF-16, which the database client does not read: not linted"
    return "binary file, not SQL: not linted"


def _decode(data: bytes, path: str) -> tuple[str, tuple[ops.Op, ...]]:
    """UTF-8 text; other encodings are read leniently and reported once."""
    try:
        return data.decode("utf-8-sig"), ()
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        message = f"not valid UTF-8 (byte 0x{data[error.start]:02x}); read as Latin-1"
        return data.decode("latin-1"), (NonUtf8File.at(path, message, line, column),)
