"""How discovery sees an Alembic revision: a `MigrationFile` of tool `alembic`, placed
in its folder's upgrade order. Its downgrade is linted from the same file."""

from __future__ import annotations

from pathlib import Path

from migralint.alembic.project import VersionSets, revision_file_at
from migralint.sources.layout import MigrationFile

_VERSIONED = 1  # layout's sort-key phase of the versioned timeline


def revision_file(
    folder: Path, name: str, sets: VersionSets, dialect: str | None = None
) -> MigrationFile | None:
    """The MigrationFile for `folder/name` if it is an Alembic revision, else None;
    `dialect`: what the folder's path names (a per-dialect version tree), else the
    database the project's URL names."""
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
    )
