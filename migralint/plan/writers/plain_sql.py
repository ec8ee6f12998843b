"""Plain SQL directory: `0001_name.sql` and its `0001_name.down.sql`."""

from __future__ import annotations

from migralint.plan.model import Plan


def render(plan: Plan, versions: list[str]) -> list[tuple[str, str]]:
    files: list[tuple[str, str]] = []
    for version, phase in zip(versions, plan.phases, strict=True):
        files.append((f"{version}_{phase.slug}.sql", phase.text(phase.up)))
        files.append((f"{version}_{phase.slug}.down.sql", phase.text(phase.down)))
    return files
