from __future__ import annotations

import pytest

from clerk_app.store.db import open_store
from tests.backoffice.fixtures import backoffice, backoffice_server, own_backoffice  # noqa: F401


@pytest.fixture
def local_store(tmp_path):
    """The workstation's own store (SQLite file, migrated like the app does on start)."""
    engine, sessions = open_store(f"sqlite:///{tmp_path / 'clerk.db'}")
    yield sessions
    engine.dispose()
