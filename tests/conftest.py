import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest


@pytest.fixture(scope="session")
def pg_server():  # type: ignore[no-untyped-def]
    from postgres import NoServer, Server

    # not under pytest's basetemp: another pytest run on the machine prunes old basetemps,
    # and would delete the data folder of this session's running server
    folder = Path(tempfile.mkdtemp(prefix="migralint-pgdata-"))
    try:
        server = Server(folder)
    except NoServer as error:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(str(error))
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def db(pg_server):  # type: ignore[no-untyped-def]
    with pg_server.database() as conn:
        yield conn
