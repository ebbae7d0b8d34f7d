"""Fixtures shared by every test area. Area-specific services start in the area's own conftest."""

from __future__ import annotations

import os
import sys
import uuid

import pytest

from tests.helpers.reaper import pytest_configure  # noqa: F401  (hook: the watchdog that stops services of a hung run)

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_EXIT_STATUS = 0


def pytest_sessionfinish(session, exitstatus):
    global _EXIT_STATUS
    _EXIT_STATUS = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """End the process as soon as pytest is done, skipping the C libraries' exit handlers.

    After a whole run passed (2315 tests, summary printed) the process once never ended: gdb showed the
    main thread alone, in libp11-kit's exit handler (``freelocale``), waiting forever on glibc's locale
    lock — left held by a thread that no longer exists (the SANE ``test`` backend's reader thread is
    ended with an asynchronous ``pthread_cancel``; see docs/scanning.md). Nothing needs those handlers
    here: the reports are written, the services were stopped by their fixtures (and the reaper)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_EXIT_STATUS)


@pytest.fixture(scope="session", autouse=True)
def _qapplication_first():
    """Create the QApplication before any test starts threads (back office clients, sync workers,
    device monitors). QApplication's start calls setlocale(), which takes glibc's process-wide locale
    lock; created late in a long run it was once seen blocked on that lock forever (gdb: main thread
    in __libc_setlocale_lock, no other thread alive). The app itself creates it first, too."""
    from PySide6.QtWidgets import QApplication

    from ui.collector import install

    app = QApplication.instance() or QApplication([])
    install(app)  # as the app does: garbage cycles holding Qt objects die on the GUI thread, not a worker's
    yield app


@pytest.fixture(autouse=True)
def _collect_on_the_main_thread(_qapplication_first):
    """With automatic collection off (ui/collector.py), what a test left in cycles is collected here,
    on the main thread, before the next test's workers start allocating; the timer does it while a
    test runs Qt's event loop."""
    yield
    from ui.collector import install

    install(_qapplication_first).check()


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
