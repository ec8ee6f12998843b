"""golang-migrate: `<version>_name.up.sql` / `.down.sql`.

golang-migrate's PostgreSQL drivers send a file as one multi-statement query, which
PostgreSQL runs as one implicit transaction (so `SET LOCAL` lasts until its end; with
`x-multi-statement=true` the file would be split on every `;`, DO bodies included: do
not use it). A COMMIT inside such a query does not end that block for what follows, and
CREATE INDEX CONCURRENTLY or a DO block that commits fails in it: a phase that must run
outside a transaction is a file with that one statement. Its timeouts cannot be lifted
from inside it, so its header says to run it without them.
"""

from __future__ import annotations

from migralint.plan.model import Phase, Plan

ONE_QUERY_IN_TRANSACTION = (
    "{tool} sends this file as one query: PostgreSQL runs it as one transaction."
)
ONE_QUERY_OUTSIDE = (
    "This file is one statement that must run outside a transaction: {tool} must not wrap "
    "it in one.\nA statement_timeout or lock_timeout would cancel it part way: if the role "
    "or database sets one,\nrun it on a connection without (statement_timeout=0&"
    "lock_timeout=0 in the database URL)."
)


def note(phase: Phase, tool: str) -> str:
    """The header note for a tool that sends a file as one query."""
    template = ONE_QUERY_IN_TRANSACTION if phase.transactional else ONE_QUERY_OUTSIDE
    return template.format(tool=tool)


def render(plan: Plan, versions: list[str]) -> list[tuple[str, str]]:
    files: list[tuple[str, str]] = []
    for version, phase in zip(versions, plan.phases, strict=True):
        for direction in ("up", "down"):
            body = phase.sql(direction, per_statement=False)
            text = phase.text(body, note(phase, "golang-migrate"))
            files.append((f"{version}_{phase.slug}.{direction}.sql", text))
    return files
