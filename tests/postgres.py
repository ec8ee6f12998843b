"""A real, throwaway PostgreSQL for integration tests.

Two ways to get one, the same server either way (superuser `postgres`, trust auth, a
Unix socket in `host`, port 5432):

- `pgserver`, a PostgreSQL 16 inside a wheel (Python 3.10 to 3.12: it has no wheel for
  3.13 or later), started as an unprivileged process even when the tests run as root;
- the `initdb` and `pg_ctl` of a PostgreSQL installed on the machine (found on PATH,
  else by `pg_config --bindir`), run as the `postgres` user (else `nobody`) through
  `runuser` when the tests run as root, since PostgreSQL refuses to run as root.

`MIGRALINT_TEST_POSTGRES=pgserver|path` picks one; by default pgserver where it is
installed, else the one on PATH. pytest-postgresql's DatabaseJanitor gives every test a
fresh database on it. Server settings (`settings`, e.g. max_locks_per_transaction) are
given to the installed PostgreSQL's server at its start; pgserver takes none.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

CHOICE = "MIGRALINT_TEST_POSTGRES"
KINDS = ("pgserver", "path")
_INITDB = ("initdb", "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
"""As pgserver makes its cluster: UTF-8 whatever the machine's locale, no fsync."""


class NoServer(RuntimeError):
    """No PostgreSQL can be started here; the message says what to install."""


class Server:
    """A PostgreSQL for the test session, started on construction, gone after `stop`."""

    def __init__(
        self, folder: Path, kind: str | None = None, settings: Mapping[str, str] | None = None
    ) -> None:
        kind = kind or os.environ.get(CHOICE) or default_kind()
        if kind not in KINDS:
            raise NoServer(f"{CHOICE} must be one of {', '.join(KINDS)}, not {kind!r}")
        if settings and kind == "pgserver":
            raise NoServer(
                f"pgserver takes no server settings ({', '.join(settings)}): use "
                f"{CHOICE}=path with a PostgreSQL installed on the machine"
            )
        self.kind = kind
        checked = _checked(settings or {})
        self._cluster = _Embedded(folder) if kind == "pgserver" else _OnPath(checked)
        self.host = self._cluster.host

    def stop(self) -> None:
        self._cluster.stop()

    @contextmanager
    def database(self) -> Iterator[psycopg.Connection[Any]]:
        from pytest_postgresql.janitor import DatabaseJanitor

        name = f"t_{uuid.uuid4().hex[:12]}"
        janitor = DatabaseJanitor(user="postgres", host=self.host, port=5432, dbname=name)
        with (
            janitor,
            psycopg.connect(host=self.host, user="postgres", dbname=name, autocommit=True) as conn,
        ):
            yield conn


def psql_binary(kind: str | None = None) -> Path:
    """The psql of the PostgreSQL the tests use (`kind` as `Server` picks it)."""
    kind = kind or os.environ.get(CHOICE) or default_kind()
    if kind == "pgserver":
        import pgserver

        return Path(pgserver.__file__).parent / "pginstall" / "bin" / "psql"
    return bin_dir() / "psql"


def default_kind() -> str:
    """pgserver where it is installed, else a PostgreSQL on PATH."""
    return "pgserver" if importlib.util.find_spec("pgserver") is not None else "path"


class _Embedded:
    def __init__(self, folder: Path) -> None:
        try:
            import pgserver
        except ImportError as error:
            raise NoServer(f"pgserver is not installed ({error})") from None
        self._server = pgserver.get_server(folder, cleanup_mode="stop")
        self.host = self._server.get_uri().split("host=", 1)[1]

    def stop(self) -> None:
        self._server.cleanup()


class _OnPath:
    """A cluster made by initdb in a private temporary folder, its socket in the same."""

    def __init__(self, settings: list[tuple[str, str]]) -> None:
        self._bin = bin_dir()
        self._user = unprivileged_user() if os.geteuid() == 0 else None
        self._root = Path(tempfile.mkdtemp(prefix="migralint-pg-"))  # short: a socket path
        self._data = self._root / "data"
        self.host = str(self._root)
        if self._user is not None:
            shutil.chown(self._root, user=self._user)
        try:
            self._run(*_INITDB, "-D", str(self._data))
            options = f"-c listen_addresses= -k {self._root} -p 5432 -c fsync=off"
            options += "".join(f" -c {name}={value}" for name, value in settings)
            log = str(self._root / "server.log")
            self._run("pg_ctl", "-D", str(self._data), "-l", log, "-w", "-o", options, "start")
        except BaseException:
            shutil.rmtree(self._root, ignore_errors=True)
            raise

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self._data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self._root, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        command = [str(self._bin / program), *args]
        if self._user is not None:
            command = ["runuser", "-u", self._user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            log = self._root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.is_file() else ""
            raise NoServer(f"{' '.join(command)} failed: {done.stderr.strip()} {tail}".strip())


_SETTING = re.compile(r"[A-Za-z_][\w.]*")
_VALUE = re.compile(r"[\w.+-]+")  # passed on pg_ctl's command line, which a shell reads


def _checked(settings: Mapping[str, str]) -> list[tuple[str, str]]:
    """`settings` as they go on the server's command line; NoServer for a name or value
    the command line cannot carry as written."""
    for name, value in settings.items():
        if not _SETTING.fullmatch(name) or not _VALUE.fullmatch(value):
            raise NoServer(f"server setting {name}={value!r}: give a name and a plain value")
    return list(settings.items())


def bin_dir() -> Path:
    """The folder of the installed PostgreSQL's initdb and pg_ctl."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).resolve().parent
    pg_config = shutil.which("pg_config")
    if pg_config:
        done = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        folder = Path(done.stdout.strip())
        if done.returncode == 0 and (folder / "initdb").is_file():
            return folder
    raise NoServer(
        "no PostgreSQL for the integration tests: pgserver is not installed (it has no "
        "wheel for Python 3.13+) and initdb/pg_ctl are neither on PATH nor in "
        "`pg_config --bindir`; install PostgreSQL (e.g. apt-get install postgresql)"
    )


def unprivileged_user() -> str:
    """The account to run PostgreSQL as when the tests run as root."""
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise NoServer("running as root, and neither a postgres nor a nobody account exists")
