"""golang-migrate: `<version>_name.up.sql` / `.down.sql`.

golang-migrate sends a file as one multi-statement query (one implicit transaction),
so a phase that must commit per batch is written as a file with that one statement.
"""

from __future__ import annotations

from migralint.plan.model import Plan


def render(plan: Plan, versions: list[str]) -> list[tuple[str, str]]:
    files: list[tuple[str, str]] = []
    for version, phase in zip(versions, plan.phases, strict=True):
        files.append((f"{version}_{phase.slug}.up.sql", phase.text(phase.up)))
        files.append((f"{version}_{phase.slug}.down.sql", phase.text(phase.down)))
    return files
