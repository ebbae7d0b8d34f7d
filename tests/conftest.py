"""Fixtures shared by every test area. Area-specific services start in the area's own conftest."""
from __future__ import annotations

import os
import uuid

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server for this test run (initdb + pg_ctl on a loopback port)."""
    from tests.helpers.postgres import start_postgres

    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """A fresh, empty database on the test run's PostgreSQL server."""
    return postgres_server.create_database("t_" + uuid.uuid4().hex[:12])
