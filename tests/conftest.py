"""Fixtures shared by every test area. Area-specific services start in the area's own conftest."""

from __future__ import annotations

import os
import uuid

import pytest

from tests.helpers.reaper import pytest_configure  # noqa: F401  (hook: the watchdog that stops services of a hung run)

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session", autouse=True)
def _qapplication_first():
    """Create the QApplication before any test starts threads (back office clients, sync workers,
    device monitors). QApplication's start calls setlocale(), which takes glibc's process-wide locale
    lock; created late in a long run it was once seen blocked on that lock forever (gdb: main thread
    in __libc_setlocale_lock, no other thread alive). The app itself creates it first, too."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    yield app


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server for this test run (initdb + pg_ctl on a loopback port)."""
    from testsupport.postgres import start_postgres

    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """A fresh, empty database on the test run's PostgreSQL server."""
    return postgres_server.create_database("t_" + uuid.uuid4().hex[:12])
