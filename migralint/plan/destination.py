"""Where a plan goes when `--out` or `--format` is not given: beside the existing
migrations, in their tool's file layout."""

from __future__ import annotations

from pathlib import Path

from migralint.plan.model import PlanError
from migralint.sources.discover import discover
from migralint.sources.layout import MigrationFile

# The tools whose layout a writer produces; popx reads golang-migrate's names.
FORMAT_OF_TOOL = {
    "flyway": "flyway",
    "golang-migrate": "golang-migrate",
    "popx": "golang-migrate",
    "dbmate": "dbmate",
    "plain": "sql",
    "alembic": "alembic",
}


def destination(out: Path | None, fmt: str | None, search: Path) -> tuple[Path, str]:
    """The folder and format to write a plan in.

    Without `out`: the folder of the newest migration of the one migration set found
    under `search` (the current directory when not given), or `search` itself if there
    is none. Without `fmt`: the format of the migrations in that folder, else `sql`.
    """
    folder = search if out is None else out
    newest = _newest_per_set(folder) if (out is None or fmt is None) and folder.is_dir() else []
    if out is None:
        if len(newest) > 1:
            sets = "\n  ".join(str(m.set_root) for m in newest)
            raise PlanError(
                f"several migration sets under {search}:\n  {sets}\npass --out naming one"
            )
        out = newest[0].path.parent if newest else search
    if fmt is None:
        tool = newest[0].tool if newest else "plain"
        if tool not in FORMAT_OF_TOOL:
            raise PlanError(
                f"the migrations in {out} are {tool} migrations, a layout the planner does not "
                "write: pass --format (sql, golang-migrate, flyway, dbmate, alembic) and --out"
            )
        fmt = FORMAT_OF_TOOL[tool]
    return out, fmt


def _newest_per_set(folder: Path) -> list[MigrationFile]:
    """The last migration (in the tool's order) of each set under `folder`."""
    newest: dict[Path, MigrationFile] = {}
    for migration in discover([folder]).files:
        if migration.direction == "up":
            newest[migration.set_root] = migration
    return list(newest.values())
