"""A one-line progress indicator on a terminal while a long run lints.

The engine reports nothing while it lints, so the line says how many files the run
has and how long it has taken, redrawn by a background thread, and is erased when the
run ends (also when it fails or is interrupted), leaving the terminal as it was.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import TextIO

MIN_FILES = 25
"""Runs over fewer files finish too fast for a progress line to help."""

_SPINNER = "|/-\\"
_ERASE = "\r\x1b[K"  # back to the line's start, clear to its end


class Progress:
    """`with Progress(stderr, files):` shows `linting N files | 3.2 s` until the block ends."""

    def __init__(self, stream: TextIO, files: int, interval: float = 0.1) -> None:
        self._stream = stream
        self._files = files
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="migralint-progress", daemon=True)
        self._started = time.monotonic()

    def __enter__(self) -> Progress:
        self._started = time.monotonic()
        self._draw(0)
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        self._stream.write(_ERASE)
        self._stream.flush()

    def _run(self) -> None:
        frame = 1
        while not self._stop.wait(self._interval):
            self._draw(frame)
            frame += 1

    def _draw(self, frame: int) -> None:
        seconds = time.monotonic() - self._started
        noun = "file" if self._files == 1 else "files"
        spinner = _SPINNER[frame % len(_SPINNER)]
        self._stream.write(f"{_ERASE}linting {self._files:,} {noun} {spinner} {seconds:.1f} s")
        self._stream.flush()
