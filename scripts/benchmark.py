"""Time `migralint check` against squawk on the PostgreSQL files of the shared corpus.

Not a test and not run in CI: speed is measured here, side by side on one machine, and
never asserted in the suite. Every figure is printed with its target (issue 13) beside it.

    .venv/bin/python scripts/benchmark.py [--rounds 5] [--quick] [--json] [--corpus PATH]

What it runs, each command in a fresh process (wall time from spawn to exit, peak memory
from that child's own rusage), alternating migralint and squawk round by round:

- the full corpus, cold (empty cache) and warm (cache filled by one untimed run);
- one file, the pre-commit case: with an empty cache, edited since the last run (the
  rest of its set cached; on a copy of its project), and a cache hit;
- `migralint --version`, `migralint rules`, `migralint explain drop-column`: start-up time,
  and whether the command imports sqlglot (it should not).

Files: the `.sql` files a user would point squawk at, the PostgreSQL ones by the README's
conventions: not those whose name says another engine (`.mysql.`, `.sqlite3.`,
`___H2.sql`, `.cockroach.`) nor those under a folder named after one (`MYSQL/`, `h2/`).
migralint gets the same list of files as squawk.

Cache: migralint is run with MIGRALINT_CACHE_DIR (rename with --cache-env) and
XDG_CACHE_HOME pointing into a temporary directory: a new empty one for every cold or
cache-miss run, one filled beforehand for warm and cache-hit runs; the user's own cache
is never touched. The script says whether migralint wrote anything there: until a cache
lands, "warm" and "hit" measure the same work as "cold" and "miss".

squawk is a dev tool, not a dependency: `.venv/bin/pip install squawk-cli`. It is looked
up beside migralint, then on PATH (or --squawk PATH); without it, its columns are skipped
with a note. The sqlglot in use is reported (`pip install '.[fast]'` adds the compiled
`sqlglotc`): run once with and once without it to compare. Unix only (os.wait4).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
ENGINES = {
    "postgres": "postgres", "postgresql": "postgres", "pgsql": "postgres", "pg": "postgres",
    "mysql": "mysql", "mariadb": "mysql", "sqlite": "sqlite", "sqlite3": "sqlite", "h2": "h2",
    "cockroach": "cockroach", "cockroachdb": "cockroach", "mssql": "tsql", "sqlserver": "tsql",
}  # fmt: skip
ENGINE_SUFFIX = re.compile(r".*__([a-z0-9]+)\.sql", re.IGNORECASE)  # x___MYSQL.sql
STARTUP_COMMANDS = (["--version"], ["rules"], ["explain", "drop-column"])
SINGLE_FILE_SIZE = 2048  # the pre-commit case: the corpus file nearest this size
IMPORT_PROBE = """\
import sys
sys.argv = ["migralint", *sys.argv[1:]]
from migralint.cli import main
try:
    main()
except SystemExit:
    pass
sys.__stderr__.write(f"\\nsqlglot-imported={'sqlglot' in sys.modules}\\n")
"""
SQLGLOT_PROBE = """\
import importlib.metadata as md, json, sqlglot, sqlglot.parser
try:
    compiled = md.version("sqlglotc")
except md.PackageNotFoundError:
    compiled = None
print(json.dumps({"sqlglot": sqlglot.__version__, "sqlglotc": compiled,
                  "parser_module": sqlglot.parser.__file__}))
"""


@dataclass
class Run:
    seconds: float
    max_rss_mb: float
    cpu_seconds: float = 0.0  # user + system: what the load of other processes leaves alone


@dataclass
class Scenario:
    name: str
    target: str
    migralint: list[Run] = field(default_factory=list)
    squawk: list[Run] = field(default_factory=list)
    limit: float | None = None  # seconds, or a migralint/squawk ratio when ratio_target
    ratio_target: bool = False
    sqlglot_imported: bool | None = None
    load: list[float] = field(default_factory=list)  # 1-minute load average at each round

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.migralint)

    @property
    def cpu_median(self) -> float:
        return statistics.median(r.cpu_seconds for r in self.migralint)

    @property
    def squawk_median(self) -> float | None:
        return statistics.median(r.seconds for r in self.squawk) if self.squawk else None

    @property
    def ratio(self) -> float | None:
        squawk = self.squawk_median
        return self.median / squawk if squawk else None

    @property
    def met(self) -> bool | None:
        if self.sqlglot_imported is not None:
            return not self.sqlglot_imported
        if self.limit is None:
            return None
        value = self.ratio if self.ratio_target else self.median
        return None if value is None else value <= self.limit


def engine_of(path: Path, corpus: Path) -> str:
    """The engine a file is for: its name's infix or suffix, an engine folder, else PG."""
    for token in reversed(path.name.lower().split(".")[1:]):
        if token in ENGINES:
            return ENGINES[token]
    m = ENGINE_SUFFIX.fullmatch(path.name)
    if m and m[1].lower() in ENGINES:
        return ENGINES[m[1].lower()]
    for part in reversed(path.relative_to(corpus).parts[:-1]):
        if part.lower() in ENGINES:
            return ENGINES[part.lower()]
    return "postgres"


def postgres_files(corpus: Path) -> tuple[list[Path], dict[str, int]]:
    """The PostgreSQL `.sql` files of the corpus, sorted, and the count left out per engine."""
    kept: list[Path] = []
    skipped: dict[str, int] = {}
    for path in sorted(corpus.rglob("*")):
        if not (path.is_file() and path.name.lower().endswith(".sql")):
            continue
        engine = engine_of(path, corpus)
        if engine == "postgres":
            kept.append(path)
        else:
            skipped[engine] = skipped.get(engine, 0) + 1
    return kept, skipped


def run(cmd: list[str], env: dict[str, str], cwd: Path, ok: tuple[int, ...] = (0,)) -> Run:
    """Run `cmd` in a fresh process; its wall time and its own peak RSS (os.wait4)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, cwd=cwd, env=env
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in ok:
            err.seek(0)
            tail = err.read()[-2000:].decode(errors="replace")
            raise SystemExit(f"{Path(cmd[0]).name} exited {proc.returncode}:\n{tail}")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, usage.ru_maxrss / 1024, cpu)  # ru_maxrss is in KiB on Linux


def imports_sqlglot(python: str, args: list[str], env: dict[str, str], cwd: Path) -> bool:
    """Whether the CLI imports sqlglot for `migralint ARGS` (run in a subprocess)."""
    out = subprocess.run(
        [python, "-c", IMPORT_PROBE, *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=cwd, env=env,
    )  # fmt: skip
    return "sqlglot-imported=True" in out.stderr.splitlines()[-1:]


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.work = work
        self.migralint: str = args.migralint
        self.python = str(Path(self.migralint).with_name("python"))
        if not Path(self.python).exists():
            self.python = sys.executable
        self.squawk: str | None = args.squawk
        self.cache_env: str = args.cache_env
        self.rounds: int = args.rounds
        self.cache_written = False
        # pip compiles an installed package's bytecode; without this, an environment that
        # sets PYTHONDONTWRITEBYTECODE would time Python compiling migralint on every start
        self.base_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    def env(self, cache: Path) -> dict[str, str]:
        return {**self.base_env, self.cache_env: str(cache), "XDG_CACHE_HOME": str(cache / "xdg")}

    def fresh_cache(self) -> Path:
        return Path(tempfile.mkdtemp(prefix="cache-", dir=self.work))

    def filled_cache(self, check: list[str]) -> Path:
        cache = self.fresh_cache()
        run(check, self.env(cache), self.work)  # untimed: fills the cache, if there is one
        self.cache_written |= any(p.is_file() for p in cache.rglob("*"))
        return cache

    def check_cmd(self, files: list[Path]) -> list[str]:
        return [self.migralint, "check", "--exit-zero", "--format", "json", *map(str, files)]

    def compare(
        self,
        name: str,
        files: list[Path],
        warm: bool,
        target: str,
        limit: float,
        ratio: bool = False,
        edit: Callable[[int], None] | None = None,
    ) -> Scenario:
        """Time migralint and squawk on `files`, alternating, with a fresh or a filled
        cache; `edit(round)` changes a file before each round."""
        scenario = Scenario(name, target, limit=limit, ratio_target=ratio)
        check = self.check_cmd(files)
        cache = self.filled_cache(check) if warm else None
        for n in range(self.rounds):  # A B A B …: load on the machine hits both alike
            if edit is not None:
                edit(n)
            scenario.load.append(os.getloadavg()[0])
            env = self.env(cache or self.fresh_cache())
            scenario.migralint.append(run(check, env, self.work))
            if self.squawk:
                squawk = [self.squawk, "--reporter", "json", *map(str, files)]
                scenario.squawk.append(run(squawk, self.base_env, self.work, ok=(0, 1)))
        return scenario

    def edited(self, single: Path, corpus: Path) -> Scenario:
        """The pre-commit case: the file changed since the last run, the rest of its
        set is cached. On a copy of its project, the file is edited before each round."""
        inside = single.relative_to(corpus)
        copy = self.work / "edited" / inside.parts[0]
        shutil.copytree(corpus / inside.parts[0], copy)
        file = self.work / "edited" / inside
        original = file.read_bytes()

        def edit(n: int) -> None:
            file.write_bytes(original + f"\n-- edit {n}\n".encode())

        name, target = "single file, edited, set cached", "<= 0.250 s"
        return self.compare(name, [file], True, target, 0.25, edit=edit)

    def startup(self, args: list[str]) -> Scenario:
        scenario = Scenario(f"migralint {' '.join(args)}", "no sqlglot import")
        env = self.env(self.fresh_cache())
        for _ in range(self.rounds):
            scenario.load.append(os.getloadavg()[0])
            scenario.migralint.append(run([self.migralint, *args], env, self.work))
        scenario.sqlglot_imported = imports_sqlglot(self.python, args, env, self.work)
        return scenario

    def hit_imports_sqlglot(self, file: Path) -> Scenario:
        """A cache-hit `check` should not import sqlglot either (once the cache lands)."""
        check = self.check_cmd([file])
        cache = self.filled_cache(check)
        scenario = Scenario("check 1 file, hit (import check)", "no sqlglot import")
        scenario.migralint.append(run(check, self.env(cache), self.work))
        scenario.sqlglot_imported = imports_sqlglot(
            self.python, check[1:], self.env(cache), self.work
        )
        return scenario


def versions(bench: Bench) -> dict[str, object]:
    """migralint's, squawk's and sqlglot's versions; whether sqlglot's parser is compiled."""

    def output(*cmd: str) -> str:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()

    probe = json.loads(output(bench.python, "-c", SQLGLOT_PROBE))
    compiled = not probe["parser_module"].endswith(".py")  # sqlglotc puts .so files there
    sqlglot = f"{probe['sqlglot']}, " + (
        f"compiled parser (sqlglotc {probe['sqlglotc']})"
        if compiled
        else "pure-Python parser (sqlglotc not in use; pip install '.[fast]' adds it)"
    )
    return {
        "migralint": output(bench.migralint, "--version"),
        "sqlglot": sqlglot,
        "sqlglot_compiled": compiled,
        "squawk": output(bench.squawk, "--version") if bench.squawk else None,
    }


def pick_single(files: list[Path]) -> Path:
    sized = [f for f in files if f.stat().st_size > 0]
    return min(sized, key=lambda f: (abs(f.stat().st_size - SINGLE_FILE_SIZE), str(f)))


def verdict(s: Scenario) -> str:
    met = {True: "yes", False: "NO", None: "-"}[s.met]
    if s.sqlglot_imported is not None:
        met += f" (imports sqlglot: {'yes' if s.sqlglot_imported else 'no'})"
    return met


def report(meta: dict[str, object], scenarios: list[Scenario], peak: Scenario) -> None:
    for key, value in meta.items():
        if "_" not in key:  # the _ keys are for --json
            print(f"{key + ':':<14}{value}")
    print()
    head = f"{'scenario':<32}{'migralint':>10}{'cpu':>8}{'squawk':>9}{'ratio':>8}{'peak MB':>9}"
    print(f"{head}{'load':>6}  {'target':<19}met")
    for s in scenarios:
        squawk = s.squawk_median
        cells = [
            f"{s.median:>9.3f}s",
            f"{s.cpu_median:>7.3f}s",
            f"{squawk:>8.3f}s" if squawk is not None else f"{'-':>9}",
            f"{s.ratio:>7.2f}x" if s.ratio is not None else f"{'-':>8}",
            f"{max(r.max_rss_mb for r in s.migralint):>9.0f}",
        ]
        load = f"{max(s.load):>6.1f}" if s.load else f"{'-':>6}"
        print(f"{s.name:<32}{''.join(cells)}{load}  {s.target:<19}{verdict(s)}")
    rss = max(r.max_rss_mb for r in peak.migralint)
    squawk_rss = max((r.max_rss_mb for r in peak.squawk), default=None)
    beside = f"  (squawk {squawk_rss:.0f} MB)" if squawk_rss is not None else ""
    line = f"{'peak memory, full corpus':<32}{rss:>7.0f} MB{beside}"
    print(f"{line:<82}  {'<= 200 MB':<19}{'yes' if rss <= 200 else 'NO'}")
    print(
        "\nmedians of the rounds; cpu = migralint's user + system time; "
        "ratio = migralint / squawk (wall); "
        "peak MB = the largest max RSS of one child process; "
        "load = the highest 1-minute load average seen at the start of a round"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--rounds", type=int, default=5, help="runs of each command (5)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="%(default)s")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--quick", action="store_true", help="one round over every 4th file: does it work?"
    )
    parser.add_argument("--single", type=Path, help="the one file (default: one near 2 KB)")
    parser.add_argument("--migralint", default=str(REPO / ".venv" / "bin" / "migralint"))
    parser.add_argument(
        "--squawk", help="squawk binary (default: beside migralint, or on PATH; '': skip it)"
    )
    parser.add_argument("--cache-env", default="MIGRALINT_CACHE_DIR", help="%(default)s")
    args = parser.parse_args()
    if not Path(args.migralint).exists():
        beside = shutil.which("migralint", path=str(Path(sys.executable).parent))
        args.migralint = beside or shutil.which("migralint") or parser.error("no migralint")
    if args.squawk is None:
        beside = shutil.which("squawk", path=str(Path(args.migralint).parent))
        args.squawk = beside or shutil.which("squawk")
    if args.quick:
        args.rounds = 1

    corpus = args.corpus.resolve()
    files, skipped = postgres_files(corpus)
    if not files:
        parser.error(f"no PostgreSQL .sql files under {corpus}")
    single = (args.single or pick_single(files)).resolve()
    if args.quick:
        files = files[::4]
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="migralint-bench-") as tmp:
        bench = Bench(args, Path(tmp))
        meta: dict[str, object] = {
            "corpus": str(corpus) + (" (quick: every 4th file, 1 round)" if args.quick else ""),
            "files": f"{len(files)} files, {sum(f.stat().st_size for f in files):,} bytes",
            "left out": ", ".join(f"{n} {e}" for e, n in sorted(skipped.items())) or "none",
            "single file": f"{single.relative_to(corpus)} ({single.stat().st_size:,} bytes)",
            **versions(bench),
            "rounds": args.rounds,
            "cpus": os.cpu_count(),
        }
        meta["squawk"] = meta["squawk"] or "not installed: skipped (pip install squawk-cli)"
        cold = bench.compare("full corpus, cold", files, False, "ratio <= 1.0", 1.0, True)
        warm = bench.compare("full corpus, warm", files, True, "ratio <= 0.3", 0.3, True)
        miss = bench.compare("single file, cache empty", [single], False, "<= 0.250 s", 0.25)
        edited = bench.edited(single, corpus)
        hit = bench.compare("single file, cache hit", [single], True, "<= 0.100 s", 0.1)
        startups = [bench.startup(command) for command in STARTUP_COMMANDS]
        scenarios = [cold, warm, miss, edited, hit, *startups, bench.hit_imports_sqlglot(single)]
        meta["cache"] = (
            f"{bench.cache_env} written: yes"
            if bench.cache_written
            else f"nothing written to {bench.cache_env}: no cache yet, warm = cold, hit = miss"
        )
    load_after = os.getloadavg()
    meta["load average"] = f"{load_before[0]:.1f} before, {load_after[0]:.1f} after"
    peak = Scenario("peak", "<= 200 MB", cold.migralint + warm.migralint, cold.squawk + warm.squawk)
    if args.json:
        rows = [
            {**asdict(s), "median": s.median, "cpu_median": s.cpu_median,
             "squawk_median": s.squawk_median,
             "ratio": s.ratio, "met": s.met}
            for s in scenarios
        ]  # fmt: skip
        peak_mb = max(r.max_rss_mb for r in peak.migralint)
        memory = {"peak_mb": peak_mb, "target_mb": 200, "met": peak_mb <= 200}
        json.dump({"meta": meta, "scenarios": rows, "memory": memory}, sys.stdout, indent=2)
        print()
    else:
        report(meta, scenarios, peak)


if __name__ == "__main__":
    main()
