"""Runs the real back office (``python -m backoffice serve``: uvicorn, loopback only) as a separate
process on a fresh database — its own process, as in production, so the server and the workstation
do not share one GIL on the 2-core CI machine; shared by tests/backoffice and tests/sync."""

from __future__ import annotations

import hashlib
import os
import secrets
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from backoffice import service
from backoffice.app import create_app
from backoffice.db import open_database
from backoffice.models import Attachment, AttachmentChunk, ReceivedCase
from testsupport.postgres import free_port


class RunningBackOffice:
    def __init__(
        self,
        database_url: str,
        port: int | None = None,
        tls: tuple[str, str, str] | None = None,
        workers: int = 1,
        env: dict[str, str] | None = None,
    ) -> None:
        """``tls``: (certificate file, key file, CA file the test trusts) to serve https; ``workers``:
        uvicorn worker processes; ``env``: extra environment (e.g. BACKOFFICE_MAX_RESULT_MB)."""
        self.tls = tls
        self.workers = workers
        self.extra_env = env or {}
        self.start_timeout = 30.0
        self.database_url = database_url
        self.engine, self.sessions = open_database(database_url)  # migrated here, before serving
        self.admin_token = secrets.token_urlsafe(16)
        self.app = create_app(self.sessions, admin_token=self.admin_token)  # for route introspection
        self.port = port or free_port()
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self._proc: subprocess.Popen[bytes] | None = None
        self._log = Path(tempfile.mkdtemp(prefix="backoffice-")) / "server.log"

    def start(self) -> None:
        env = dict(
            os.environ,
            BACKOFFICE_DATABASE_URL=self.database_url,
            BACKOFFICE_ADMIN_TOKEN=self.admin_token,
            **self.extra_env,
        )
        root = str(Path(__file__).resolve().parents[1])  # the checkout this testsupport belongs to
        env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
        with open(self._log, "ab") as log:
            extra = ["--ssl-certfile", self.tls[0], "--ssl-keyfile", self.tls[1]] if self.tls else []
            extra += ["--workers", str(self.workers)]
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "backoffice", "serve", "--host", "127.0.0.1", "--port", str(self.port), *extra],
                env=env,
                cwd=root,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + self.start_timeout
        while True:
            if self._proc.poll() is not None:
                raise RuntimeError(f"back office exited: {self._log.read_text()[-2000:]}")
            try:
                verify = ssl.create_default_context(cafile=self.tls[2]) if self.tls else True
                if httpx.get(self.url + "/v1/health", timeout=1, verify=verify).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()  # never leave a half-started uvicorn behind (issue 16 item 7)
                raise RuntimeError(f"back office did not start within {self.start_timeout:g} s")
            time.sleep(0.05)

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(15)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(5)
            self._proc = None

    def server_log(self) -> str:
        return self._log.read_text(errors="replace") if self._log.exists() else ""

    def close(self) -> None:
        self.stop()
        self.engine.dispose()

    # -- helpers for tests ------------------------------------------------------------------------
    def add_station(self, code: str) -> str:
        with self.sessions() as s:
            return service.add_station(s, code, code)

    def add_user(
        self,
        username: str,
        role: str,
        department: str | None,
        password: str = "pw-" + "x" * 10,
        display_name: str | None = None,
    ) -> str:
        from backoffice import accounts

        with self.sessions() as s:
            accounts.add_user(s, username, display_name or username, role, password, department)
        return password

    def add_department(self, code: str, name: str, items: list[str]) -> None:
        from backoffice import accounts

        with self.sessions() as s:
            accounts.add_department(s, code, name, items)

    def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        verify = ssl.create_default_context(cafile=self.tls[2]) if self.tls else True
        with httpx.Client(base_url=self.url, timeout=10, verify=verify) as c:
            headers = {"Authorization": f"Bearer {self.admin_token}", **kwargs.pop("headers", {})}
            return c.request(method, path, headers=headers, **kwargs)

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
                for data in s.scalars(
                    select(AttachmentChunk.data)
                    .where(AttachmentChunk.attachment_id == att.id)
                    .order_by(AttachmentChunk.offset)
                ):
                    digest.update(data)
                    stored += len(data)
                out[(att.case_id, att.sha256)] = (att.complete, digest.hexdigest(), stored)
        return out
