"""Plain SQL directory: `0001_name.sql` and its `0001_name.down.sql`, for psql.

`psql -v ON_ERROR_STOP=1 -f FILE` runs a file statement by statement, each in its own
transaction unless the file opens one: a phase that runs in a transaction carries its
own `BEGIN;` … `COMMIT;` (so `SET LOCAL` lasts until its end). A phase that must not is
its one statement alone, so that a runner sending the file as one query can run it too.
"""

from __future__ import annotations

from migralint.plan.model import Phase, Plan

_IN_TRANSACTION = (
    "Run with psql -v ON_ERROR_STOP=1 -f (not -1 / --single-transaction: "
    "the file has its own BEGIN and COMMIT)."
)
_OUTSIDE = (
    "One statement that must run outside a transaction: psql -v ON_ERROR_STOP=1 -f, without\n"
    "-1 / --single-transaction, and without a statement_timeout or lock_timeout to cancel it\n"
    "part way (PGOPTIONS='-c statement_timeout=0 -c lock_timeout=0' if the role sets one)."
)


def _file(phase: Phase, direction: str) -> str:
    body = phase.sql(direction, per_statement=False)
    if phase.transactional:
        return phase.text(f"BEGIN;\n\n{body}\n\nCOMMIT;", _IN_TRANSACTION)
    return phase.text(body, _OUTSIDE)


def render(plan: Plan, versions: list[str]) -> list[tuple[str, str]]:
    files: list[tuple[str, str]] = []
    for version, phase in zip(versions, plan.phases, strict=True):
        files.append((f"{version}_{phase.slug}.sql", _file(phase, "up")))
        files.append((f"{version}_{phase.slug}.down.sql", _file(phase, "down")))
    return files
