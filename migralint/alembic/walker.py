"""Walk an `upgrade()` / `downgrade()` body and collect the Ops it performs, in order.

Followed statically: `with op.batch_alter_table(…) as batch_op:` (the table for the
block; with `recreate="always"`, first a BatchRecreate of it), `with
op.get_context().autocommit_block():` (its Ops run outside the transaction), `if` on
the dialect (only the configured dialect's branch; a condition the reader cannot
decide walks both), `for` over a literal list, tuple or dict (`.items()`, unpacked
into several names: once per item, else once; the same Op repeated at one place is
kept once), `try` (the body, up to a call of its own that always raises, not the
handlers), `if` on what the database holds (its
Ops are `guarded`: see existence_guard.py), helper functions of the same file that
receive `op` or `batch_op` (their bodies, with the arguments bound) or return one
expression (`sa.Column(…)`, in the call's arguments), and names from classes and the
project's modules (`Model.__tablename__`, a type constant: models.py).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from migralint.alembic.dialect_branch import DialectTest
from migralint.alembic.existence_guard import (
    absent_when,
    asks_what_exists,
    present_when,
    returns_unless,
)
from migralint.alembic.models import class_names, returned_expression
from migralint.alembic.operations import NO_OP_METHODS, Site, executed, operation_ops
from migralint.alembic.ops import (
    BatchRecreate,
    CommitInRevision,
    FailingCall,
    UnreadWrite,
    UnresolvedCall,
)
from migralint.alembic.sessions import joins_migration, own_session
from migralint.alembic.source import PythonSource
from migralint.alembic.values import (
    UNRESOLVED,
    Scope,
    assignments,
    iterated,
    name_pattern,
    unpacked,
)
from migralint.sql import ops

_MAX_HELPER_DEPTH = 8
# Methods that write rows through an ORM session or model (SQLAlchemy, peewee).
_ORM_WRITES = frozenset(
    {
        "save",
        "add",
        "add_all",
        "merge",
        "flush",
        "bulk_save_objects",
        "bulk_insert_mappings",
        "bulk_update_mappings",
    }
)
_MAX_UNROLL = 64


_DEF = re.compile(r"\s*(?:async\s+)?def\s")  # a function's first line


@dataclass(frozen=True)
class Emitted:
    """One Op and whether it runs outside the transaction: in an `autocommit_block`, or
    after a COMMIT sent as SQL (`outside` then says so)."""

    op: ops.Op
    autocommit: bool = False
    outside: str = ""


@dataclass(frozen=True)
class _Frame:
    scope: Scope
    op_names: frozenset[str]
    batches: dict[str, ops.Name] = field(default_factory=dict)
    autocommit: bool = False
    helpers: tuple[str, ...] = ()  # helper functions being followed (no recursion)
    certain: bool = True  # not inside a branch whose condition is unknown
    guarded: bool = False  # under a test of what the database holds (existence_guard)
    absent: ops.Absent | None = None  # … which runs the Ops only while this is missing
    sessions: frozenset[str] = frozenset()  # names of sessions that join the migration


class _Jump(Exception):
    """A `continue`, `break` or `return` reached on a path known to run."""

    def __init__(self, kind: type[ast.stmt]) -> None:
        self.kind = kind


class Walker:
    """Collects the Ops of one revision's functions for one dialect."""

    def __init__(
        self, source: PythonSource, module: ast.Module, dialect: str, pg_version: int
    ) -> None:
        self.source = source
        self.dialect = dialect
        self.pg_version = pg_version
        names = class_names(module, Path(source.path))
        self.module_scope = Scope(names | assignments(module.body))
        self.functions = {n.name: n for n in module.body if isinstance(n, ast.FunctionDef)}
        self.op_names = frozenset({"op", *_imported_op_names(module)})
        self._outside = ""  # why the Ops from here on run outside the transaction
        self._runs: dict[tuple[int, int], tuple[frozenset[str], int]] = {}

    def function(self, name: str) -> list[Emitted]:
        """The Ops of module-level function `name` ([] when it is not defined)."""
        node = self.functions.get(name)
        if node is None:
            return []
        params = {a.arg for a in (*node.args.posonlyargs, *node.args.args)}
        op_names = self.op_names | ({"op"} & params)
        scope = self.module_scope.child(_local_names(node, params - {"op"}))
        self._outside = ""
        found = _until_return(self._body(node.body, _Frame(scope, op_names)))
        if _dispatches_by_name(node):  # the multidb template: globals()[f"upgrade_{db}"]()
            for other in self.functions.values():
                if other.name.startswith(f"{name}_"):
                    found += self.function(other.name)
        return _once_each(_after_leading_commits(found))

    def _body(self, statements: list[ast.stmt], frame: _Frame) -> Iterator[Emitted]:
        for statement in statements:
            yield from self._statement(statement, frame)
            if not frame.guarded and returns_unless(statement, frame.scope, self.functions):
                assert isinstance(statement, ast.If)
                absent = _absent_after(statement, frame.scope)
                frame = replace(frame, guarded=True, absent=frame.absent or absent)

    def _statement(self, node: ast.stmt, frame: _Frame) -> Iterator[Emitted]:
        if isinstance(node, ast.If):
            truth = DialectTest(self.dialect, frame.scope).truth(node.test)
            yield from self._calls(node.test, frame)
            branch = frame if truth is not None else replace(frame, certain=False)
            body = orelse = branch
            open_question = not frame.guarded or frame.absent is None  # a guard in a guard
            if open_question and asks_what_exists(node.test, frame.scope, self.functions):
                scope, absent = frame.scope, frame.absent
                body = replace(branch, guarded=True, absent=absent or absent_when(node.test, scope))
                orelse = replace(
                    branch, guarded=True, absent=absent or present_when(node.test, scope)
                )
            if truth is not False:
                yield from self._body(node.body, body)
            if truth is not True:
                yield from self._body(node.orelse, orelse)
        elif isinstance(node, (ast.Continue, ast.Break, ast.Return)):
            if isinstance(node, ast.Return) and node.value is not None:
                yield from self._calls(node.value, frame)
            if frame.certain:
                raise _Jump(type(node))
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            yield from self._with(node, frame)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            yield from self._for(node, frame)
        elif isinstance(node, ast.While):
            yield from _loop_pass(self._body(node.body, frame))
        elif isinstance(node, ast.Try):
            raised = yield from _until_raised(self._body(node.body, frame), node.body)
            yield from self._body(node.finalbody if raised else node.orelse + node.finalbody, frame)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return
        else:
            yield from self._given_op_elsewhere(node, frame)
            yield from self._calls(node, frame)
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name):  # later statements see this value
                    frame.scope.bind(target.id, node.value)
                else:  # `table, column = item.split(".")`
                    value = frame.scope.value(node.value)
                    for name, bound in (unpacked(target, value) or {}).items():
                        frame.scope.bind(name, bound)

    def _with(self, node: ast.With | ast.AsyncWith, frame: _Frame) -> Iterator[Emitted]:
        inner = frame
        for item in node.items:
            call = item.context_expr
            method = _method(call)
            if method == "autocommit_block":
                inner = replace(inner, autocommit=True)
            elif isinstance(item.optional_vars, ast.Name) and self._joins(call, frame):
                inner = replace(inner, sessions=inner.sessions | {item.optional_vars.id})
            elif method == "batch_alter_table" and self._is_op(call, frame):
                assert isinstance(call, ast.Call)
                table = self._batch_table(call, frame.scope)
                if table is not None and _recreates(call, frame.scope):
                    loc = self.source.location(call)
                    yield Emitted(BatchRecreate(loc=loc, table=table), inner.autocommit)
                target = item.optional_vars
                if isinstance(target, ast.Name) and table is not None:
                    inner = replace(inner, batches={**inner.batches, target.id: table})
                elif isinstance(target, ast.Name):
                    yield from self._unresolved_batch(call, frame.scope)
            else:
                yield from self._calls(call, frame)
        yield from self._body(node.body, inner)

    def _batch_table(self, call: ast.Call, scope: Scope) -> ops.Name | None:
        args = {k.arg: k.value for k in call.keywords if k.arg}
        name = scope.text(call.args[0] if call.args else args.get("table_name"))
        schema = scope.text(call.args[1] if len(call.args) > 1 else args.get("schema"))
        return ops.Name(name, schema) if name else None

    def _unresolved_batch(self, call: ast.Call, scope: Scope) -> Iterator[Emitted]:
        """The block is not read; what the catalog knew of its table is unknown after."""
        reason = "the table name is not a literal string: the block was not checked"
        loc = self.source.location(call)
        yield Emitted(UnresolvedCall(loc=loc, call="op.batch_alter_table", reason=reason))
        node = (
            call.args[0]
            if call.args
            else next((k.value for k in call.keywords if k.arg == "table_name"), None)
        )
        yield Emitted(ops.UnknownChange(loc=loc, tables=name_pattern(node, scope)))

    def _for(self, node: ast.For | ast.AsyncFor, frame: _Frame) -> Iterator[Emitted]:
        yield from self._calls(node.iter, frame)
        items = iterated(node.iter, frame.scope)
        names = [unpacked(node.target, item) for item in items[:_MAX_UNROLL]]
        if names and all(n is not None for n in names):
            for bound in names:
                assert bound is not None
                inner = replace(frame, scope=frame.scope.child(bound))
                if (yield from _loop_pass(self._body(node.body, inner))):
                    return  # a `break` known to run
        else:
            yield from _loop_pass(self._body(node.body, frame))
        yield from self._body(node.orelse, frame)

    def _calls(self, node: ast.AST, frame: _Frame) -> Iterator[Emitted]:
        """The Ops of the calls inside one simple statement or expression, in order."""
        for call in _calls_in_order(node):
            for emitted in self._call(call, frame):
                if not emitted.autocommit:
                    emitted = replace(emitted, op=_as_commit(emitted.op, self.source, call))
                if self._outside and not emitted.autocommit:
                    emitted = replace(emitted, autocommit=True, outside=self._outside)
                yield _guarded(emitted, frame.absent) if frame.guarded else emitted
                if _sends_commit(emitted):
                    self._outside = _after_commit(emitted.op.loc.line)

    def _call(self, call: ast.Call, frame: _Frame) -> Iterator[Emitted]:
        func = call.func
        if isinstance(func, ast.Name) and func.id in self.functions:
            yield from self._helper(call, self.functions[func.id], frame)
            return
        if not isinstance(func, ast.Attribute):
            return
        method = func.attr
        target = func.value
        batch = frame.batches.get(target.id) if isinstance(target, ast.Name) else None
        if batch is not None or self._is_op(call, frame):
            if method in NO_OP_METHODS:
                return
            loc = self.source.location(call)
            inlined, scope = self._inlined(call, frame.scope)
            site = Site(inlined, method, loc, scope, self.dialect, self.pg_version, batch)
            for op in self._run(operation_ops(site)):
                yield Emitted(op, frame.autocommit)
        elif method == "execute" and call.args:
            loc = self.source.location(call)
            found = executed(call.args[0], frame.scope, loc, self.dialect)
            if found is None:
                found = [UnreadWrite(loc=loc, call=self.source.segment(func))]
            for op in self._run(found):
                yield Emitted(op, frame.autocommit)
        elif method == "commit" and not call.args and not self._joins(target, frame):
            if self._idle_session(target, call):
                return  # its own connection, and nothing written through it: commits nothing
            text = self.source.segment(func)
            separate = own_session(target, frame.scope)
            loc = self.source.location(call)
            yield Emitted(CommitInRevision(loc=loc, call=text, own_session=separate))
        elif _writes_rows(call):
            loc = self.source.location(call)
            yield Emitted(UnreadWrite(loc=loc, call=self.source.segment(func)), frame.autocommit)

    def _run(self, found: list[ops.Op]) -> list[ops.Op]:
        """The Ops of one run of a call, numbered as a statement of its own when the
        call ran before (in a loop, a helper called again) on other tables: rules then
        judge, and name, each table's run apart; runs on the same table stay one."""
        if not found:
            return found
        at = (found[0].loc.line, found[0].loc.column)
        tables = frozenset(op.table.key for op in found if isinstance(op, ops.TableOp))
        last = self._runs.get(at)
        number = 0 if last is None else last[1] + (last[0] != tables)
        self._runs[at] = (tables, number)
        return [replace(op, loc=replace(op.loc, execution=number)) for op in found]

    def _given_op_elsewhere(self, node: ast.stmt, frame: _Frame) -> Iterator[Emitted]:
        """A call made for its effect (its value unused) to a function the walker does
        not follow (another module's, a nested one) that is given `op` or a batch: what
        it does to the database is not read."""
        call = node.value if isinstance(node, ast.Expr) else None
        if not isinstance(call, ast.Call) or self._is_op(call, frame):
            return
        func = call.func
        if isinstance(func, ast.Name) and func.id in self.functions:
            return  # a helper of this file: followed
        given = [*call.args, *(k.value for k in call.keywords)]
        handles = frame.op_names | frame.batches.keys()
        if not any(isinstance(a, ast.Name) and a.id in handles for a in given):
            return
        loc, name = self.source.location(call), self.source.segment(func)
        reason = "a function not defined at the top of this file is given `op`: not checked"
        for op in (
            UnresolvedCall(loc=loc, call=name, reason=reason),
            UnreadWrite(loc=loc, call=name),
        ):
            yield Emitted(op, frame.autocommit)

    def _is_op(self, call: ast.expr, frame: _Frame) -> bool:
        func = call.func if isinstance(call, ast.Call) else None
        return (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in frame.op_names
        )

    def _inlined(self, call: ast.Call, scope: Scope) -> tuple[ast.Call, Scope]:
        """The call with each argument that is (or names) the result of a same-file
        helper returning one expression (`def _column(): return sa.Column(…)`) replaced by
        that expression, and the scope that binds the helpers' parameters."""
        bound: dict[str, ast.expr] = {}

        def argument(node: ast.expr) -> ast.expr:
            value = scope.lookup(node.id) if isinstance(node, ast.Name) else node
            if not isinstance(value, ast.Call) or not isinstance(value.func, ast.Name):
                return node
            helper = self.functions.get(value.func.id)
            returned = returned_expression(helper) if helper is not None else None
            if helper is None or returned is None:
                return node
            bound.update(_arguments(helper, value, scope))
            return returned

        args = [argument(a) for a in call.args]
        keywords = [ast.keyword(k.arg, argument(k.value)) for k in call.keywords]
        if not bound and all(a is b for a, b in zip(args, call.args, strict=True)):
            return call, scope
        inlined = ast.copy_location(ast.Call(call.func, args, keywords), call)
        return inlined, scope.child(bound)

    def _idle_session(self, target: ast.expr, call: ast.Call) -> bool:
        """True for the application's session (`db.session`: its own connection, not the
        migration's) when the function has neither used it nor queried a model
        (`Model.query`) before this commit: the commit then commits nothing."""
        name = self.source.segment(target)
        if not (name == "session" or name.endswith(".session")):
            return False
        lines = self.source.text.splitlines()[: call.lineno - 1]
        start = next((i for i in range(len(lines) - 1, -1, -1) if _DEF.match(lines[i])), 0)
        before = "\n".join(lines[start:])
        used = re.compile(rf"{re.escape(name)}\s*\.\s*(?!commit\b)\w|\.query\b|\bquery\(")
        return used.search(before) is None

    def _joins(self, node: ast.expr, frame: _Frame) -> bool:
        """Whether `node` is a session that joins the migration's transaction."""
        named = isinstance(node, ast.Name) and node.id in frame.sessions
        return named or joins_migration(node, frame.scope, frame.op_names)

    def _helper(self, call: ast.Call, node: ast.FunctionDef, frame: _Frame) -> Iterator[Emitted]:
        """Follow a same-file function, binding `op`/`batch_op` and static arguments."""
        if node.name in frame.helpers or len(frame.helpers) >= _MAX_HELPER_DEPTH:
            return
        given = _given(node, call)
        params = list(given)
        op_names = set(self.op_names - set(params))
        batches: dict[str, ops.Name] = {}
        bound: dict[str, ast.expr] = {}
        sessions: set[str] = set()
        for name in params:
            arg = given.get(name)
            if isinstance(arg, ast.Name) and arg.id in frame.op_names:
                op_names.add(name)
            elif isinstance(arg, ast.Name) and arg.id in frame.batches:
                batches[name] = frame.batches[arg.id]
            elif arg is not None and self._joins(arg, frame):
                sessions.add(name)
            else:
                value = frame.scope.value(arg) if arg is not None else UNRESOLVED
                bound[name] = ast.Constant(value=value)
        scope = self.module_scope.child(_local_names(node, set()) | bound)
        inner = _Frame(
            scope,
            frozenset(op_names),
            batches,
            frame.autocommit,
            (*frame.helpers, node.name),
            sessions=frozenset(sessions),
        )
        found = _until_return(self._body(node.body, inner))
        yield from found


def _recreates(call: ast.Call, scope: Scope) -> bool:
    """Whether the batch block moves and copies its table on every database."""
    recreate = next((k.value for k in call.keywords if k.arg == "recreate"), None)
    return scope.value(recreate) == "always"


def _as_commit(op: ops.Op, source: PythonSource, call: ast.Call) -> ops.Op:
    """A COMMIT sent as SQL ends Alembic's transaction: a commit in the revision."""
    if isinstance(op, ops.Commit) and not op.rollback:
        return CommitInRevision(loc=op.loc, call=source.segment(call), raw=True)
    return op


def _sends_commit(emitted: Emitted) -> bool:
    op = emitted.op
    return isinstance(op, CommitInRevision) and op.raw and not emitted.autocommit


def _after_commit(line: int) -> str:
    return (
        f"after the COMMIT sent at line {line}: outside Alembic's transaction (psycopg2; "
        "psycopg 3 opens a new one)"
    )


def _arguments(node: ast.FunctionDef, call: ast.Call, scope: Scope) -> dict[str, ast.expr]:
    """The function's parameters bound to the static values of the call's arguments
    (or their defaults); what is not static is unknown."""
    given = _given(node, call)
    return {p: ast.Constant(value=scope.value(arg)) for p, arg in given.items()}


def _given(node: ast.FunctionDef, call: ast.Call) -> dict[str, ast.expr | None]:
    """Each parameter of the function (keyword-only ones too) → the expression the call
    passes for it, else its default, else None."""
    args = node.args
    positional = [a.arg for a in (*args.posonlyargs, *args.args)]
    given: dict[str, ast.expr | None] = dict.fromkeys(positional)
    given |= dict.fromkeys(a.arg for a in args.kwonlyargs)
    with_defaults = positional[len(positional) - len(args.defaults) :]
    given |= dict(zip(with_defaults, args.defaults, strict=True))
    given |= {a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d}
    given |= dict(zip(positional, call.args, strict=False))
    given |= {k.arg: k.value for k in call.keywords if k.arg in given}
    return given


def _leaves_nothing(op: ops.Op) -> bool:
    """A commit through SQLAlchemy: first in the revision, it commits only what earlier
    revisions did (a COMMIT sent as SQL is judged wherever it is)."""
    return isinstance(op, CommitInRevision) and not op.raw


def _once_each(found: list[Emitted]) -> list[Emitted]:
    """The Ops without repeats of the same Op at the same place: a loop or a helper that
    does one thing several times over (or cannot be read each time) is one Op."""
    kept: list[Emitted] = []
    for emitted in found:
        if emitted not in kept[-_MAX_UNROLL:]:  # a repeat comes within one unrolled loop
            kept.append(emitted)
    return kept


def _after_leading_commits(found: list[Emitted]) -> list[Emitted]:
    """The Ops without commits that come before anything else the function does: such a
    commit ends the earlier revisions' transaction, and leaves nothing half-applied."""
    first = (i for i, e in enumerate(found) if not _leaves_nothing(e.op))
    return found[next(first, len(found)) :]


def _guarded(emitted: Emitted, absent: ops.Absent | None) -> Emitted:
    op = emitted.op
    return replace(
        emitted, op=replace(op, guarded=True, runs_if_absent=op.runs_if_absent or absent)
    )


def _absent_after(node: ast.If, scope: Scope) -> ops.Absent | None:
    """What `if <test>: return` (or its `else: return`) leaves the rest of the function
    to run only without."""
    if node.body and isinstance(node.body[-1], ast.Return):
        return present_when(node.test, scope)
    return absent_when(node.test, scope)


def _writes_rows(call: ast.Call) -> bool:
    """Whether a call not on `op` writes rows through an ORM or query builder: a model
    saved or added to a session, a query's `update(…)` / `execute()` (peewee's
    `Model.update(…).execute()`, SQLAlchemy's `session.query(…).update(…)`)."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    if func.attr in _ORM_WRITES:
        return True
    built = isinstance(func.value, ast.Call)  # a query built by the call before
    return built and (
        (func.attr == "update" and bool(call.args or call.keywords))
        or (func.attr == "execute" and not call.args)
    )


def _until_raised(
    body: Iterator[Emitted], statements: list[ast.stmt]
) -> Generator[Emitted, None, bool]:
    """A `try` body's Ops up to a call of its own that always raises (`op.drop_constraint(None,
    …)`): the statements after it, and its `else`, never run. True when one raised."""
    lines = {
        s.value.lineno
        for s in statements
        if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)
    }
    for emitted in body:
        yield emitted
        if isinstance(emitted.op, FailingCall) and emitted.op.loc.line in lines:
            return True
    return False


def _loop_pass(body: Iterator[Emitted]) -> Generator[Emitted, None, bool]:
    """Run one pass of a loop body; True when it ended in a `break`. A `return`
    propagates."""
    try:
        yield from body
    except _Jump as jump:
        if jump.kind is ast.Return:
            raise
        return jump.kind is ast.Break
    return False


def _until_return(body: Iterator[Emitted]) -> list[Emitted]:
    """A function body's Ops, up to a `return` known to run."""
    found: list[Emitted] = []
    try:
        for emitted in body:
            found.append(emitted)
    except _Jump as jump:
        if jump.kind is not ast.Return:
            raise  # a `continue` / `break` outside a loop: Python rejects it
    return found


def _dispatches_by_name(node: ast.FunctionDef) -> bool:
    """Whether the function calls `globals()` (to pick a function by name)."""
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "globals"
        for n in ast.walk(node)
    )


def _calls_in_order(node: ast.AST) -> list[ast.Call]:
    """Calls in a statement in source order, not inside a lambda (which may never run)."""
    found: list[ast.Call] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Lambda):
            continue
        if isinstance(current, ast.Call):
            found.append(current)
        stack.extend(ast.iter_child_nodes(current))
    return sorted(found, key=lambda n: (n.lineno, n.col_offset))


def _method(node: ast.expr) -> str:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr
    return ""


def _local_names(node: ast.FunctionDef, params: set[str]) -> dict[str, ast.expr]:
    """A function's plain local assignments; its parameters are unknown values."""
    unknown: dict[str, ast.expr] = {p: ast.Constant(value=UNRESOLVED) for p in params}
    return unknown | assignments(node.body, nested=True)


def _imported_op_names(module: ast.Module) -> Iterator[str]:
    """Local names of `from alembic import op [as x]`."""
    for node in module.body:
        if isinstance(node, ast.ImportFrom) and node.module == "alembic":
            for alias in node.names:
                if alias.name == "op":
                    yield alias.asname or "op"
