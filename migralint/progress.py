"""A one-line progress bar on a terminal while a long run lints.

The engine reports each file it has linted (`lint_paths(on_file=…)`); the line shows a
bar, how many of the run's files are done and how long it has taken, redrawn by a
background thread, and is erased when the run ends (also when it fails or is
interrupted), leaving the terminal as it was. Runs over fewer than MIN_FILES files never
draw it.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import TextIO

MIN_FILES = 25
"""Runs over fewer files finish too fast for a progress line to help."""

_WIDTH = 20
_SPINNER = "|/-\\"
_ERASE = "\r\x1b[K"  # back to the line's start, clear to its end


class Progress:
    """`with Progress(stderr) as p: lint_paths(…, on_file=p.update)` shows
    `linting 400 files [#####               ] 100/400 | 3.2 s` until the block ends."""

    def __init__(self, stream: TextIO, interval: float = 0.1) -> None:
        self._stream = stream
        self._interval = interval
        self._done = 0
        self._total = 0
        self._drawn = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="migralint-progress", daemon=True)
        self._started = time.monotonic()

    def __enter__(self) -> Progress:
        self._started = time.monotonic()
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
        with self._lock:
            if self._drawn:
                self._stream.write(_ERASE)
                self._stream.flush()

    def update(self, done: int, total: int) -> None:
        """`done` of the run's `total` files are linted."""
        with self._lock:
            self._done, self._total = done, total
        self._draw(0)

    def _run(self) -> None:
        frame = 1
        while not self._stop.wait(self._interval):
            self._draw(frame)
            frame += 1

    def _draw(self, frame: int) -> None:
        with self._lock:
            if self._total < MIN_FILES:
                return
            seconds = time.monotonic() - self._started
            filled = _WIDTH * self._done // self._total
            bar = "#" * filled + " " * (_WIDTH - filled)
            spinner = _SPINNER[frame % len(_SPINNER)]
            self._stream.write(
                f"{_ERASE}linting {self._total:,} files [{bar}] {self._done:,}/{self._total:,}"
                f" {spinner} {seconds:.1f} s"
            )
            self._stream.flush()
            self._drawn = True
