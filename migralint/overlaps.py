"""One finding per cause: when two rules flag one cause, the finding that says more
stands for both.

`OVERLAPS` declares each pair: the rule whose finding is dropped, the rules whose
finding then stands for it, and where the two must meet: one statement, anywhere in
the migration, or the earlier statement the dropped finding names as its cause
(`caused_by`). A finding is dropped only when one kept finding is at least as severe
(the exit code never changes) and, on one statement or in the migration, is about
everything it is about (its `about`, else the `table.column` or table keys of its Ops)
or reports its `cause`; the dropped finding's `aside`, when it has
one, is added to the kept message. Then one rule's findings about one table are one
(migralint/folding.py). `plan --from` still plans the Ops of a dropped or folded
finding (its recorder keeps them: see migralint/plan/from_file_units.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from migralint import folding
from migralint.checks.locking import held_by_earlier, work_under_lock
from migralint.context import Context
from migralint.rule import RuleSpec, Violation
from migralint.sql import ops

Flagged = tuple[RuleSpec, Violation]

STATEMENT = "statement"
MIGRATION = "migration"
CAUSE = "the statement it is caused by"  # the dropped finding's `caused_by`
EARLIER = "an earlier statement of the part"
ANY_RULE = frozenset({"*"})
LOCK_WAIT = "lock wait without lock_timeout"  # a `cause`


@dataclass(frozen=True)
class Overlap:
    """A finding of `dropped` that a finding of one of `kept` stands for, met in `scope`;
    with a `cause`, one of the dropped rule's findings reporting that cause, which the
    kept rule reports for the migration as a whole."""

    dropped: str
    kept: frozenset[str]
    scope: str
    why: str
    cause: str = ""  # set: only a finding reporting this `cause`, whatever it is about
    # CAUSE scope: dropped too when its cause has no finding (the cause's lock was judged
    # harmless, and the dropped finding adds no work of its own under it)
    harmless_alone: bool = False


# Rules whose finding on a statement says what the statement itself does under its
# lock: the lock a statement earlier in its transaction holds is the same cause.
_OWN_LOCK_RULES = frozenset(
    {
        "adding-exclusion-constraint",
        "adding-field-with-default",
        "adding-foreign-key-constraint",
        "adding-generated-column",
        "adding-primary-key",
        "adding-unique-constraint",
        "changing-column-type",
        "cluster-table",
        "constraint-missing-not-valid",
        "refresh-materialized-view",
        "require-concurrent-index-creation",
        "require-concurrent-index-deletion",
        "require-concurrent-reindex",
        "setting-not-null",
        "vacuum-full",
    }
)

OVERLAPS: tuple[Overlap, ...] = (
    Overlap(
        "drop-column",
        frozenset({"expand-contract-coupled"}),
        STATEMENT,
        "the column's data lives on in its replacement; what breaks is release N-1, "
        "which the coupled finding says and plans",
    ),
    Overlap(
        "drop-table",
        frozenset({"expand-contract-coupled"}),
        STATEMENT,
        "the table's rows were copied into its replacement; what breaks is release N-1",
    ),
    Overlap(
        "rename-column",
        frozenset({"expand-contract-coupled"}),
        STATEMENT,
        "the rename is half of a replacement: the coupled finding names both halves",
    ),
    Overlap(
        "rename-table",
        frozenset({"expand-contract-coupled"}),
        STATEMENT,
        "the rename is half of a replacement: the coupled finding names both halves",
    ),
    Overlap(
        "new-column-made-required",
        frozenset({"expand-contract-coupled"}),
        MIGRATION,
        "the required column replaces one this migration removes: release N-1 fails on "
        "the removal, and its INSERTs write the old column, not the new one",
    ),
    Overlap(
        "setting-not-null",
        frozenset({"new-column-made-required"}),
        STATEMENT,
        "the column is new: giving it a default in its ADD COLUMN (instant) or making it "
        "required a release later fixes the broken INSERTs and the scan at once",
    ),
    Overlap(
        "statements-after-access-exclusive",
        _OWN_LOCK_RULES,
        STATEMENT,
        "the statement's own locking finding says what it does; the lock held since an "
        "earlier statement is added to its message",
    ),
    Overlap(
        "require-concurrent-index-deletion",
        ANY_RULE,
        CAUSE,
        "the table is locked since an earlier statement of the transaction, whose finding "
        "is the cause: until commit the drop waits for no one and blocks no one more",
        harmless_alone=True,
    ),
    Overlap(
        "drop-sequence",
        frozenset({"drop-table"}),
        MIGRATION,
        "the sequence numbers a table the migration drops: what breaks is that table, "
        "whose finding says so, and no ids of it are left for a new sequence to reuse",
    ),
    Overlap(
        "statements-after-access-exclusive",
        frozenset({"require-lock-timeout"}),
        MIGRATION,
        "waiting with no lock_timeout for another table's lock is the missing "
        "lock_timeout, whose fix (SET lock_timeout) ends both findings",
        cause=LOCK_WAIT,
    ),
)

# Locking findings whose whole cost, on a table already held, is holding it longer: not a
# foreign key (it also locks the table it references), not a DROP INDEX (its own pair).
_HELD_LOCK_WORK = _OWN_LOCK_RULES - {
    "adding-foreign-key-constraint",
    "require-concurrent-index-deletion",
}

# A locking finding on a table an earlier statement of the transaction holds ACCESS
# EXCLUSIVE on already (see held_lock_cause): the earlier statement's own locking
# finding is the cause, and the later work only keeps its lock longer.
OVERLAPS += tuple(
    Overlap(
        rule,
        _OWN_LOCK_RULES,
        CAUSE,
        "the table is locked since an earlier statement of the transaction, whose own "
        "locking finding is the cause: this statement's work keeps that lock held longer, "
        "which the kept finding names",
    )
    for rule in sorted(_HELD_LOCK_WORK)
)

# An index a statement builds while the same statement rewrites its table: one lock,
# one wait, the rewrite's finding says it.
OVERLAPS += tuple(
    Overlap(
        rule,
        frozenset({"adding-field-with-default", "adding-generated-column", "changing-column-type"}),
        STATEMENT,
        "the statement rewrites the table under ACCESS EXCLUSIVE, and builds the index "
        "under that same lock: the rewrite's finding is the cause",
    )
    for rule in ("adding-primary-key", "adding-unique-constraint")
)

# Re-run findings of statements that fail on a second run: the tool stops at the first
# (every tool stops a file at its first failing statement), so a later one is met only
# once the first is guarded; the first finding names it.
_STOPS_A_RERUN = frozenset(
    {
        "add-column-without-if-not-exists",
        "add-enum-value-without-if-not-exists",
        "create-trigger-without-drop",
        "create-type-without-guard",
        "create-without-if-not-exists",
        "create-without-or-replace",
        "drop-without-if-exists",
    }
)
OVERLAPS += tuple(
    Overlap(
        rule,
        _STOPS_A_RERUN,
        EARLIER,
        "a re-run stops at the first statement that fails; this one fails only once that "
        "one is guarded, and the first finding names it",
    )
    for rule in sorted(_STOPS_A_RERUN)
)

_BY_DROPPED: dict[str, list[Overlap]] = {}
for _overlap in OVERLAPS:
    _BY_DROPPED.setdefault(_overlap.dropped, []).append(_overlap)


def subjects(v: Violation) -> frozenset[str]:
    """What a finding is about: its `about`, else the `table.column` (or table, or
    object) keys of its Ops."""
    return frozenset(v.about or (_subject(op) for op in (v.op, *v.covers)))


def _subject(op: ops.Op) -> str:
    column = getattr(op, "column", None)
    name = column.name if isinstance(column, ops.Column) else column
    table = getattr(op, "table", None)
    if isinstance(table, ops.Name):
        return f"{table.key}.{name}" if isinstance(name, str) else table.key
    return str(getattr(op, "name", type(op).__name__))


def _statement(op: ops.Op) -> tuple[str, int, int]:
    loc = op.loc
    return loc.path, loc.line, loc.column


def settle(
    flagged: Sequence[Flagged], every_rule: bool = True
) -> tuple[list[Flagged], list[Flagged]]:
    """(kept, dropped): the findings of one migration part, each cause once, in order;
    the kept ones carry the asides of those they stand for, and name the findings of
    their rule and table they fold (migralint/folding.py). `every_rule`: every default
    rule judged the part, so a cause with no finding is harmless (`harmless_alone`)."""
    found = _Found(flagged, every_rule)
    target: dict[int, int] = {}
    alone: set[int] = set()  # dropped with nothing standing for them (`harmless_alone`)
    for i, (spec, _) in enumerate(flagged):
        j = found.standing_for(i, spec)
        if j == _ALONE:
            alone.add(i)
        elif j is not None:
            target[i] = j
    survivors = [i for i in range(len(flagged)) if i not in target and i not in alone]
    folds = folding.groups([flagged[i] for i in survivors])
    folded = {survivors[r]: [survivors[o] for o in others] for r, others in folds.items()}
    into = {o: r for r, others in folded.items() for o in others}
    asides: dict[int, dict[str, int]] = {}  # root → aside → the line it is about
    remedies: dict[int, dict[str, None]] = {}  # root → what ends them, each once
    reruns: dict[int, list[tuple[int, str]]] = {}
    for i in sorted(target, key=lambda i: found.statements[i]):
        root = i
        while root in target:  # a chain ends: the table has no cycle (tested)
            root = target[root]
        root = into.get(root, root)
        v = flagged[i][1]
        cites = v.aside_cites
        # an aside about the lock of its cause joins only the cause's own finding
        elsewhere = v.caused_by is not None and _statement(v.caused_by) != found.statements[root]
        if elsewhere:
            continue
        if v.aside and (cites is None or _statement(cites) != found.statements[root]):
            asides.setdefault(root, {}).setdefault(v.aside, (cites or v.op).loc.line)
            if v.aside_remedy:
                remedies.setdefault(root, {})[v.aside_remedy] = None
        elif not v.aside and flagged[i][0].id in _STOPS_A_RERUN:
            reruns.setdefault(root, []).append(_rerun_stop(v))
    notes = {
        root: _listed_asides(found, list(remedies.get(root, ()))) for root, found in asides.items()
    }
    for root, stops in reruns.items():
        notes.setdefault(root, []).append(_rerun_aside(sorted(set(stops))))
    kept = []
    for i in survivors:
        if i in into:
            continue
        spec, v = flagged[i]
        if i in folded:
            v = folding.standing_for(v, [flagged[o][1] for o in folded[i]])
        kept.append((spec, _with_asides(v, notes.get(i, []))))
    return kept, [f for i, f in enumerate(flagged) if i in target or i in into or i in alone]


class _Found:
    """The findings of a part, indexed by statement and by rule, so that finding the one
    that stands for each takes time in proportion to the findings it may meet."""

    def __init__(self, flagged: Sequence[Flagged], every_rule: bool = True) -> None:
        self.flagged = flagged
        self.every_rule = every_rule
        self.subjects = [subjects(v) for _, v in flagged]
        self.statements = [_statement(v.op) for _, v in flagged]
        self.by_statement: dict[tuple[str, int, int], list[int]] = {}
        self.by_rule: dict[str, list[int]] = {}
        self._firsts: dict[frozenset[str], int | None] = {}
        for i, (spec, _) in enumerate(flagged):
            self.by_statement.setdefault(self.statements[i], []).append(i)
            self.by_rule.setdefault(spec.id, []).append(i)

    def _first_of(self, rules: frozenset[str]) -> int | None:
        """The finding of `rules` at the earliest statement (computed once per set)."""
        if rules not in self._firsts:
            found = [j for k in rules for j in self.by_rule.get(k, ())]
            self._firsts[rules] = min(found, key=lambda j: self.statements[j], default=None)
        return self._firsts[rules]

    def standing_for(self, i: int, spec: RuleSpec) -> int | None:
        """The index of the finding that stands for finding `i`, if one does."""
        v = self.flagged[i][1]
        for overlap in _BY_DROPPED.get(spec.id, ()):
            if overlap.cause and overlap.cause != v.cause:
                continue
            if overlap.scope == CAUSE:
                if v.caused_by is None:
                    continue
                candidates = self.by_statement.get(_statement(v.caused_by), [])
            elif overlap.scope == STATEMENT:
                candidates = self.by_statement[self.statements[i]]
            elif overlap.scope == EARLIER:
                first = self._first_of(overlap.kept)
                earlier = first is not None and self.statements[first] < self.statements[i]
                candidates = [first] if earlier and first is not None else []
            elif overlap.kept is ANY_RULE:
                candidates = list(range(len(self.flagged)))
            else:
                candidates = sorted(j for k in overlap.kept for j in self.by_rule.get(k, ()))
            for j in candidates:
                other = self.flagged[j][0]
                if (
                    j != i
                    and (overlap.kept is ANY_RULE or other.id in overlap.kept)
                    and other.severity >= spec.severity
                    and (
                        overlap.scope in (CAUSE, EARLIER)
                        or overlap.cause
                        or self.subjects[i] <= self.subjects[j]
                    )
                ):
                    return j
            if overlap.harmless_alone and self.every_rule and v.caused_by and not candidates:
                return _ALONE
        return None


_ALONE = -1  # `standing_for`: dropped, with no finding standing for it


def _with_asides(v: Violation, asides: list[str]) -> Violation:
    if not asides:
        return v
    return replace(v, message="; ".join([v.message, *asides]))


def held_lock_cause(spec: RuleSpec, v: Violation, ctx: Context) -> Violation:
    """A locking finding (of `_HELD_LOCK_WORK`) on a table that an earlier statement of
    the open transaction holds ACCESS EXCLUSIVE on: caused by that statement, and saying,
    as an aside for its finding, what this one does under its lock."""
    if spec.id not in _HELD_LOCK_WORK or v.caused_by is not None:
        return v
    held = held_by_earlier(v.op, ctx)
    if held is None or _statement(held[1]) == _statement(v.op):
        return v
    if type(held[1]) is type(v.op):  # a repeat of the same change: folding's (folding.py)
        return v
    work = work_under_lock(v.op, ctx) or "changes it"
    aside = f"then line {v.op.loc.line} {work} under this statement's lock"
    return replace(v, caused_by=held[1], aside=aside, aside_cites=v.op)


_NAMED = 3  # asides (and later re-run stops) a finding names in full; then their lines


def _listed_asides(asides: dict[str, int], remedies: Sequence[str]) -> list[str]:
    """The asides that join one finding, in statement order: the first few in full, then
    the lines of the rest (an index dropped under one lock per line of sixty); after
    them, once, what ends them."""
    ordered = sorted(asides.items(), key=lambda item: item[1])
    named = [aside for aside, _ in ordered[:_NAMED]]
    rest = sorted({line for _, line in ordered[_NAMED:]})
    if len(rest) > folding.LISTED:
        named.append(f"and more at {len(rest)} statements (lines {rest[0]}–{rest[-1]})")
    elif rest:
        named.append(f"and more at lines {', '.join(map(str, rest))}")
    if remedies:
        named[-1] += ": " + "; ".join(remedies)
    return named


def _rerun_stop(v: Violation) -> tuple[int, str]:
    """The line of a re-run finding that an earlier one stands for, and what fails there."""
    what = v.message.split(" when the migration runs again")[0].split(": ")[0]
    return v.op.loc.line, what


def _rerun_aside(stops: Sequence[tuple[int, str]]) -> str:
    """Where a re-run past the standing finding stops next, and then (a file is re-run one
    failure at a time): the first `_NAMED` in full, then how many more."""
    named = [f"line {line} ({what})" for line, what in stops[:_NAMED]]
    aside = "a re-run past it stops next at " + ", then at ".join(named)
    later = [line for line, _ in stops[_NAMED:]]
    if len(later) > folding.LISTED:
        return f"{aside}, and at {len(later)} more statements (lines {later[0]}–{later[-1]})"
    if later:
        label = "statement" if len(later) == 1 else "statements"
        return f"{aside}, and at {len(later)} more {label} (lines {', '.join(map(str, later))})"
    return aside
