"""Prove `migralint plan --from` over migration sets, outside the test suite.

    .venv/bin/python scripts/differential.py ../shared/corpus/lemmy/migrations
    .venv/bin/python scripts/differential.py lemmy ente --limit 100 --timeout 120
    .venv/bin/python scripts/differential.py path/to/migrations --setup base_schema.sql

Each argument is a migration folder or a corpus project name (see tests/differential.py).
A throwaway PostgreSQL is started for the run (as tests/postgres.py picks it: a corpus
project that creates extensions, or whose guide has them created, needs one with contrib
and PostGIS, e.g. MIGRALINT_TEST_POSTGRES=path). For each set it prints the planned /
kept / refused / equal / different / failed counts, then the first results of each
kind that is not a proof, precisely. Exit status 1 when a plan differs, fails or crashes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from differential import (
    CORPUS_PROJECTS,
    Cluster,
    FileResult,
    SetReport,
    corpus_sets,
    describe,
    migration_sets,
    prove_set,
    setup_script,
)
from postgres import Server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="+", help="migration folders or corpus project names")
    parser.add_argument(
        "--setup",
        action="append",
        type=Path,
        default=[],
        help="a file to run (with psql) before the first migration of a folder",
    )
    parser.add_argument("--limit", type=int, default=0, help="stop each set after N files")
    parser.add_argument(
        "--timeout",
        type=float,
        default=300,
        help="seconds for one file's plan and proof (default 300)",
    )
    parser.add_argument(
        "--host",
        help="the socket folder of a running throwaway PostgreSQL to use instead of starting "
        "one (for server settings a set needs, e.g. max_locks_per_transaction); the harness "
        "turns its durability off",
    )
    parser.add_argument("--show", type=int, default=5, help="results shown per kind")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every file's result")
    args = parser.parse_args()

    started = time.monotonic()

    def progress(result: FileResult) -> None:
        if args.verbose:
            detail = f": {result.detail.splitlines()[0]}" if result.detail else ""
            print(
                f"[{time.monotonic() - started:7.1f}s] {result.outcome:13} {result.path}{detail}",
                flush=True,
            )

    reports: list[SetReport] = []
    with tempfile.TemporaryDirectory(prefix="migralint-differential-") as data:
        server = None if args.host else Server(Path(data))
        cluster = Cluster(server.host if server else args.host, timeout=args.timeout)
        try:
            for given in args.sets:
                if given in CORPUS_PROJECTS:
                    sets = corpus_sets(given)
                else:
                    setup = tuple(setup_script(p) for p in args.setup)
                    sets = [(files, setup) for files in migration_sets(Path(given))]
                if not sets:
                    print(f"{given}: no PostgreSQL migration set found", flush=True)
                for files, setup in sets:
                    report = prove_set(
                        cluster,
                        files,
                        setup=setup,
                        limit=args.limit,
                        timeout=args.timeout,
                        progress=progress,
                    )
                    reports.append(report)
                    print(describe(report, args.show), flush=True)
        finally:
            cluster.close()
            if server is not None:
                server.stop()
    wrong = sum(r.counts()[k] for r in reports for k in ("different", "failed", "crashed"))
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
