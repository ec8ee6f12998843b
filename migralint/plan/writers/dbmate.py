"""dbmate: one `<version>_name.sql` per phase with `-- migrate:up` and `-- migrate:down`.

dbmate runs each section as one query, in a transaction unless the section's marker
says `transaction:false`; a phase that must run outside one says so on both markers,
and is one statement (a multi-statement query is an implicit transaction).
"""

from __future__ import annotations

from migralint.plan.model import Plan
from migralint.plan.writers.golang_migrate import note


def render(plan: Plan, versions: list[str]) -> list[tuple[str, str]]:
    files: list[tuple[str, str]] = []
    for version, phase in zip(versions, plan.phases, strict=True):
        options = "" if phase.transactional else " transaction:false"
        up, down = (phase.sql(d, per_statement=False) for d in ("up", "down"))
        body = f"-- migrate:up{options}\n{up}\n\n-- migrate:down{options}\n{down}\n"
        files.append((f"{version}_{phase.slug}.sql", phase.text(body, note(phase, "dbmate"))))
    return files
