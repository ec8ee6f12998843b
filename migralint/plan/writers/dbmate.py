"""dbmate: one `<version>_name.sql` per phase with `-- migrate:up` and `-- migrate:down`."""

from __future__ import annotations

from migralint.plan.model import Plan


def render(plan: Plan, versions: list[str]) -> list[tuple[str, str]]:
    files: list[tuple[str, str]] = []
    for version, phase in zip(versions, plan.phases, strict=True):
        options = "" if phase.transactional else " transaction:false"
        body = (
            f"-- migrate:up{options}\n{phase.up.strip()}\n\n-- migrate:down\n{phase.down.strip()}\n"
        )
        files.append((f"{version}_{phase.slug}.sql", phase.text(body)))
    return files
