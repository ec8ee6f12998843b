"""Work shared among processes comes back in the order it was given."""

from __future__ import annotations

import os
import time

import pytest

from migralint.parallel import available_cores, ordered_map


def _slow_square(n: int) -> tuple[int, int]:
    time.sleep(0.01 * (n % 3))  # workers finish out of order
    return n * n, os.getpid()


def test_parallel_results_keep_the_order_of_the_items() -> None:
    items = list(range(12))
    sizes = [n % 5 for n in items]  # the largest start first, not in item order
    results = ordered_map(_slow_square, items, sizes, jobs=2, serial_below=0)
    assert [square for square, _ in results] == [n * n for n in items]
    assert os.getpid() not in {pid for _, pid in results}  # all of it ran in workers


def test_small_runs_stay_in_this_process() -> None:
    results = ordered_map(_slow_square, [1, 2, 3], [10, 10, 10], jobs=2, serial_below=100)
    assert [square for square, _ in results] == [1, 4, 9]
    assert {pid for _, pid in results} == {os.getpid()}


def test_one_item_or_one_core_is_serial() -> None:
    assert ordered_map(_slow_square, [4], [10**9], jobs=2)[0][1] == os.getpid()
    pids = {pid for _, pid in ordered_map(_slow_square, [1, 2], [10**9] * 2, jobs=1)}
    assert pids == {os.getpid()}


def _fail(n: int) -> int:
    raise ValueError(f"item {n}")


def test_an_exception_in_a_worker_reaches_the_caller() -> None:
    with pytest.raises(ValueError, match="item"):
        ordered_map(_fail, [1, 2], [1, 1], jobs=2, serial_below=0)


def test_jobs_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIGRALINT_JOBS", "3")
    assert available_cores() == 3
    monkeypatch.setenv("MIGRALINT_JOBS", "zero")
    assert available_cores() >= 1


_PREPARED: list[int] = []


def _prepare() -> None:
    _PREPARED.append(os.getpid())


def _prepared_here(n: int) -> tuple[list[int], int]:
    return list(_PREPARED), os.getpid()


def test_what_prepare_builds_the_workers_inherit_and_a_serial_run_skips_it() -> None:
    _PREPARED.clear()
    ordered_map(_prepared_here, [1, 2], [10, 10], jobs=2, serial_below=100, prepare=_prepare)
    assert _PREPARED == []  # no pool, nothing to prepare for
    results = ordered_map(
        _prepared_here, [1, 2, 3], [10] * 3, jobs=2, serial_below=0, prepare=_prepare
    )
    assert [os.getpid()] == _PREPARED  # once, here
    assert all(seen == [os.getpid()] and pid != os.getpid() for seen, pid in results)
