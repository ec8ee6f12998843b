"""A real, throwaway PostgreSQL for integration tests.

`pgserver` ships a PostgreSQL 16 inside a wheel and starts it as an unprivileged
process even when the tests run as root (CI does); pytest-postgresql's DatabaseJanitor
gives every test a fresh database on it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg


class Server:
    def __init__(self, folder: Path) -> None:
        import pgserver

        self._server = pgserver.get_server(folder, cleanup_mode="stop")
        self.host = self._server.get_uri().split("host=", 1)[1]

    def stop(self) -> None:
        self._server.cleanup()

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
