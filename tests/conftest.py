import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory):  # type: ignore[no-untyped-def]
    from postgres import NoServer, Server

    try:
        server = Server(tmp_path_factory.mktemp("pgdata"))
    except NoServer as error:
        pytest.skip(str(error))
    yield server
    server.stop()


@pytest.fixture
def db(pg_server):  # type: ignore[no-untyped-def]
    with pg_server.database() as conn:
        yield conn
