"""Shared test helpers: write migration trees and lint them."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from pathlib import Path

from migralint.config import Settings
from migralint.engine import LintResult, lint_paths

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def lint_tree(root: Path, files: dict[str, str | bytes], **settings: object) -> LintResult:
    write_tree(root, files)
    return lint_paths([root], Settings(**settings))  # type: ignore[arg-type]


def rules_of(result: LintResult) -> list[str]:
    return [f.rule for f in result.findings]


def cpu_seconds(work: Callable[[], object], runs: int = 3) -> float:
    """The best of `runs` CPU times of `work()`, with the garbage collector off while
    timed: its passes grow with the heap, and other jobs' load is not this process's."""
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        gc.disable()
        try:
            started = time.process_time()
            work()
            best = min(best, time.process_time() - started)
        finally:
            gc.enable()
    return best
