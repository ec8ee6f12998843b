"""`plan --from`: a migration cut into the actions it performs, each with its findings.

The file is linted as `migralint check` lints it; a recording linter notes which rules
flag which Op (the engine's findings only carry lines, and every action of an
`ALTER TABLE` shares its statement's line). A statement with an action to plan is cut
into its actions: an `ALTER TABLE` with several becomes one `ALTER TABLE <head> <action>`
per action, parsed again on its own and checked against the Ops of the whole statement,
so a cut that reads differently is refused rather than guessed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from migralint import overlaps
from migralint.config import Settings
from migralint.context import Context
from migralint.engine import Linter, as_finding
from migralint.findings import Finding, Severity
from migralint.overlaps import Flagged
from migralint.plan.model import PlanError
from migralint.rule import RuleSpec, Violation
from migralint.schema import Catalog
from migralint.sources.layout import MigrationFile, sections
from migralint.sql import ops
from migralint.sql.alter_actions import HEAD, split_actions
from migralint.sql.parse import parse_statement
from migralint.sql.split import split_statements
from migralint.sql.statements import Statement

OpId = tuple[int, int]  # (statement index, Op index within the statement) in the source


@dataclass(frozen=True)
class Unit:
    """An action of the source: planned, kept or refused as a whole."""

    line: int
    statement_line: int  # the line of the statement it is part of
    text: str  # the SQL that performs it on its own
    ops: tuple[ops.Op, ...]
    flags: tuple[frozenset[str], ...]  # per Op: the rules whose findings on it stand
    covers: frozenset[OpId]
    errors: tuple[str, ...] = ()  # the rules that flag it at error severity
    note: str = ""  # why it is kept although flagged


class _Recorder(Linter):
    """A Linter that also remembers which rules flagged which Op (a finding for a whole
    statement flags each Op it covers), and the file's Ops."""

    def __init__(self, rules: Sequence[RuleSpec], settings: Settings) -> None:
        super().__init__(rules, settings)
        self.flagged: dict[int, set[str]] = {}  # id(Op) → rule ids
        self.parts: list[list[ops.Op]] = []  # the Ops of each section linted (dbmate, goose)
        self.folded: list[Finding] = []  # findings another finding of one cause stands for
        self._recording: dict[str, RuleSpec] = {}

    def settle(self, flagged: list[Flagged]) -> list[Flagged]:
        """One finding per cause, as `check` reports; the dropped ones still flag their
        Ops here, so a statement is planned as it is without the overlap."""
        kept, dropped = overlaps.settle(flagged)
        self.folded += [as_finding(spec, v) for spec, v in dropped]
        return kept

    def rules_for(self, op_type: type[ops.Op]) -> list[RuleSpec]:
        return [self._recorded(spec) for spec in super().rules_for(op_type)]

    def _recorded(self, spec: RuleSpec) -> RuleSpec:
        """The rule, with a check that notes the Ops it flags."""
        if spec.id not in self._recording:

            def check(op: ops.Op, ctx: Context) -> Iterator[Violation]:
                if not any(part is ctx.file_ops for part in self.parts):
                    self.parts.append(ctx.file_ops)
                for violation in spec.check(op, ctx):
                    for flagged in (op, *violation.covers):
                        self.flagged.setdefault(id(flagged), set()).add(spec.id)
                    yield violation

            self._recording[spec.id] = dataclasses.replace(spec, check=check)
        return self._recording[spec.id]


# Findings saying the file was not read or linted to its end.
_NOT_LINTED = frozenset({"internal-error", "file-too-slow", "file-too-large", "unreadable-file"})

Plannable = Callable[[ops.Op, frozenset[str]], bool]


def units(
    migration: MigrationFile,
    dialect: str,
    catalog: Catalog,
    settings: Settings,
    text: str,
    plannable: Plannable,
) -> list[Unit]:
    """Every statement of the file as one unit, or as one unit per action when one of
    its actions is to be planned; each Op of the file is in exactly one unit."""
    from migralint.rulepack import load_rules

    recorder = _Recorder(load_rules(settings.rule_paths).selected(settings), settings)
    findings = recorder.lint_file(migration, dialect, catalog)
    for f in findings:
        if f.rule in _NOT_LINTED:  # the Ops after it would be kept unseen
            raise PlanError(f"line {f.line}: {f.message}")
    file_ops = [op for part in recorder.parts for op in part if not isinstance(op, ops.EndOfFile)]
    path = str(migration.path)
    found: list[Unit] = []
    for s, stmt in enumerate(_up_statements(migration, text, dialect)):
        start, end = (stmt.line, stmt.column), (stmt.end_line, stmt.end_column)
        stmt_ops = [op for op in file_ops if start <= (op.loc.line, op.loc.column) <= end]
        if not stmt_ops:
            stmt_ops = parse_statement(stmt, path, dialect)
        here = [f for f in findings + recorder.folded if start <= (f.line, f.column) <= end]
        # Suppressions apply to a whole statement: a rule's finding on it stands for every
        # Op of it that the rule flagged.
        flags = tuple(
            frozenset(recorder.flagged.get(id(op), set()) & {f.rule for f in here})
            for op in stmt_ops
        )
        errors = frozenset(f.rule for f in here if f.severity >= Severity.ERROR)
        for unit in _statement_units(s, stmt, stmt_ops, flags, path, dialect, plannable):
            mine = errors & frozenset().union(*unit.flags)
            found.append(dataclasses.replace(unit, errors=tuple(sorted(mine))))
    return found


def _up_statements(migration: MigrationFile, text: str, dialect: str) -> list[Statement]:
    """The statements the tool runs on the way up: a dbmate or goose file's down section
    is not part of them (its positions stay the file's)."""
    found = sections(migration.tool, text)
    if found is None:
        return list(split_statements(text, dialect).statements)
    return [
        stmt
        for section in found
        if section.direction == "up"
        for stmt in split_statements(section.text, dialect).statements
    ]


def _statement_units(
    s: int,
    stmt: Statement,
    stmt_ops: list[ops.Op],
    flags: tuple[frozenset[str], ...],
    path: str,
    dialect: str,
    plannable: Plannable,
) -> list[Unit]:
    whole = Unit(
        stmt.line,
        stmt.line,
        stmt.text,
        tuple(stmt_ops),
        flags,
        frozenset((s, k) for k in range(len(flags))),
    )
    to_plan = [plannable(op, f) for op, f in zip(stmt_ops, flags, strict=True)]
    if isinstance(stmt_ops[0], ops.DoBlock):
        return [dataclasses.replace(whole, note="inside a DO block") if any(to_plan) else whole]
    if len(stmt_ops) == 1 or not any(to_plan):
        return [whole]
    actions = _alter_table_actions(s, stmt, stmt_ops, flags, path, dialect)
    if actions is not None:
        for unit in actions:
            if len(unit.ops) > 1 and any(to_plan[k] for _, k in unit.covers):
                raise PlanError(
                    f"line {unit.line}: this action does several things; write each as an "
                    "action of its own, then plan the file"
                )
        return actions
    if all(to_plan) and _head(stmt) is None:  # DROP INDEX a, b: one plan per object
        return [
            Unit(stmt.line, stmt.line, stmt.text, (op,), (f,), frozenset({(s, k)}))
            for k, (op, f) in enumerate(zip(stmt_ops, flags, strict=True))
        ]
    raise PlanError(
        f"line {stmt.line}: this statement does several things and cannot be cut into "
        "statements of its own that read the same; write one statement per action, then "
        "plan the file"
    )


def _head(stmt: Statement) -> str | None:
    """`ALTER TABLE [IF EXISTS] [ONLY] name ` as written, if the statement is one."""
    head = HEAD.match(stmt.text)
    return stmt.text[: head.start("actions")] if head else None


def _alter_table_actions(
    s: int,
    stmt: Statement,
    stmt_ops: list[ops.Op],
    flags: tuple[frozenset[str], ...],
    path: str,
    dialect: str,
) -> list[Unit] | None:
    """One unit per action of a multi-action ALTER TABLE, or None if the statement is no
    such ALTER TABLE or its actions, parsed one by one, do not read as the whole does."""
    head = HEAD.match(stmt.text)
    if head is None:
        return None
    actions = split_actions(head["actions"])
    if len(actions) < 2:
        return None
    prefix = stmt.text[: head.start("actions")]
    pieces: list[tuple[Statement, list[ops.Op]]] = []
    for offset, action in actions:
        start = head.start("actions") + offset
        before = stmt.text[:start]
        line = stmt.line + before.count("\n")
        column = start - before.rfind("\n") if "\n" in before else stmt.column + start
        piece = Statement(
            prefix + action,
            stmt.offset + start,
            stmt.offset + start + len(action),
            line,
            column,
            line + action.count("\n"),
            column,
        )
        try:
            pieces.append((piece, parse_statement(piece, path, dialect)))
        except Exception:  # a reader's bug on the piece: do not cut this statement
            return None
    if [_bare(op) for _, found in pieces for op in found] != [_bare(op) for op in stmt_ops]:
        return None
    cut: list[Unit] = []
    k = 0
    for piece, found in pieces:
        n = len(found)
        ids = frozenset((s, i) for i in range(k, k + n))
        cut.append(Unit(piece.line, stmt.line, piece.text, tuple(found), flags[k : k + n], ids))
        k += n
    return cut


_NOWHERE = ops.Location("", 0, 0, 0, 0)


def _bare(op: ops.Op) -> ops.Op:
    """The Op without its location, to compare what two readings say."""
    return dataclasses.replace(op, loc=_NOWHERE)
