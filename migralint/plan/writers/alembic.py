"""Alembic: one revision file `<revision>_<name>.py` per phase in the versions folder,
chained after the folder's current head (read statically, never imported).

Each statement of a phase is one `op.execute("…")` with the SQL as a plain string (a
Python literal written with `repr`, whatever the names hold). Alembic turns a string
into `sqlalchemy.text()`, which reads `:word` as a bind parameter and `\\:` as an
escape: a plan whose SQL would be changed that way is refused (write it by hand).
Statements are executed one by one (one `op.execute` each): a driver may take one
statement per query (psycopg 3 with parameters uses the extended protocol), and each
finding of `migralint check` points at its statement's own call. A phase that must run
outside a transaction (CREATE INDEX CONCURRENTLY, the batched backfill committing per
batch) is inside `with op.get_context().autocommit_block():`, with the statement and
lock timeouts lifted for its work and reset after it. A phase in a transaction that
sets `SET LOCAL lock_timeout` puts the previous value back at its end: Alembic runs all
the revisions of an upgrade in one transaction unless `transaction_per_migration` is set.

The versions `write.py` hands over are `"<down_revision>><revision>"` per phase (see
`next_versions`); a plain version is taken as the revision itself, chained after the
previous phase's (the first phase then has no parent).
"""

from __future__ import annotations

import datetime
import re
import uuid
from pathlib import Path

from migralint.plan.model import Phase, Plan, PlanError, shown
from migralint.sql.split import split_statements

# SQLAlchemy's own patterns (sqlalchemy.sql.compiler BIND_PARAMS / BIND_PARAMS_ESC):
# what text() would turn into a bind parameter, and the escape it would un-escape.
_BIND = re.compile(r"(?<![:\w\x5c]):(\w+)(?!:)", re.UNICODE)
_ESCAPE = re.compile(r"\x5c(:\w*)(?![:\w])", re.UNICODE)
_SEPARATOR = ">"
_SET_LOCAL = re.compile(r"SET\s+LOCAL\s+lock_timeout\b", re.IGNORECASE)
# Alembic runs every revision of `alembic upgrade` in one transaction by default: a phase's
# SET LOCAL lock_timeout would last into the revisions after it. The value before it is
# kept in a placeholder setting (transaction-local too) and put back at the phase's end.
_SAVE = "SELECT set_config('migralint.lock_timeout', current_setting('lock_timeout'), true)"
_RESTORE = "SELECT set_config('lock_timeout', current_setting('migralint.lock_timeout'), true)"
_SLUG = re.compile(r"[^A-Za-z0-9_]")


def next_versions(out: Path, count: int) -> list[str]:
    """`count` fresh revision ids chained after the single head of the version set
    `out` belongs to, as `"<down_revision>><revision>"` (no parent: nothing before the
    `>`). PlanError when the set's graph has several heads or is broken."""
    parent = current_head(out)
    versions = []
    for _ in range(count):
        revision = uuid.uuid4().hex[:12]
        versions.append(f"{parent or ''}{_SEPARATOR}{revision}")
        parent = revision
    return versions


def current_head(out: Path) -> str | None:
    """The one head of the revisions in (the version set of) `out`, None when empty."""
    from migralint.alembic.project import read_version_set, set_root

    if not out.is_dir():
        return None
    version_set = read_version_set(set_root(out))
    for revision in version_set.revisions:
        if revision.problem is not None:
            where = shown(f"{revision.path}:{revision.problem.line}")
            raise PlanError(
                f"cannot chain a revision after {shown(str(out))}: {where}: "
                f"{shown(revision.problem.message)}"
            )
    heads = version_set.graph.heads
    several = f"{len(heads)} heads ("  # graph.py's own problem for unlabelled heads
    for found in version_set.graph.problems:
        if len(heads) > 1 and found.problem.message.startswith(several):
            continue  # said below, with what to do
        where = shown(f"{found.revision.path}:{found.problem.line}")
        raise PlanError(
            f"cannot chain a revision after {shown(str(out))}: {where}: "
            f"{shown(found.problem.message)}; fix the revision graph first"
        )
    if len(heads) > 1:
        raise PlanError(
            f"the revisions in {shown(str(out))} have {len(heads)} heads "
            f"({shown(', '.join(heads))}): merge them first (alembic merge heads), "
            "a plan is chained after one head"
        )
    return heads[0] if heads else None


def render(plan: Plan, versions: list[str]) -> list[tuple[str, str]]:
    if any(_mysql(phase) for phase in plan.phases):
        raise PlanError(
            "--format alembic writes PostgreSQL plans only: use --format sql for the MySQL "
            "plan and paste its statements into a revision by hand"
        )
    files: list[tuple[str, str]] = []
    parent: str | None = None
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    for version, phase in zip(versions, plan.phases, strict=True):
        if _SEPARATOR in version:
            down, revision = version.rsplit(_SEPARATOR, 1)
            parent = down or None
        else:
            revision = version
        slug = _SLUG.sub("_", phase.slug)
        files.append((f"{revision}_{slug}.py", _revision_file(phase, revision, parent, slug, now)))
        parent = revision
    return files


def _revision_file(
    phase: Phase, revision: str, parent: str | None, slug: str, now: datetime.datetime
) -> str:
    marker = f"# migralint: phase={phase.name}\n" if phase.name else ""
    header = "\n".join(f"# {shown(line)}".rstrip() for line in phase.header.split("\n"))
    if not phase.transactional:
        header += (
            "\n# Runs outside a transaction (op.get_context().autocommit_block()), with the"
            "\n# statement and lock timeouts lifted for the work and reset after it."
        )
    return (
        f'"""{slug}\n\nRevision ID: {_docstring(revision)}\nRevises: {_docstring(parent or "")}\n'
        f'Create Date: {now}\n\n"""\n'
        f"{marker}{header}\n\n"
        "from alembic import op\n\n"
        "# revision identifiers, used by Alembic.\n"
        f"revision = {revision!r}\n"
        f"down_revision = {parent!r}\n"
        "branch_labels = None\n"
        "depends_on = None\n\n\n"
        f"def upgrade() -> None:\n{_body(phase, 'up')}\n\n"
        f"def downgrade() -> None:\n{_body(phase, 'down')}"
    )


def _docstring(text: str) -> str:
    """A revision id inside the module docstring: nothing that could end it."""
    return shown(text).replace("\\", "\\\\").replace('"', '\\"')


_IGNORE = re.compile(r"migralint:\s*ignore\b", re.IGNORECASE)


def _body(phase: Phase, direction: str) -> str:
    sql = phase.sql(direction, per_statement=True)
    found = split_statements(sql).statements
    # A statement's `-- migralint: ignore …` (the plan's reasoned suppressions) becomes a
    # `#` comment above its op.execute, where the Alembic front end reads suppressions.
    ignores = {s.text.strip(): [c.text for c in s.comments if _IGNORE.match(c.text)] for s in found}
    statements = [s.text.strip() for s in found]
    statements = _restoring_lock_timeout([s for s in statements if s.rstrip(";").strip()])
    for statement in statements:
        if _BIND.search(statement) or _ESCAPE.search(statement):
            raise PlanError(
                f"the {phase.name or 'kept'} phase has ':name' or '\\:' in its SQL, which "
                "Alembic's op.execute (sqlalchemy.text) reads as a bind parameter: write it "
                "by hand"
            )
    indent = "    " if phase.transactional else "        "
    lines = [_execute(statement, indent, ignores.get(statement, [])) for statement in statements]
    if not lines:
        lines = [f"{indent}pass"]
    if not phase.transactional:
        lines.insert(0, "    with op.get_context().autocommit_block():")
    return "\n".join(lines) + "\n"


def _execute(statement: str, indent: str, ignores: list[str]) -> str:
    """`op.execute(…)` of one statement: a multi-line statement as one string literal
    per line, concatenated by Python (each `repr`'d: valid whatever it holds), under its
    suppression comments."""
    above = "".join(f"{indent}# {shown(ignore)}\n" for ignore in ignores)
    pieces = statement.splitlines(keepends=True)
    if len(pieces) == 1:
        return f"{above}{indent}op.execute({statement!r})"
    inner = "".join(f"{indent}    {piece!r}\n" for piece in pieces)
    return f"{above}{indent}op.execute(\n{inner}{indent})"


def _mysql(phase: Phase) -> bool:
    """A MySQL plan's phase: it runs under `SET SESSION lock_wait_timeout` (mysql.py);
    the plan does not say its dialect otherwise."""
    return any(
        body.lstrip().startswith("SET SESSION lock_wait_timeout") for body in (phase.up, phase.down)
    )


def _restoring_lock_timeout(statements: list[str]) -> list[str]:
    """`statements`, the lock_timeout from before the first `SET LOCAL lock_timeout`
    saved before it and restored after the last statement."""
    first = next((i for i, s in enumerate(statements) if _SET_LOCAL.match(s)), None)
    if first is None:
        return statements
    return [*statements[:first], _SAVE, *statements[first:], _RESTORE]
