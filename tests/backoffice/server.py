"""Runs the real back office (uvicorn, loopback only) in a thread of the test process, on a fresh
database; shared by tests/backoffice and tests/sync."""
from __future__ import annotations

import hashlib
import secrets
import threading
import time
from typing import Any

import httpx
import uvicorn
from sqlalchemy import func, select

from backoffice import service
from backoffice.app import create_app
from backoffice.db import open_database
from backoffice.models import Attachment, AttachmentChunk, ReceivedCase
from tests.helpers.postgres import free_port


class RunningBackOffice:
    def __init__(self, database_url: str, port: int | None = None) -> None:
        self.engine, self.sessions = open_database(database_url)
        self.admin_token = secrets.token_urlsafe(16)
        self.app = create_app(self.sessions, admin_token=self.admin_token)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="error",
                                access_log=False, lifespan="off", timeout_keep_alive=30)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="backoffice", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("back office did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            assert self._thread is not None
            self._thread.join(15)
            self._server = None

    def close(self) -> None:
        self.stop()
        self.engine.dispose()

    # -- helpers for tests ------------------------------------------------------------------------
    def add_station(self, code: str) -> str:
        with self.sessions() as s:
            return service.add_station(s, code, code)

    def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        with httpx.Client(base_url=self.url, timeout=10) as c:
            return c.request(method, path, headers={"Authorization": f"Bearer {self.admin_token}"}, **kwargs)

    def case_ids(self) -> list[str]:
        with self.sessions() as s:
            return list(s.scalars(select(ReceivedCase.id)))

    def case_count(self) -> int:
        with self.sessions() as s:
            return int(s.scalar(select(func.count()).select_from(ReceivedCase)) or 0)

    def attachment_digests(self) -> dict[tuple[str, str], tuple[bool, str, int]]:
        """(case id, declared sha) → (complete, sha256 of the stored bytes, stored byte count)."""
        out = {}
        with self.sessions() as s:
            for att in s.scalars(select(Attachment)):
                digest = hashlib.sha256()
                stored = 0
                for data in s.scalars(select(AttachmentChunk.data).where(AttachmentChunk.attachment_id == att.id)
                                      .order_by(AttachmentChunk.offset)):
                    digest.update(data)
                    stored += len(data)
                out[(att.case_id, att.sha256)] = (att.complete, digest.hexdigest(), stored)
        return out
