import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """The CLI runs of the tests cache into a folder of this session, never into the
    user's cache (MIGRALINT_CACHE_DIR set by the caller wins)."""
    if "MIGRALINT_CACHE_DIR" not in os.environ:
        folder = tempfile.mkdtemp(prefix="migralint-cache-")
        os.environ["MIGRALINT_CACHE_DIR"] = folder
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


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


@pytest.fixture
def one_finding_per_statement(monkeypatch: pytest.MonkeyPatch) -> None:
    """Folding off (migralint/folding.py): for tests of how each finding of a statement
    is rendered, whose statements one rule would otherwise report as one finding."""
    from migralint import folding

    monkeypatch.setattr(folding, "groups", lambda flagged: {})


@pytest.fixture
def every_rerun_statement(monkeypatch: pytest.MonkeyPatch) -> None:
    """The re-run findings of every statement, not only of the first a re-run stops at
    (overlaps' EARLIER pairs off), nor only the set's one finding on an assumed
    transaction mode (assumed_mode.fold): for tests of how each statement is judged."""
    from migralint import assumed_mode, overlaps

    kept = {
        rule: [o for o in found if o.scope != overlaps.EARLIER]
        for rule, found in overlaps._BY_DROPPED.items()
    }
    monkeypatch.setattr(overlaps, "_BY_DROPPED", kept)
    monkeypatch.setattr(assumed_mode, "fold", lambda findings, *_: list(findings))
