"""Back-office fixtures shared by tests/backoffice and tests/sync: one server process per test
directory and session (starting one costs seconds on a loaded 2-core machine), emptied before each test."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from testsupport.backoffice_server import RunningBackOffice

TABLES = (
    "supplements, ratings, attachment_chunks, attachments, status_events, received_cases, access_tokens, stations, "
    "publications, bo_result_documents, bo_form_tokens, bo_sessions, bo_audit, bo_users, bo_department_items, "
    "bo_departments"
)


@pytest.fixture(scope="session")
def backoffice_server(postgres_server):
    server = RunningBackOffice(postgres_server.create_database("bo_" + uuid.uuid4().hex[:10]))
    server.start()
    yield server
    server.close()


@pytest.fixture
def backoffice(backoffice_server):
    """The real back office on loopback (PostgreSQL), with empty tables."""
    with backoffice_server.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
    yield backoffice_server


@pytest.fixture
def own_backoffice(postgres_url):
    """A back office of the test's own (for tests that stop and restart it)."""
    server = RunningBackOffice(postgres_url)
    server.start()
    yield server
    server.close()
