"""Choosing version numbers after the newest migration, and writing files safely."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from migralint.plan.model import Plan, PlanError
from migralint.plan.writers import WRITERS

_TIMESTAMP_DIGITS = 14


def next_versions(out: Path, fmt: str, count: int) -> list[str]:
    """Versions after the newest migration in `out`, in the folder's own style."""
    existing = _existing_versions(out)
    if (existing and max(len(v) for v in existing) >= _TIMESTAMP_DIGITS) or (
        not existing and fmt == "dbmate"
    ):
        now = int(datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d%H%M%S"))
        start = max([now, *(int(v) + 1 for v in existing)])
        return [str(start + i) for i in range(count)]
    newest = max((int(v) for v in existing), default=0)
    width = 4 if fmt == "sql" else 1
    return [str(newest + 1 + i).zfill(width) for i in range(count)]


def _existing_versions(out: Path) -> list[str]:
    """Leading version numbers of the migrations in `out` (Flyway's first part)."""
    if not out.is_dir():
        return []
    found = []
    for path in out.iterdir():
        m = re.match(r"[VUB]?(\d+)", path.name)
        if m:
            found.append(m[1])
    return found


def write_plan(plan: Plan, fmt: str, out: Path) -> list[Path]:
    """Write every file of the plan into `out`; refuses if any of them exists."""
    if fmt not in WRITERS:
        raise PlanError(f"unknown format {fmt!r}; use one of {', '.join(WRITERS)}")
    files = WRITERS[fmt](plan, next_versions(out, fmt, len(plan.phases)))
    targets = [out / name for name, _ in files]
    taken = [str(t) for t in targets if t.exists()]
    if taken:
        raise PlanError(f"refusing to overwrite {', '.join(taken)}")
    out.mkdir(parents=True, exist_ok=True)
    for target, (_, text) in zip(targets, files, strict=True):
        with target.open("x", encoding="utf-8") as handle:  # "x": never overwrite
            handle.write(text)
    return targets
