"""Run independent pieces of work across cores, results in the order they were given.

Large runs are shared among worker processes (the work is CPU-bound Python, so threads
would not help); small ones run here, where a pool's start-up would cost more than it
saves. Results come back in the order of `items` whatever order the workers finish in,
so a parallel run prints exactly what a serial run prints.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

T = TypeVar("T")
R = TypeVar("R")

JOBS_ENV = "MIGRALINT_JOBS"
SERIAL_BELOW = 200_000  # bytes of input: about a fifth of a second of parsing on one core


def available_cores() -> int:
    """The cores this process may run on (`MIGRALINT_JOBS` overrides, at least 1)."""
    configured = os.environ.get(JOBS_ENV, "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def ordered_map(
    work: Callable[[T], R],
    items: Sequence[T],
    sizes: Sequence[int],
    *,
    jobs: int | None = None,
    serial_below: int | None = None,
    prepare: Callable[[], None] | None = None,
) -> list[R]:
    """`[work(item) for item in items]`, shared among `jobs` processes when the `sizes`
    (bytes, one per item) add up to `serial_below` (default SERIAL_BELOW) or more and
    there is more than one item and core. The largest items start first so that no
    core waits on the last one. `work` is given to each worker once, when it starts,
    and never pickled per item. `prepare()` runs here before the workers start (only
    if they do): what it imports or builds, each forked worker inherits instead of
    doing it again."""
    jobs = min(jobs or available_cores(), len(items))
    threshold = SERIAL_BELOW if serial_below is None else serial_below
    if jobs < 2 or sum(sizes) < threshold:
        return [work(item) for item in items]
    if prepare is not None:
        prepare()
    order = sorted(range(len(items)), key=lambda i: -sizes[i])
    results: list[R | None] = [None] * len(items)
    with _context().Pool(jobs, initializer=_Worker.start, initargs=(work, items)) as pool:
        for index, result in pool.imap_unordered(_Worker.run, order):
            results[index] = result
    return results  # type: ignore[return-value]  # every index was filled


def in_worker() -> bool:
    """Whether this process is one of `ordered_map`'s workers: what it returns goes
    through a pipe, pickled."""
    return _Worker.current is not None


def _context() -> BaseContext:
    """fork where the platform has it: the workers inherit the loaded rules and modules.
    (multiprocessing is imported here: a small run never pays for it.)"""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


class _Worker(Generic[T, R]):
    """The work and its items, installed once per worker process."""

    current: _Worker[object, object] | None = None

    def __init__(self, work: Callable[[T], R], items: Sequence[T]) -> None:
        self.work = work
        self.items = items

    @staticmethod
    def start(work: Callable[[T], R], items: Sequence[T]) -> None:
        _Worker.current = _Worker(work, items)  # type: ignore[assignment]

    @staticmethod
    def run(index: int) -> tuple[int, object]:
        worker = _Worker.current
        assert worker is not None, "the pool's initializer installs the work"
        return index, worker.work(worker.items[index])
