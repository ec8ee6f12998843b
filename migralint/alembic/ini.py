"""The `alembic.ini` above a version folder: where it is and the `[alembic]` options
the reader needs (`sqlalchemy.url`, `prepend_sys_path`)."""

from __future__ import annotations

import configparser
import os
import re
from pathlib import Path

from migralint.sources.files import InputError, read_file

_INI_LEVELS = 4  # how far above the version folder alembic.ini may be
_INI_SIZE = 1 << 20


def find_ini(version_folder: Path) -> Path | None:
    """The nearest `alembic.ini` above a version folder (Alembic's configuration)."""
    folders = [version_folder, *version_folder.parents][:_INI_LEVELS]
    return next((f / "alembic.ini" for f in folders if (f / "alembic.ini").is_file()), None)


def prepend_sys_path(version_folder: Path) -> list[Path]:
    """The folders `prepend_sys_path` of the nearest `alembic.ini` puts first on
    `sys.path`, relative to that file's folder (where `alembic` runs)."""
    ini = find_ini(version_folder)
    separators = rf"[\s,{re.escape(os.pathsep)}]+"  # alembic's legacy splitting
    entries = re.split(separators, ini_option(version_folder, "prepend_sys_path"))
    here = str(ini.parent) if ini is not None else ""
    return [ini.parent / e.replace("%(here)s", here) for e in entries if e and ini is not None]


def ini_option(version_folder: Path, name: str) -> str:
    """An `[alembic]` option of the nearest `alembic.ini` above the folder ("" if none)."""
    ini = find_ini(version_folder)
    if ini is None:
        return ""
    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read_string(read_file(str(ini), _INI_SIZE).decode("utf-8", "replace"))
    except (InputError, configparser.Error):
        return ""
    return parser.get("alembic", name, fallback="")
