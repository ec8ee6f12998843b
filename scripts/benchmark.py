"""Time `lint_paths` over the real-world corpus, per project (not a test: speed is
measured here, on real migration sets, never asserted in the suite).

    python scripts/benchmark.py [CORPUS_DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from migralint.config import Settings
from migralint.engine import lint_paths

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    projects = sorted(p for p in args.corpus.iterdir() if p.is_dir())
    lint_paths([projects[0]], Settings())  # load rules and sqlglot once, outside the timing
    total_files, total_seconds = 0, 0.0
    print(f"{'project':<16}{'files':>7}{'bytes':>11}{'best s':>9}{'files/s':>9}")
    for project in projects:
        size = sum(f.stat().st_size for f in project.rglob("*") if f.is_file())
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = lint_paths([project], Settings())
            best = min(best, time.perf_counter() - start)
        files = result.files_linted
        total_files += files
        total_seconds += best
        print(f"{project.name:<16}{files:>7}{size:>11}{best:>9.3f}{files / best:>9.0f}")
    rate = total_files / total_seconds
    print(f"{'total':<16}{total_files:>7}{'':>11}{total_seconds:>9.3f}{rate:>9.0f}")


if __name__ == "__main__":
    main()
