"""`migralint plan --from FILE`: a migration's flagged statements become their plans.

The file is linted in its context (the earlier migrations of its set, its settings);
each action that a rule flags and an operation can plan (a column rename, a SET NOT NULL,
a blocking CREATE INDEX …) is replaced by that operation's expand / migrate / contract
phases; an ALTER TABLE with several actions is cut into one statement per action. Every
other action is kept as written, in a migration of its own that runs first, or after the
phase that makes what it uses available (from_file_order). An index dropped and created
again under its name is planned as one redefinition (from_file_redefine). Every action
is planned, kept or refused, never dropped. The original file is never changed.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

from migralint.config import Settings
from migralint.plan.from_file_order import (
    AFTER,
    REMOVES,
    Placed,
    Reach,
    drops_and_creates,
    place,
    reach,
    refuse_entangled_actions,
    related,
)
from migralint.plan.from_file_partitions import PartitionedCatalog, replayed
from migralint.plan.from_file_planners import PLANNED_FINDINGS, PLANNERS, Keep, Unchanged
from migralint.plan.from_file_units import OpId, Unit, units
from migralint.plan.model import PHASES, Phase, Plan, PlanError
from migralint.schema import Catalog
from migralint.sql import ops


@dataclass(frozen=True)
class Replacement:
    """What `--from` did with one action of the file (a statement, or one action of a
    multi-action ALTER TABLE)."""

    line: int
    statement: str  # the SQL of the action on its own, as it is kept
    plan: Plan | None  # None: kept as written
    note: str = ""  # why a flagged statement was kept
    touches: tuple[tuple[str, str], ...] = ()  # (table key, column or "") the plan changes
    flagged: tuple[str, ...] = ()  # the rules that flag it at error severity
    covers: frozenset[OpId] = frozenset()  # the source's Ops it stands for
    reach: Reach = dataclasses.field(default_factory=Reach)
    drops: frozenset[str] = frozenset()
    creates: frozenset[str] = frozenset()
    statement_line: int = 0  # the line of the statement it is part of
    outside_transaction: bool = False  # it cannot run in a transaction block
    unchanged: str = ""  # why a flagged statement changes nothing (kept, nothing to plan)

    @property
    def placed(self) -> Placed:
        operation = self.plan.operation if self.plan else None
        return Placed(self.line, self.statement, operation, self.reach, self.drops, self.creates)


def _plannable(op: ops.Op, flags: frozenset[str]) -> bool:
    """Does a finding on the Op call for its operation's plan?"""
    return type(op) in PLANNERS and bool(flags & PLANNED_FINDINGS[type(op)])


def replacements(path: Path, settings: Settings) -> list[Replacement]:
    """Each action of the file, with the plan that replaces it where there is one.

    The catalog is the one the migrations before the file build in its migration set
    (a Prisma or diesel set has one folder per migration). Every Op of the file is in
    exactly one replacement: raises PlanError otherwise, and for what cannot be planned
    or kept faithfully."""
    from migralint.sources.discover import discover

    [migration] = discover([path]).files
    dialect = settings.dialect or migration.dialect or "postgres"
    if dialect != "postgres":
        raise PlanError(f"{path} is a {dialect} migration; `plan --from` reads PostgreSQL ones")
    if migration.direction != "up":
        raise PlanError(
            f"{path} is a {migration.direction} migration; `plan --from` plans up migrations"
        )
    catalog = replayed([migration.set_root], settings, path)
    try:
        text = path.read_bytes().decode("utf-8-sig")  # as the linter decodes it
    except (OSError, UnicodeDecodeError) as error:
        raise PlanError(f"cannot read {path} as UTF-8 text: {error}") from error
    cut = units(migration, dialect, copy.deepcopy(catalog), settings, text, _plannable)
    catalog.start_migration()
    found: list[Replacement] = []
    dropped: dict[str, tuple[int, ops.CreateIndex | None]] = {}  # index key → its DROP
    search_path: ops.SetSetting | None = None
    not_null: dict[tuple[str, str], int] = {}  # (table key, column) → the line that plans it
    dependents: list[tuple[int, str, frozenset[str]]] = []  # objects bound to columns
    for unit in cut:
        replacement = _replacement(unit, catalog)
        _refuse_rename_under_dependents(unit, replacement, dependents)
        if replacement.plan is not None and search_path is not None:
            raise PlanError(
                f"line {search_path.loc.line} sets search_path to {search_path.value}, and the "
                f"plan of line {unit.line} names tables without it: write the schema into the "
                "statements, then plan the file"
            )
        search_path = next((op for op in unit.ops if _moves_search_path(op)), search_path)
        if replacement.plan is not None:
            _refuse_key_before_not_null(unit, replacement, not_null)
        redefined = _redefinition(unit, replacement, found, dropped, catalog)
        if redefined is not None:
            found.append(redefined)
        else:
            if len(unit.ops) == 1 and isinstance(unit.ops[0], ops.DropIndex):
                key = unit.ops[0].name.key
                dropped[key] = (len(found), catalog.index_definitions.get(key))
            found.append(replacement)
        for op in unit.ops:
            catalog.apply(op)
    _check_accounted(cut, found)
    statements: dict[int, list[Replacement]] = {}
    for r in found:
        statements.setdefault(min(s for s, _ in r.covers), []).append(r)
    for actions in statements.values():
        refuse_entangled_actions(actions[0].statement_line, [r.placed for r in actions])
    return found


def _replacement(unit: Unit, catalog: PartitionedCatalog) -> Replacement:
    """The unit planned (with the catalog before it), or kept with the reason."""
    reached = Reach()
    drops: frozenset[str] = frozenset()
    creates: frozenset[str] = frozenset()
    for op in unit.ops:
        reached |= reach(op, unit.text, catalog)
        dropping, creating = drops_and_creates(op, catalog)
        drops, creates = drops | dropping, creates | creating
    base = Replacement(
        unit.line,
        unit.text,
        None,
        unit.note,
        flagged=unit.errors,
        covers=unit.covers,
        reach=reached,
        drops=drops,
        creates=creates,
        statement_line=unit.statement_line,
        outside_transaction=any(_outside_transaction(op) for op in unit.ops),
    )
    to_plan = [op for op, f in zip(unit.ops, unit.flags, strict=True) if _plannable(op, f)]
    if unit.note or not to_plan:
        return base
    [op] = to_plan  # a unit with an Op to plan has no other (from_file_units)
    partitioned = catalog.partition_refusal(op)
    if partitioned is not None:
        return dataclasses.replace(base, note=partitioned)
    try:
        plan = PLANNERS[type(op)](op, catalog)
    except Keep as why:
        return dataclasses.replace(base, note=str(why))
    except Unchanged as why:
        return dataclasses.replace(base, flagged=(), unchanged=str(why))
    except PlanError as error:
        raise PlanError(f"line {unit.line}: {error}") from error
    return dataclasses.replace(base, plan=plan, touches=_touched(op, catalog))


def _refuse_key_before_not_null(
    unit: Unit, replacement: Replacement, not_null: dict[tuple[str, str], int]
) -> None:
    """A planned primary key needs its columns NOT NULL before its migrate phase, which
    runs before the contract of a NOT NULL planned in the same file."""
    for op in unit.ops:
        if isinstance(op, ops.SetNotNull):
            not_null[(op.table.key, op.column)] = unit.line
        elif isinstance(op, ops.AddColumn) and not op.column.nullable:
            not_null[(op.table.key, op.column.name)] = unit.line
        elif isinstance(op, ops.AddConstraint) and op.constraint.kind == "primary_key":
            for column in op.constraint.columns:
                line = not_null.get((op.table.key, column))
                if line is not None:
                    raise PlanError(
                        f"line {replacement.line} plans a primary key on {column}, which line "
                        f"{line} makes NOT NULL only in its contract; plan line {line} in a "
                        "migration of its own first, then this file"
                    )


# Objects PostgreSQL binds to the columns they use (a rename carries them along; the
# rename plan's expand refuses a column they use, as it cannot move them to the new one).
_BOUND_KINDS = frozenset({"VIEW", "MATERIALIZED VIEW", "RULE", "POLICY"})
_ATOMIC_BODY = re.compile(r"\bBEGIN\s+ATOMIC\b", re.IGNORECASE)


def _refuse_rename_under_dependents(
    unit: Unit, replacement: Replacement, dependents: list[tuple[int, str, frozenset[str]]]
) -> None:
    """Refuse a planned column rename that an object the file created before uses (a view,
    rule, policy or BEGIN ATOMIC routine): the expand would stop at it at run time. Note
    the objects this unit creates for the statements after it."""
    from migralint.plan.from_file_order import names

    if replacement.plan is None:
        for op in unit.ops:
            if not isinstance(op, ops.CreateObject):
                continue
            atomic = op.kind in ("FUNCTION", "PROCEDURE") and _ATOMIC_BODY.search(unit.text)
            if op.kind in _BOUND_KINDS or atomic:
                dependents.append((unit.line, f"{op.kind.lower()} {op.name}", names(unit.text)))
        return
    for op in unit.ops:
        if not isinstance(op, ops.RenameColumn):
            continue
        for line, what, used in dependents:
            if op.table.name in used and op.column in used:
                raise PlanError(
                    f"line {line} creates {what}, which uses {op.table}.{op.column}: "
                    f"PostgreSQL binds it to the column, so the plan of line {replacement.line} "
                    "cannot move it to the new one (its expand would stop). Create it in a "
                    "migration after this file's contract, or rename the column by hand"
                )


def _moves_search_path(op: ops.Op) -> bool:
    """A SET search_path to something else than the default `public` schema."""
    if not isinstance(op, ops.SetSetting) or op.name != "search_path":
        return False
    return op.value.replace(" ", "").lower() not in ("public", '"$user",public')


def _outside_transaction(op: ops.Op) -> bool:
    """PostgreSQL refuses to run it inside a transaction block."""
    concurrent = (ops.CreateIndex, ops.DropIndex, ops.Reindex, ops.DetachPartition)
    return isinstance(op, ops.Vacuum) or (isinstance(op, concurrent) and op.concurrently)


def _redefinition(
    unit: Unit,
    replacement: Replacement,
    found: list[Replacement],
    dropped: dict[str, tuple[int, ops.CreateIndex | None]],
    catalog: PartitionedCatalog,
) -> Replacement | None:
    """A CREATE INDEX of a name that the file dropped before: one plan for both, taken out
    of `found` at the DROP's place, to go at the CREATE's (the new definition may need what
    the statements between them create); None otherwise. Refused when a statement between
    them uses the old index or what it is built on: in the file it ran with no index."""
    from migralint.plan import from_file_redefine

    if len(unit.ops) != 1 or not isinstance(unit.ops[0], ops.CreateIndex):
        return None
    new = unit.ops[0]
    key = ops.Name(new.name or "", new.table.schema).key
    if key not in dropped:
        return None
    at, old = dropped.pop(key)
    drop = found[at]
    if old is None or (drop.plan is None and replacement.plan is None):
        return None  # a planned drop knows its old definition: this one is kept
    old_index = Placed(drop.line, old.loc.statement, None, reach(old, old.loc.statement, catalog))
    for between in found[at + 1 :]:
        if related(drop.placed, between.placed) or related(old_index, between.placed):
            raise PlanError(
                f"line {drop.line} drops index {new.name} and line {unit.line} creates it "
                f"again, and line {between.line} between them uses the old index or what it "
                "is built on: the plan keeps the old index until its contract. Move the DROP "
                f"INDEX to just before line {unit.line}, then plan the file"
            )
    try:
        plan = from_file_redefine.plan(old, new, catalog)
    except (Keep, PlanError) as error:
        raise PlanError(f"line {unit.line}: {error}") from error
    del found[at]
    for name, (i, index) in dropped.items():
        dropped[name] = (i - (i > at), index)
    return dataclasses.replace(
        drop,
        statement=f"{drop.statement};\n{replacement.statement}",
        plan=plan,
        note="",
        touches=((new.table.key, ""),),
        flagged=tuple(sorted({*drop.flagged, *replacement.flagged})),
        covers=drop.covers | replacement.covers,
        reach=drop.reach | replacement.reach,
    )


def _check_accounted(cut: list[Unit], found: list[Replacement]) -> None:
    """Every Op of the source is in exactly one replacement, planned or kept."""
    source = [op_id for unit in cut for op_id in unit.covers]
    placed = [op_id for r in found for op_id in r.covers]
    if sorted(source) != sorted(placed) or len(set(source)) != len(source):
        missing = sorted(set(source) - set(placed))
        raise PlanError(
            "internal error: plan --from lost track of an action "
            f"(statement, action: {missing or 'duplicated'}); nothing written, please report it"
        )


def _touched(op: ops.Op, catalog: Catalog) -> tuple[tuple[str, str], ...]:
    """The tables (column "") and columns a statement changes or relies on."""
    if isinstance(op, ops.RenameTable):
        return ((op.table.key, ""), (ops.Name(op.new_name, op.table.schema).key, ""))
    if isinstance(op, ops.DropIndex):
        created = catalog.index_definitions.get(op.name.key)
        op = created if created is not None else op
    if not isinstance(op, ops.TableOp):
        return ()
    state = catalog.table(op.table)
    text = op.loc.statement.lower()
    columns = {
        c
        for c in (state.columns if state else ())
        if re.search(rf"\b{re.escape(c.lower())}\b", text)
    }
    if isinstance(op, ops.RenameColumn | ops.AlterColumnType):
        columns |= _sharing(op.table, op.column, catalog)
    # the names it gives, which the catalog does not hold yet (one the file frees)
    if isinstance(op, ops.RenameColumn):
        columns.add(op.new_name)
    elif isinstance(op, ops.AddColumn):
        columns.add(op.column.name)
    return ((op.table.key, ""), *((op.table.key, c) for c in sorted(columns)))


def _sharing(table: ops.Name, column: str, catalog: Catalog) -> set[str]:
    """The columns that share a constraint or an index with `column`: a plan that copies
    the column copies those too, naming the others as they are then."""
    from migralint.plan.from_file_order import names

    state = catalog.table(table)
    if state is None:
        return set()
    uses = [
        set(c.columns) | (names(c.expression) if c.expression else set())
        for c in state.constraints.values()
    ]
    uses += [
        set(names(created.loc.statement))
        for created in catalog.index_definitions.values()
        if created.table.key == table.key
    ]
    return {c for used in uses if column in used for c in used & set(state.columns)}


def combined(path: Path, found: list[Replacement]) -> Plan:
    """One plan for the whole file: the expand phases of every plan in statement order,
    then their migrate phases, then their contract phases, so each release ships one phase
    of every change (a contract never precedes another change's expand). Kept statements
    run before the expands, or after the phase that makes what they use available."""
    _refuse_entangled_plans(found)
    slots = place([r.placed for r in found])
    phases: list[Phase] = []
    placed: list[Replacement] = []
    for slot in range(len(AFTER)):
        kept = [r for r, at in zip(found, slots, strict=True) if at == slot]
        if kept:
            phases.extend(kept_phases(path, kept, slot))
            placed.extend(kept)
        if slot < len(PHASES):
            for r in found:
                if r.plan is not None:
                    mine = [p for p in r.plan.phases if p.name == PHASES[slot]]
                    phases.extend(mine)
                    placed.extend([r] if slot == 0 else [])
    _check_placed(found, placed, phases)
    summaries = [f"line {r.line}: {r.plan.summary}" for r in found if r.plan is not None]
    summaries += [
        f"line {r.line}: kept as written, {AFTER[slot]} (it uses what they change)"
        for r, slot in zip(found, slots, strict=True)
        if slot
    ]
    return Plan("from", tuple(phases), "\n".join(summaries))


def _check_placed(found: list[Replacement], placed: list[Replacement], phases: list[Phase]) -> None:
    """Every action is in the plan once, and every phase of every plan with it."""
    expected = sum(len(r.plan.phases) for r in found if r.plan is not None)
    written = sum(1 for p in phases if p.name)
    if sorted(map(id, placed)) != sorted(map(id, found)) or written != expected:
        raise PlanError(
            "internal error: plan --from would write an incomplete plan; nothing written, "
            "please report it"
        )


def _refuse_entangled_plans(found: list[Replacement]) -> None:
    """Phases run interleaved: a table or column that one plan renames, replaces or drops
    would change under the later phases of another plan that uses it."""
    planned = [r for r in found if r.plan is not None]
    for r in planned:
        if r.plan is None or r.plan.operation not in REMOVES:
            continue
        mine = {t for t in r.touches if (t[1] != "") == ("column" in r.plan.operation)}
        others = [o.line for o in planned if o is not r and mine & set(o.touches)]
        if others:
            lines = ", ".join(str(n) for n in others)
            raise PlanError(
                f"line {r.line} plans {r.plan.operation}, and line(s) {lines} also change what "
                f"it changes: their later phases would run after {REMOVES[r.plan.operation]}. "
                "Move that statement into a migration of its own and plan each file"
            )


def _slug(path: Path) -> str:
    """`V2__add_users.sql` / `2_add_users.up.sql` → `add_users`."""
    name = re.sub(r"^[VUBR]?[\d._]*_+", "", path.name).split(".")[0]
    return re.sub(r"\W+", "_", name).strip("_").lower() or "migration"


_WORDS = ("kept", "kept_after_expand", "kept_after_migrate", "kept_after_contract")


def kept_phases(path: Path, kept: list[Replacement], slot: int) -> list[Phase]:
    """Migrations holding statements that need no plan, as written and in their order;
    `slot` says where they run (an index into AFTER). A statement that cannot run in a
    transaction block (CONCURRENTLY, VACUUM) gets a non-transactional migration of its own."""
    groups: list[list[Replacement]] = []
    for r in kept:
        if r.outside_transaction or not groups or groups[-1][-1].outside_transaction:
            groups.append([])
        groups[-1].append(r)
    when = (
        "" if slot == 0 else f"\nThey run {AFTER[slot]} of the plans: they use what those change."
    )
    return [
        Phase(
            "",
            f"{_slug(path)}_{_WORDS[slot]}" + (f"_{n + 1}" if n else ""),
            f"The statements of {path.name} that need no expand/contract plan, as written."
            f"{when}\nWrite their down by hand.",
            "\n\n".join(f"{r.statement};" for r in group),
            "-- Write the inverse of the kept statements here.\nSELECT 1;",
            transactional=not group[0].outside_transaction,
        )
        for n, group in enumerate(groups)
    ]
