"""The back office is away: pending grows, nothing is lost, the worker backs off and recovers; the
thread stops on request; SIGKILL during an upload, restart: it resumes and completes, nothing twice."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from backoffice.models import Attachment, AttachmentChunk
from clerk_app.store.models import OutboxEntry
from clerk_app.sync import SyncState
from testsupport.backoffice_server import RunningBackOffice
from testsupport.sync import local_pages, make_station, seed_cases

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]


def test_back_office_down_then_back(own_backoffice, local_store, tmp_path):
    backoffice = own_backoffice
    first = seed_cases(local_store, tmp_path / "att", 5, random.Random(1))
    states: list[SyncState] = []
    station = make_station(
        backoffice.url, local_store, tmp_path / "att", enrolment=backoffice.add_station("S01"), on_state=states.append
    )
    try:
        station.worker.run_once()
        assert states[-1].online and states[-1].pending == 0 and states[-1].last_success is not None
        backoffice.stop()
        more = seed_cases(local_store, tmp_path / "att", 20, random.Random(2))
        report = station.worker.run_once()
        assert report.sent == 0 and report.upload_error is not None
        assert states[-1].online is False and states[-1].pending == 20 and states[-1].problem
        with local_store() as s:
            assert s.scalar(select(func.sum(OutboxEntry.attempts)).where(OutboxEntry.state == "pending")) == 1
        # The thread keeps trying with backoff while the server is down, and stops on request.
        station.worker.start()
        time.sleep(0.3)
        assert station.worker.counts() == (20, 0)
        backoffice.start()  # same port, same database
        deadline = time.monotonic() + 20
        while station.worker.counts()[0] and time.monotonic() < deadline:
            station.worker.wake()
            time.sleep(0.05)
        station.worker.stop()
        assert station.worker.counts() == (0, 0)
        assert sorted(backoffice.case_ids()) == sorted(first + more)
        assert states[-1].online and states[-1].pending == 0
    finally:
        station.worker.stop()
        station.client.close()


def _count_progress(server: RunningBackOffice) -> tuple[int, int]:
    with server.sessions() as s:
        complete = s.scalar(select(func.count()).select_from(Attachment).where(Attachment.complete)) or 0
        partial = (
            s.scalar(
                select(func.count()).select_from(Attachment).where(~Attachment.complete, Attachment.received_bytes > 0)
            )
            or 0
        )
    return int(complete), int(partial)


def test_sigkill_during_upload_then_restart_completes_exactly_once(backoffice, tmp_path):
    db = tmp_path / "clerk.db"
    from clerk_app.store.db import open_store

    engine, sessions = open_store(f"sqlite:///{db}")
    ids = seed_cases(sessions, tmp_path / "att", 12, random.Random(5), pages=(3, 3), size=(300_000, 400_000))
    pages = local_pages(sessions)
    engine.dispose()
    env = dict(
        os.environ,
        PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring",
        XDG_DATA_HOME=str(tmp_path / "xdg"),
        PYTHONPATH=str(ROOT),
        PYTHONWARNINGS="ignore",
    )
    args = [sys.executable, "-m", "tests.sync.worker_process", str(db), str(tmp_path / "att"), backoffice.url, "S01"]
    enrol = backoffice.add_station("S01")
    log = open(tmp_path / "worker.log", "ab")
    proc = subprocess.Popen(args + ["--enrol", enrol], env=env, cwd=ROOT, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # kill it in the middle of an attachment
            complete, partial = _count_progress(backoffice)
            if complete >= 3 and partial >= 1:
                break
            assert proc.poll() is None, (tmp_path / "worker.log").read_text()
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        complete_at_kill, _ = _count_progress(backoffice)
        assert complete_at_kill < len(pages), "the upload finished before the kill; make it bigger"
        # The secret is in the keyring (file backend here), not in the store or the log.
        rerun = subprocess.run(args, env=env, cwd=ROOT, stdout=log, stderr=log, timeout=60)
        assert rerun.returncode == 0, (tmp_path / "worker.log").read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()
    engine, sessions = open_store(f"sqlite:///{db}")
    with sessions() as s:
        assert dict(s.execute(select(OutboxEntry.state, func.count()).group_by(OutboxEntry.state)).all()) == {
            "sent": 12
        }
    engine.dispose()
    assert sorted(backoffice.case_ids()) == sorted(ids)
    stored = backoffice.attachment_digests()
    assert set(stored) == set(pages)
    for key, (complete, digest, nbytes) in stored.items():
        assert complete and digest == key[1] and nbytes == pages[key]
    with backoffice.sessions() as s:  # no chunk stored twice
        assert s.scalar(select(func.sum(func.length(AttachmentChunk.data)))) == sum(pages.values())
    assert "station_secret" not in (tmp_path / "worker.log").read_text()
    assert enrol not in db.read_bytes().decode("latin-1")
