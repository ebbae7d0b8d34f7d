from __future__ import annotations

import os

import pytest

from clerk_app.store.db import open_store
from tests.backoffice.server import RunningBackOffice


@pytest.fixture
def backoffice(postgres_url):
    """The real back office on loopback, on a fresh PostgreSQL database."""
    server = RunningBackOffice(postgres_url)
    server.start()
    yield server
    server.close()


@pytest.fixture
def local_store(tmp_path):
    """The workstation's own store (SQLite file, migrated like the app does on start)."""
    engine, sessions = open_store(f"sqlite:///{tmp_path / 'clerk.db'}")
    yield sessions
    engine.dispose()
