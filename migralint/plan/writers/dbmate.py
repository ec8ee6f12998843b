"""dbmate: one `<version>_name.sql` per phase with `-- migrate:up` and `-- migrate:down`.

dbmate runs each section as one query, in a transaction unless the section's marker
says `transaction:false`; a phase that must run outside one says so on both markers,
and is one statement (a multi-statement query is an implicit transaction). dbmate cuts
the file at the first line that looks like a marker, wherever it is: a plan with such a
line of its own (a quoted name with a line break) is refused.
"""

from __future__ import annotations

import re

from migralint.plan.model import Plan, PlanError
from migralint.plan.writers.golang_migrate import note

# dbmate's own patterns for its markers (pkg/dbmate/migration.go).
_MARKER = re.compile(r"^--\s*migrate:(?:up(?:\s*$|\s+\S+)|down(?:\s*$|\s+\S+)$)", re.M)


def render(plan: Plan, versions: list[str]) -> list[tuple[str, str]]:
    files: list[tuple[str, str]] = []
    for version, phase in zip(versions, plan.phases, strict=True):
        options = "" if phase.transactional else " transaction:false"
        up, down = (phase.sql(d, per_statement=False) for d in ("up", "down"))
        for section in (up, down):
            if _MARKER.search(section):
                raise PlanError(
                    f"the {phase.name or 'kept'} phase has a line dbmate would read as its "
                    "-- migrate: marker (a name with a line break): write it by hand"
                )
        body = f"-- migrate:up{options}\n{up}\n\n-- migrate:down{options}\n{down}\n"
        files.append((f"{version}_{phase.slug}.sql", phase.text(body, note(phase, "dbmate"))))
    return files
