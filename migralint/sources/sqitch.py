"""Sqitch projects, read statically: `sqitch.conf`'s folders and `sqitch.plan`'s order.

Sqitch deploys the changes its plan lists, in the plan's order (not the file names'):
`deploy/<change>.sql`, checked by `verify/<change>.sql`, undone by `revert/<change>.sql`.
A change reworked after a tag keeps its earlier scripts as `<change>@<tag>.sql`, the
first tag between it and its next reworking. A script the plan does not name never
runs. Sqitch's PostgreSQL engine runs each script with `psql --file`, outside any
transaction but the script's own `BEGIN; … COMMIT;`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CONFIG = "sqitch.conf"
PLAN = "sqitch.plan"
MARKERS = (CONFIG, PLAN)  # either one makes its folder a Sqitch project's
SCRIPT_KINDS = ("deploy", "verify", "revert")  # in the order one change's scripts sort

_SECTION = re.compile(r'^\[\s*([\w.-]+)(?:\s+"([^"]*)")?\s*\]$')
_SETTING = re.compile(r"^([\w.-]+)\s*=\s*(.*?)\s*$")
_STAMP = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"
_CHANGE = re.compile(
    rf"^[+-]?(?P<name>[^\s\[\]@#:%+-][^\s\[\]@#:]*)\s+(?:\[[^\]]*\]\s+)?{_STAMP}\s"
)
_TAG = re.compile(rf"^@(?P<name>[^\s@#:]+)\s+{_STAMP}\s")
_ENGINES = {"pg": "postgres", "mysql": "mysql", "sqlite": "sqlite", "cockroach": "cockroach"}


@dataclass(frozen=True, slots=True)
class Plan:
    """Which scripts the plan runs: script name (the change, `change@tag` for an earlier
    instance of a reworked change) → its place in the plan; or why it cannot be read."""

    scripts: dict[str, int]
    problem: tuple[int, str] | None = None  # (line, what is wrong)


@dataclass(frozen=True, slots=True)
class Project:
    """A Sqitch project: its top folder (the migration set), its plan and folders."""

    top: Path
    plan_path: Path
    folders: tuple[tuple[str, Path], ...]  # (deploy | verify | revert, folder)
    extension: str
    dialect: str | None
    plan: Plan

    def script(self, path: Path) -> tuple[str, str] | None:
        """(kind, script name) of a path under one of the project's script folders."""
        for kind, folder in self.folders:
            try:
                relative = path.relative_to(folder).as_posix()
            except ValueError:
                continue
            suffix = "." + self.extension
            if relative.lower().endswith(suffix.lower()):
                return kind, relative[: -len(suffix)]
            return None
        return None


def read_config(text: str) -> dict[str, str]:
    """A sqitch.conf (git-config syntax) as `section.key` (`engine.pg.key`) → value."""
    found: dict[str, str] = {}
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if m := _SECTION.match(line):
            section = m[1].lower() + (f".{m[2]}" if m[2] is not None else "")
        elif (m := _SETTING.match(line)) and section:
            found[f"{section}.{m[1].lower()}"] = m[2].strip('"')
    return found


def project(
    here: Path, config: dict[str, str], read: Callable[[Path], str | None]
) -> Project | None:
    """The project configured in `here` (its sqitch.conf, else defaults), its plan read
    with `read` (None: there is no plan, so no project). An engine's section
    (`[engine "pg"]`) overrides `[core]`."""
    engine = config.get("core.engine", "")

    def setting(key: str) -> str:
        return config.get(f"engine.{engine}.{key}") or config.get(f"core.{key}") or ""

    top = here / (setting("top_dir") or ".")
    plan_path = here / setting("plan_file") if setting("plan_file") else top / PLAN
    plan_text = read(plan_path)
    if plan_text is None:
        return None
    return Project(
        top=top,
        plan_path=plan_path,
        folders=tuple((kind, top / (setting(f"{kind}_dir") or kind)) for kind in SCRIPT_KINDS),
        extension=setting("extension") or "sql",
        dialect=_ENGINES.get(engine, engine or None),
        plan=read_plan(plan_text),
    )


def read_plan(text: str) -> Plan:
    """The scripts a sqitch.plan runs, in its order, or the first line it cannot read
    (a plan that names no change runs nothing)."""
    changes: list[tuple[str, int]] = []  # (change, line)
    tags: list[tuple[int, str]] = []  # (changes before the tag, tag)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", "%")):
            continue
        if m := _TAG.match(line + " "):
            tags.append((len(changes), m["name"]))
        elif m := _CHANGE.match(line + " "):
            changes.append((m["name"], number))
        else:
            shown = line if len(line) <= 60 else line[:59] + "…"
            return Plan({}, (number, f"not a change, tag or pragma line: {shown!r}"))
    return _scripts(changes, tags)


def _scripts(changes: list[tuple[str, int]], tags: list[tuple[int, str]]) -> Plan:
    """Script names by place: the last instance of a change is `name`, each earlier one
    `name@tag` for each tag before its next reworking (sqitch takes the first of them
    that exists)."""
    scripts: dict[str, int] = {}
    last: dict[str, int] = {}
    for place, (name, line) in enumerate(changes):
        if name in last:
            earlier = last[name]
            between = [tag for after, tag in tags if earlier < after <= place]
            if not between:
                return Plan({}, (line, f"change {name} is reworked without a tag in between"))
            for tag in between:
                scripts.setdefault(f"{name}@{tag}", earlier)
        last[name] = place
    scripts.update(last)
    return Plan(scripts)
