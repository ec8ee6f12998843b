"""How discovery sees an Alembic revision: a `MigrationFile` of tool `alembic`, placed
in its folder's upgrade order. Its downgrade is linted from the same file.

Per-dialect version trees (`versions/postgresql/`, `versions/sqlite/`) are the ones
env.py chooses from by the database it connects to: one database runs one of them, so
beside a tree of the dialect being judged the other trees never run."""

from __future__ import annotations

import os
from pathlib import Path

from migralint.alembic.project import VersionSets, revision_file_at, tree_dialect
from migralint.sources.layout import MigrationFile

_VERSIONED = 1  # layout's sort-key phase of the versioned timeline


def revision_file(
    folder: Path,
    name: str,
    sets: VersionSets,
    dialect: str | None = None,
    judged: str | None = None,
) -> MigrationFile | None:
    """The MigrationFile for `folder/name` if it is an Alembic revision, else None;
    `dialect`: what the folder's path names (a per-dialect version tree), else the
    database the project's URL names; `judged`: the dialect being judged (None:
    PostgreSQL)."""
    path = folder / name
    if not revision_file_at(path):
        return None
    version_set = sets.of(folder)
    revision = version_set.revision_at(path)
    return MigrationFile(
        path=path,
        set_root=version_set.folder,
        sort_key=(_VERSIONED, (version_set.position(path),), 0, name),
        tool="alembic",
        direction="up",
        dialect=dialect or version_set.environment.dialect,
        transaction=None,
        fresh_install=False,
        version=(revision.revision or "") if revision else "",
        not_run=_other_tree(version_set.folder, judged or "postgres"),
    )


def _other_tree(root: Path, judged: str) -> str:
    """Why the per-dialect tree `root` never runs when a sibling tree is `judged`'s
    ("" when it runs: it is that tree, or no tree beside it is)."""
    own = tree_dialect(root.name)
    if own is None or own == judged or root.parent.name != "versions":
        return ""
    try:
        with os.scandir(root.parent) as entries:
            siblings = sorted(e.name for e in entries if e.is_dir() and e.name != root.name)
    except OSError:
        return ""
    chosen = next((s for s in siblings if tree_dialect(s) == judged), None)
    if chosen is None:
        return ""
    return f"of the {own} tree: on {judged}, the dialect judged, env.py runs versions/{chosen}/"
