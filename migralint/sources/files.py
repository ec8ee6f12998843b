"""Reading input files safely: regular files only, never blocking, never unbounded.

A FIFO, a device or a socket is refused from its `stat` before it is opened (and the
open is non-blocking, re-checked with `fstat`, in case the path changed in between);
a read never takes more than the limit it is given.
"""

from __future__ import annotations

import os
import stat

from migralint.problems import FileTooLarge, InputProblem, SpecialFile, UnreadableFile

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class InputError(Exception):
    """The file cannot be linted; `problem` is the finding that says why."""

    def __init__(self, problem: InputProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def kind_of(mode: int) -> str | None:
    """What a non-regular file is ("a named pipe (FIFO)"), None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_file(path: str, limit: int) -> bytes:
    """The whole file, refused (InputError) when it is larger than `limit` bytes."""
    data = _read(path, limit + 1, limit)
    if len(data) > limit:
        raise InputError(FileTooLarge.at(path, _too_large(limit)))
    return data


def read_head(path: str, size: int) -> bytes:
    """The first `size` bytes of a regular file; b"" for anything else or on error."""
    try:
        return _read(path, size, None)
    except InputError:
        return b""


def _read(path: str, size: int, limit: int | None) -> bytes:
    try:
        before = os.stat(path)
        _check_regular(path, before.st_mode)
        if limit is not None and before.st_size > limit:
            raise InputError(FileTooLarge.at(path, _too_large(limit, before.st_size)))
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        try:
            _check_regular(path, os.fstat(fd).st_mode)
            chunks: list[bytes] = []
            left = size
            while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
                chunks.append(chunk)
                left -= len(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)
    except OSError as error:
        raise InputError(
            UnreadableFile.at(path, f"cannot read the file: {error.strerror}")
        ) from error


def special_file(path: str, mode: int) -> SpecialFile:
    """The finding for a path that is not a regular file: it is never opened."""
    return SpecialFile.at(path, f"{kind_of(mode)}, not a regular file: not read")


def _check_regular(path: str, mode: int) -> None:
    if kind_of(mode) is not None:
        raise InputError(special_file(path, mode))


def _too_large(limit: int, size: int | None = None) -> str:
    actual = f"{size:,} bytes" if size is not None else "more"
    return f"{actual}, over the max_file_size of {limit:,} bytes: not linted"
