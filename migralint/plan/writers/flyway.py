"""Flyway: `V<version>__name.sql` with its `U<version>__name.sql` undo; a phase that must
run outside a transaction gets `.sql.conf` files saying `executeInTransaction=false`.

Flyway runs a file statement by statement (inside one transaction unless configured
otherwise), so a phase outside a transaction lifts and then resets the statement and
lock timeouts around its work. Flyway replaces `${…}` placeholders anywhere in a file,
comments and quoted names included: a plan with one is refused.
"""

from __future__ import annotations

from migralint.plan.model import Plan, PlanError

_NO_TRANSACTION = "executeInTransaction=false\n"
_OUTSIDE = (
    "Runs outside a transaction (its .sql.conf says executeInTransaction=false), with the\n"
    "statement and lock timeouts lifted for the work and reset after it."
)


def render(plan: Plan, versions: list[str]) -> list[tuple[str, str]]:
    files: list[tuple[str, str]] = []
    for version, phase in zip(versions, plan.phases, strict=True):
        for prefix, direction in (("V", "up"), ("U", "down")):
            name = f"{prefix}{version}__{phase.slug}.sql"
            note = "" if phase.transactional else _OUTSIDE
            text = phase.text(phase.sql(direction, per_statement=True), note)
            if "${" in text:
                raise PlanError(
                    f"{name} would contain '${{', which Flyway replaces as a placeholder: "
                    "write this migration by hand (or turn placeholderReplacement off)"
                )
            files.append((name, text))
            if not phase.transactional:
                files.append((f"{name}.conf", _NO_TRANSACTION))
    return files
