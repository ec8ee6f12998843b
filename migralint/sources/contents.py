"""Where a migration's bytes come from: the disk now; a git revision (`--since`) next.

A `Contents` only supplies bytes; what they mean is the front end's business. A path
that cannot be read raises `InputError` with the problem to report.
"""

from __future__ import annotations

from typing import Protocol

from migralint.sources.files import read_file
from migralint.sources.layout import MigrationFile


class Contents(Protocol):
    """Supplies the bytes of migration files."""

    def read(self, file: MigrationFile) -> bytes:
        """The file's bytes; raises `sources.files.InputError` when it cannot be read."""
        ...


class DiskContents:
    """The files as they are on disk, refused past `max_size` bytes or when not regular."""

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size

    def read(self, file: MigrationFile) -> bytes:
        return read_file(str(file.path), self.max_size)
