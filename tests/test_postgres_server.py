"""The integration tests' PostgreSQL on every Python the package declares: pgserver
where its wheel installs (3.10 to 3.12), else the PostgreSQL installed on the machine,
run as an unprivileged user when the tests run as root. These tests start the PATH
server whatever pgserver's availability, so the fallback is tested where it is not the
default."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO
from postgres import CHOICE, NoServer, Server, bin_dir, psql_binary

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

try:
    bin_dir()
    NO_PATH_SERVER = ""
except NoServer as error:
    NO_PATH_SERVER = str(error)


@pytest.fixture(scope="module")
def path_server():  # type: ignore[no-untyped-def]
    server = Server(Path("unused"), kind="path")  # in a folder of its own, outside basetemp
    yield server
    server.stop()


@pytest.mark.skipif(bool(NO_PATH_SERVER), reason=NO_PATH_SERVER)
def test_the_path_server_is_the_installed_postgresql(path_server: Server) -> None:
    version = subprocess.run(
        [str(bin_dir() / "pg_ctl"), "--version"], capture_output=True, text=True, check=True
    ).stdout
    major = re.search(r"\) (\d+)", version)
    assert major is not None
    with path_server.database() as conn:
        row = conn.execute("SELECT current_setting('server_version_num')::int / 10000").fetchone()
        assert row is not None and row[0] == int(major[1])
        conn.execute("CREATE TABLE t (id bigint PRIMARY KEY, name text)")
        conn.execute("INSERT INTO t VALUES (1, 'é')")
        assert conn.execute("SELECT name FROM t").fetchall() == [("é",)]
        encoding = conn.execute("SHOW server_encoding").fetchone()
        assert encoding == ("UTF8",)


@pytest.mark.skipif(bool(NO_PATH_SERVER), reason=NO_PATH_SERVER)
@pytest.mark.skipif(os.geteuid() != 0, reason="the tests do not run as root here")
def test_as_root_the_path_server_runs_as_an_unprivileged_user(path_server: Server) -> None:
    with path_server.database() as conn:
        row = conn.execute("SELECT current_setting('data_directory')").fetchone()
    assert row is not None
    assert os.stat(row[0]).st_uid != 0
    assert Path(path_server.host).stat().st_uid == os.stat(row[0]).st_uid


@pytest.mark.skipif(bool(NO_PATH_SERVER), reason=NO_PATH_SERVER)
def test_the_path_servers_psql_runs_a_script_on_it(path_server: Server) -> None:
    command = [str(psql_binary("path")), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-tA"]
    with path_server.database() as conn:
        conn.execute("CREATE TABLE t (id bigint)")
        where = ["-h", path_server.host, "-U", "postgres", "-d", conn.info.dbname]
        done = subprocess.run(
            [*command, *where, "-c", "INSERT INTO t VALUES (7) RETURNING id"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == ["7"]
        assert conn.execute("SELECT id FROM t").fetchall() == [(7,)]


@pytest.mark.skipif(bool(NO_PATH_SERVER), reason=NO_PATH_SERVER)
def test_stopping_the_path_server_removes_its_folder(tmp_path: Path) -> None:
    server = Server(tmp_path, kind="path")
    folder = Path(server.host)
    with server.database() as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    server.stop()
    assert not folder.exists()


def test_the_choice_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CHOICE, "docker")
    with pytest.raises(NoServer, match="MIGRALINT_TEST_POSTGRES must be one of pgserver, path"):
        Server(Path("unused"))


def test_without_postgresql_on_path_the_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing there: no pg_ctl, no pg_config
    with pytest.raises(NoServer, match="initdb/pg_ctl are neither on PATH"):
        Server(tmp_path, kind="path")


@pytest.mark.parametrize(
    ("python", "installs_pgserver"), [("3.10", True), ("3.12", True), ("3.13", False)]
)
def test_the_test_extra_asks_for_pgserver_only_where_it_has_a_wheel(
    python: str, installs_pgserver: bool
) -> None:
    from packaging.requirements import Requirement

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = project["requires-python"]
    assert declared == ">=3.10"
    test_extra = [Requirement(r) for r in project["optional-dependencies"]["test"]]
    (pgserver,) = [r for r in test_extra if r.name == "pgserver"]
    environment = {"python_version": python, "python_full_version": f"{python}.0"}
    assert pgserver.marker is not None
    assert pgserver.marker.evaluate(environment) is installs_pgserver
    unconditional = [r.name for r in test_extra if r.marker is None]
    assert "psycopg" in unconditional and "pytest-postgresql" in unconditional
