"""The rollback decision tree for a release (HEAD against its previous tag).

Walked in the reference's order: a kill switch first (only the person running it knows:
`--kill-switch`); then whether the release dropped or renamed what the previous
release's code still needs (then a code rollback cannot work: roll forward with a hotfix
from the release in production); then whether the previous artifact is otherwise
compatible with the current schema (the compatibility rules on this release's
migrations); if so, redeploy it. Every schema question is answered even when an earlier
node decides, so that `rollback_safe` always says whether a code rollback is schema-safe.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from migralint.findings import Finding, Severity
from migralint.release.changes import Release
from migralint.release.facts import ReleaseFacts, Removal


@dataclass(frozen=True)
class Step:
    question: str
    answer: str
    because: tuple[str, ...] = ()  # the migrations (and code lines) that decided it


@dataclass(frozen=True)
class Base:
    """The previous release: the ref, its commit, and why it was taken."""

    name: str
    commit: str
    how: str


@dataclass(frozen=True)
class Verdict:
    base: Base
    head: str
    steps: tuple[Step, ...]
    decision: str
    action: str
    rollback_safe: bool

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def decide(
    release: Release,
    facts: ReleaseFacts,
    findings: list[Finding],
    *,
    compatibility_rules: frozenset[str],
    kill_switch: bool,
    code_paths_set: bool,
    head: str,
) -> Verdict:
    """Walk the tree for `release`; `findings` are the lint findings of its migrations,
    `compatibility_rules` the ids of the rules about N-1 running on the new schema."""
    blocking = [r for r in facts.removals if r.hits or not code_paths_set]
    incompatible = [
        f for f in findings if f.rule in compatibility_rules and f.severity >= Severity.WARNING
    ]
    flag = Step(
        "Is the bad change behind a feature flag?",
        "yes (--kill-switch)" if kill_switch else "not said (pass --kill-switch if it is)",
    )
    destructive = Step(
        f"Did this release drop or rename what {release.name}'s code needs?",
        "yes" if blocking else "no",
        tuple(_removal_line(r, code_paths_set) for r in blocking),
    )
    compatible = Step(
        f"Does {release.name}'s code work on the current schema otherwise?",
        "no" if incompatible else "yes",
        tuple(f"{f.path}:{f.line} {f.rule}: {f.message}" for f in incompatible),
    )
    safe = not blocking and not incompatible
    if kill_switch:
        decision, action = "flip the kill switch", _FLIP
    elif not safe:
        decision, action = "roll forward with a hotfix", _hotfix(head)
    else:
        decision, action = f"roll the code back to {release.name}", _redeploy(release.name)
    steps = (flag,) if kill_switch and safe else (flag, destructive, compatible)
    base = Base(release.name, release.commit, release.how)
    return Verdict(base, head, steps, decision, action, safe)


_FLIP = (
    "Turn the feature flag off: seconds, no deploy, nothing rolled back. The schema "
    "questions below say what a code rollback would meet if the flag is not enough."
)


def _hotfix(head: str) -> str:
    return (
        "A code rollback would run on a schema it cannot use: roll forward. Branch the "
        f"hotfix from the release in production (`git switch -c hotfix/<name> {head}`), make "
        "the one minimal fix, tag it, ship it through the expedited gate, then cherry-pick "
        "it back to main."
    )


def _redeploy(tag: str) -> str:
    return (
        f"The schema is compatible with {tag}'s code: shift traffic back to a warm "
        f"blue-green copy of {tag} if there is one, else redeploy the {tag} artifact "
        "(`kubectl rollout undo`, `helm rollback`); with no artifact of it left, rebuild "
        f"from {tag} (slow) or roll forward. Keep the schema: do not run downs."
    )


def _removal_line(removal: Removal, code_paths_set: bool) -> str:
    loc = removal.op.loc
    if not code_paths_set:
        used = "assumed used (no code_paths configured)"
    else:
        used = "used by " + ", ".join(f"{h.path}:{h.line}" for h in removal.hits[:10])
    return f"{loc.path}:{loc.line} {removal.what}: {used}"


def render_text(verdict: Verdict) -> str:
    base = verdict.base
    lines = [f"rollback-check: {verdict.head} against {base.name} ({base.commit[:10]}, {base.how})"]
    for number, step in enumerate(verdict.steps, 1):
        lines.append(f"{number}. {step.question} {step.answer}")
        lines.extend(f"     {reason}" for reason in step.because)
    safe = "yes" if verdict.rollback_safe else "no"
    lines += [
        f"decision: {verdict.decision}",
        f"do: {verdict.action}",
        f"code rollback schema-safe: {safe}",
    ]
    return "\n".join(lines) + "\n"
