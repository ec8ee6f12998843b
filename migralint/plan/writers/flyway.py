"""Flyway: `V<version>__name.sql` with its `U<version>__name.sql` undo; a phase that must
run outside a transaction gets `.sql.conf` files saying `executeInTransaction=false`."""

from __future__ import annotations

from migralint.plan.model import Plan


def render(plan: Plan, versions: list[str]) -> list[tuple[str, str]]:
    files: list[tuple[str, str]] = []
    for version, phase in zip(versions, plan.phases, strict=True):
        name = f"V{version}__{phase.slug}.sql"
        files.append((name, phase.text(phase.up)))
        files.append((f"U{version}__{phase.slug}.sql", phase.text(phase.down)))
        if not phase.transactional:
            files.append((f"{name}.conf", "executeInTransaction=false\n"))
            files.append((f"U{version}__{phase.slug}.sql.conf", "executeInTransaction=false\n"))
    return files
