from __future__ import annotations

import pytest

from tests.backoffice.server import RunningBackOffice


@pytest.fixture
def backoffice(postgres_url):
    """The real back office on loopback, on a fresh PostgreSQL database."""
    server = RunningBackOffice(postgres_url)
    server.start()
    yield server
    server.close()
