"""`plan --from`: where each kept statement runs among the planned phases, or a refusal.

The phases of all plans run interleaved (every expand, then every migrate, then every
contract), so a kept statement has four places: before the expands (where it runs unless
it needs a planned change), or after the expand, migrate or contract phases. A kept
statement that uses what a planned statement before it creates or changes runs after the
phase that makes it available; one that a later planned statement (or a statement that
must stay before it) needs runs first. When both hold, or when a drop and the creation
that replaces it under the same name would land apart, the file is refused with the
lines to split.

What a statement uses is read from its text: every identifier it names (in string
literals and function bodies too), compared with the tables, columns and objects each Op
touches, the enum types of the columns it replaces and the keys a foreign key needs.
Comparing names, not meanings, orders too late or refuses too often rather than run a
statement before what it uses; only a name assembled at run time (`'us' || 'ers'`) is
not seen.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from migralint.plan.model import PHASES, PlanError
from migralint.schema import Catalog
from migralint.sql import ops

AFTER = ("before the expand phases", *(f"after the {p} phases" for p in PHASES))
# The phase after which a planned change is in place for the statements that use it.
_READY = {"add-column": 1, "create-index": 2}
_CONTRACT = len(PHASES)

# Quoted and bare identifiers; words inside string literals count too (dynamic SQL).
_TOKENS = re.compile(r"\"((?:[^\"]|\"\")+)\"|([A-Za-z_][A-Za-z0-9_$]*)")
_STAR = re.compile(r"(?<!\()\*(?!\))")  # SELECT *, RETURNING *; not count(*)
_COLUMN_LIST = re.compile(r"^\s*INSERT\s+INTO\s+[^\s(]+\s*\(", re.IGNORECASE)


def names(text: str) -> frozenset[str]:
    """The identifiers a statement names, folded as PostgreSQL stores them."""
    found = set()
    for m in _TOKENS.finditer(text):
        if m[1] is not None:
            found.add(m[1].replace('""', '"'))
        elif m[2] is not None:
            found.add(m[2].lower())
    return frozenset(found)


@dataclass(frozen=True)
class Reach:
    """What a statement's Ops change: tables, their columns, named objects (indexes,
    constraints, views…), and whether it concerns its tables as a whole (positional
    INSERT values and `*` depend on every column)."""

    tables: frozenset[str] = frozenset()
    columns: frozenset[str] = frozenset()
    objects: frozenset[str] = frozenset()
    whole_table: bool = False
    keys: bool = False  # it adds or drops a unique key (constraint or index) of its table
    references: frozenset[str] = frozenset()  # tables whose keys its foreign keys need
    frees_types: bool = False  # it drops or retypes columns: their types may be unused after
    drops_types: bool = False  # it drops a type or domain

    def __or__(self, other: Reach) -> Reach:
        return Reach(
            self.tables | other.tables,
            self.columns | other.columns,
            self.objects | other.objects,
            self.whole_table or other.whole_table,
            self.keys or other.keys,
            self.references | other.references,
            self.frees_types or other.frees_types,
            self.drops_types or other.drops_types,
        )


_COLUMN_OPS = (
    ops.DropColumn,
    ops.AlterColumnType,
    ops.SetNotNull,
    ops.DropNotNull,
    ops.SetDefault,
    ops.DropDefault,
    ops.AlterIdentity,
)
_WHOLE_TABLE_OPS = (ops.DropTable, ops.RenameTable, ops.Truncate, ops.LockTable, ops.SetSchema)


def reach(op: ops.Op, text: str, catalog: Catalog) -> Reach:
    """What one Op touches, with the catalog of the migrations before it."""
    tables = frozenset({op.table.name}) if isinstance(op, ops.TableOp) else frozenset()
    whole = isinstance(op, _WHOLE_TABLE_OPS) or bool(_STAR.search(text))
    if isinstance(op, ops.Insert) and not _COLUMN_LIST.match(text):
        whole = True  # positional values follow the table's columns as they are then
    columns: set[str] = set()
    objects: set[str] = set()
    keys, references = False, frozenset[str]()
    frees = isinstance(op, ops.AlterColumnType | ops.DropColumn | ops.DropTable)
    if frees:
        objects |= _enum_types(op, catalog)
    drops_types = isinstance(op, ops.DropObject) and op.kind in ("TYPE", "DOMAIN")
    if isinstance(op, _COLUMN_OPS):
        columns.add(op.column)
    elif isinstance(op, ops.AddColumn):
        columns.add(op.column.name)
    elif isinstance(op, ops.RenameColumn):
        columns |= {op.column, op.new_name}
    elif isinstance(op, ops.Update):
        columns |= set(op.columns)
    elif isinstance(op, ops.RenameTable):
        tables |= {op.new_name}
    elif isinstance(op, ops.CreateTable):
        objects.add(op.table.name)  # whatever names the table needs it to exist
    elif isinstance(op, ops.AddConstraint):
        objects |= {n for n in (op.constraint.name, op.constraint.using_index) if n}
        keys = op.constraint.kind in ("primary_key", "unique")
        if op.constraint.references:
            references = frozenset({op.constraint.references.table.name})
    elif isinstance(op, ops.DropConstraint | ops.ValidateConstraint):
        objects.add(op.name)
        keys = isinstance(op, ops.DropConstraint)
    elif isinstance(op, ops.RenameConstraint):
        objects |= {op.name, op.new_name}
    elif isinstance(op, ops.CreateIndex):
        objects |= {op.name} if op.name else set()  # its columns are used, not changed
        keys = op.unique
    elif isinstance(op, ops.DropIndex):
        objects.add(op.name.name)
        keys = True
        table = catalog.index_table(op.name)
        tables = frozenset({table.name}) if table else tables
    elif isinstance(op, ops.CreateObject | ops.DropObject):
        objects.add(op.name.name)
        if op.table:  # a trigger, policy or rule acts on every write to its table
            tables, whole = frozenset({op.table.name}), True
    elif isinstance(op, ops.RenameObject):
        objects |= {op.name.name, op.new_name}
    elif isinstance(op, ops.SetSchema | ops.AlterTypeAddValue):
        objects.add(op.name.name)
    return Reach(
        tables, frozenset(columns), frozenset(objects), whole, keys, references, frees, drops_types
    )


def _enum_types(
    op: ops.AlterColumnType | ops.DropColumn | ops.DropTable, catalog: Catalog
) -> set[str]:
    """The enum types of the columns an Op replaces or drops, and the one a type change
    takes: a DROP or RENAME of one of them must wait for the Op's plan."""
    state = catalog.table(op.table)
    columns = state.columns if state else {}
    if isinstance(op, ops.AlterColumnType | ops.DropColumn):
        columns = {n: c for n, c in columns.items() if n == op.column}
    types = [c.type for c in columns.values()]
    if isinstance(op, ops.AlterColumnType):
        types.append(op.type)
    return {t.name for t in types if t is not None and t.name in catalog.enums}


@dataclass(frozen=True)
class Placed:
    """An action of the source, as the ordering sees it."""

    line: int
    text: str
    operation: str | None  # the plan's operation; None: kept as written
    reach: Reach
    drops: frozenset[str] = frozenset()  # objects it drops, by kind:name
    creates: frozenset[str] = frozenset()  # objects it creates, by kind:name
    names: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", names(self.text))


def drops_and_creates(op: ops.Op, catalog: Catalog) -> tuple[frozenset[str], frozenset[str]]:
    """The objects an Op drops and creates, as `kind:name`, to find redefinitions; with
    the catalog before it, the constraints a DROP COLUMN takes along (PostgreSQL drops
    every constraint on the column), and a table's primary key as `primary key:table`."""
    if isinstance(op, ops.DropTable):
        return frozenset({f"table:{op.table.key}"}), frozenset()
    if isinstance(op, ops.CreateTable):
        return frozenset(), frozenset({f"table:{op.table.key}"})
    if isinstance(op, ops.DropObject):
        return frozenset({f"{op.kind.lower()}:{op.name.key}"}), frozenset()
    if isinstance(op, ops.CreateObject):
        return frozenset(), frozenset({f"{op.kind.lower()}:{op.name.key}"})
    if isinstance(op, ops.DropIndex):
        return frozenset({f"index:{op.name.key}"}), frozenset()
    if isinstance(op, ops.CreateIndex) and op.name:
        return frozenset(), frozenset({f"index:{ops.Name(op.name, op.table.schema).key}"})
    if isinstance(op, ops.DropConstraint | ops.DropColumn):
        state = catalog.table(op.table)
        gone = {
            name: c.kind
            for name, c in (state.constraints.items() if state else ())
            if (name == op.name if isinstance(op, ops.DropConstraint) else op.column in c.columns)
        }
        if isinstance(op, ops.DropConstraint):
            gone.setdefault(op.name, "")
        dropped = {f"constraint:{op.table.key}.{name}" for name in gone}
        if "primary_key" in gone.values():
            dropped.add(f"primary key:{op.table.key}")
        return frozenset(dropped), frozenset()
    if isinstance(op, ops.AddConstraint):
        name = op.constraint.name
        created = {f"constraint:{op.table.key}.{name}"} if name else set()
        if op.constraint.kind == "primary_key":
            created.add(f"primary key:{op.table.key}")
        return frozenset(), frozenset(created)
    return frozenset(), frozenset()


def _needs(changing: Placed, using: Placed) -> bool:
    """Does `using` name what `changing` touches (an object, or a column of its table)?"""
    used = using.names
    c = changing.reach
    if c.objects & used or (c.keys and c.tables & using.reach.references):
        return True
    if c.frees_types and using.reach.drops_types:  # the type may be one of its columns'
        return True
    if not c.tables & used:
        return False
    return c.whole_table or using.reach.whole_table or bool(c.columns & used)


def related(a: Placed, b: Placed) -> bool:
    """Must two statements keep their order (either uses what the other touches)?"""
    return _needs(a, b) or _needs(b, a)


def place(actions: Sequence[Placed]) -> list[int | None]:
    """Per action, the place of a kept one (an index into AFTER); None for a planned one.
    Raises PlanError when a kept statement cannot be placed without changing what runs
    before what."""
    slots: list[int | None] = []
    why: dict[int, int] = {}  # kept action index → the planned action it waits for
    for j, kept in enumerate(actions):
        if kept.operation is not None:
            slots.append(None)
            continue
        slot = 0
        for i in range(j):
            before = actions[i]
            if before.operation is None and (slots[i] or 0) <= slot:
                continue  # an earlier kept statement that cannot push this one later
            if not related(before, kept):
                continue
            if before.operation is None:
                ready, cause = slots[i] or 0, why.get(i, i)
            elif _needs(kept, before):  # the plan uses what the kept statement changes
                ready, cause = _CONTRACT, i
            else:  # in place once the phase that makes it available has run
                ready, cause = _READY.get(before.operation, _CONTRACT), i
            if ready > slot:
                slot, why[j] = ready, cause
        slots.append(slot)
        if slot:
            _refuse_needed_earlier(actions, j, slot, why[j])
    _refuse_redefinitions_apart(actions, slots)
    return slots


def _refuse_needed_earlier(actions: Sequence[Placed], j: int, slot: int, cause: int) -> None:
    """A kept statement that must wait for a plan cannot also be needed by a later plan."""
    kept = actions[j]
    for later in actions[j + 1 :]:
        if later.operation is not None and related(kept, later):
            raise PlanError(
                f"line {kept.line} uses what line {actions[cause].line} plans, so it must run "
                f"{AFTER[slot]}, but line {later.line} plans a change that needs it first. "
                f"Move lines {later.line} and after into a migration of their own and plan "
                "each file"
            )


def _refuse_redefinitions_apart(actions: Sequence[Placed], slots: list[int | None]) -> None:
    """An object dropped and created again under its name must not be missing between
    releases, nor (a planned drop) be dropped after its new definition was created."""
    for i, dropping in enumerate(actions):
        if not dropping.drops:
            continue
        for j in range(i + 1, len(actions)):
            creating = actions[j]
            common = dropping.drops & creating.creates
            if not common:
                continue
            what = min(common).replace(":", " ", 1)
            if dropping.operation is not None:
                raise PlanError(
                    f"line {dropping.line} drops {what} and line {creating.line} creates it "
                    "again: a planned drop runs in the contract, after the new definition. "
                    "Drop the old one in a migration of its own first, or create the new one "
                    "under another name and swap them by hand"
                )
            if creating.operation is None and slots[i] != slots[j]:
                raise PlanError(
                    f"line {dropping.line} drops {what} and line {creating.line} creates it "
                    f"again, but line {creating.line} must run {AFTER[slots[j] or 0]}: "
                    f"{what} would be missing in between. Move them into a migration of "
                    "their own"
                )


# Planned operations after which a name of the table no longer means what it did.
REMOVES = {
    "rename-column": "the column is renamed",
    "rename-table": "the table is renamed",
    "drop-table": "the table is gone",
    "change-column-type": "the column is replaced",
    "drop-column": "the column is gone",
    "replace-column": "the column is replaced",
}


def refuse_entangled_actions(statement_line: int, actions: Sequence[Placed]) -> None:
    """Actions of one ALTER TABLE run together; cut apart, a rename, replacement or drop
    of a column would no longer be seen by the other actions on that column."""
    for a in actions:
        if a.operation not in REMOVES:
            continue
        for b in actions:
            if b is a:
                continue
            shared = a.reach.columns & b.names
            if a.reach.whole_table or shared:
                raise PlanError(
                    f"line {statement_line}: the action on line {a.line} plans {a.operation} "
                    f"and the action on line {b.line} also uses what it changes; run them as "
                    "separate statements in separate migrations and plan each file"
                )
