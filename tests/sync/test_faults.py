"""Exactly-once delivery through a hostile network: hundreds of cases through a fault-injecting proxy,
then the server holds exactly the local cases, every attachment byte-identical, nothing twice."""

from __future__ import annotations

import random
import time

import pytest
from sqlalchemy import func, select

from backoffice.models import ReceivedCase
from clerk_app.store.models import OutboxEntry
from clerk_app.sync.worker import SyncSettings
from tests.sync.faultproxy import FaultProxy
from testsupport.sync import local_pages, make_station, seed_cases

pytestmark = pytest.mark.postgres

RATES = {
    "reset_mid_body": 0.03,
    "error_503": 0.03,
    "error_500_after_commit": 0.03,
    "drop_response_after_commit": 0.03,
    "timeout_after_commit": 0.003,
    "duplicate": 0.04,
}


class RecordingApplier:
    def __init__(self) -> None:
        self.seen: dict[str, list[str]] = {}

    def apply_server_status(self, case_id: str, status: str, reason: str | None) -> None:
        self.seen.setdefault(case_id, []).append(status)


def drive(worker, *, seconds: float, max_cycles: int) -> int:
    deadline = time.monotonic() + seconds
    for cycle in range(max_cycles):
        worker.run_once()
        pending, _failed = worker.counts()
        if pending == 0 or time.monotonic() > deadline:
            return cycle
        time.sleep(0.005)
    return max_cycles


@pytest.mark.parametrize("batch_cases", [8, 1], ids=["batches", "case by case"])
def test_hundreds_of_cases_through_faults_arrive_exactly_once(backoffice, local_store, tmp_path, batch_cases):
    # 1–2 pages of up to 30 KB with 16 KiB chunks: single-chunk and multi-chunk uploads both occur;
    # cases whose pages total up to 20 KB go with their packet instead (inline): in batches of up to 8
    # cases per request and transaction, or (an older station) one by one; the others chunked.
    ids = seed_cases(local_store, tmp_path / "att", 200, random.Random(11), pages=(1, 2), size=(500, 30_000))
    proxy = FaultProxy(backoffice.port, RATES, hold=0.6).start()
    applier = RecordingApplier()
    station = make_station(
        proxy.url,
        local_store,
        tmp_path / "att",
        enrolment=backoffice.add_station("S01"),
        register_url=backoffice.url,
        status_applier=applier,
        read_timeout=0.4,
        settings=SyncSettings(
            chunk_size=16 * 1024,
            backoff_base=0.005,
            backoff_max=0.05,
            inline_pages_max_bytes=20_000,
            batch_cases=batch_cases,
        ),
    )
    try:
        drive(station.worker, seconds=45, max_cycles=20_000)
        proxy.enabled = False  # whatever is left (if the time bound hit) goes through cleanly
        drive(station.worker, seconds=15, max_cycles=200)
        station.worker.run_once()  # final status pull
    finally:
        station.client.close()
        proxy.stop()
    faults = sum(v for k, v in proxy.counts.items() if k != "pass")
    assert faults > 100, proxy.counts  # the run really was hostile
    inline_path = "/v1/case-packets/batch" if batch_cases > 1 else "/v1/case-packets/with-pages"
    assert proxy.paths[inline_path] > (10 if batch_cases > 1 else 50), proxy.paths
    assert proxy.paths["/attachments/"] > 50, proxy.paths

    with local_store() as s:
        states = dict(s.execute(select(OutboxEntry.state, func.count()).group_by(OutboxEntry.state)).all())
    assert states == {"sent": 200}

    # Exactly the local cases, once each.
    assert sorted(backoffice.case_ids()) == sorted(ids)
    with backoffice.sessions() as s:
        assert set(s.scalars(select(ReceivedCase.status))) == {"received"}
        # No chunk stored twice: stored bytes == declared size for each attachment.
    pages = local_pages(local_store)
    stored = backoffice.attachment_digests()
    assert set(stored) == set(pages)
    for (case_id, sha), (complete, digest, nbytes) in stored.items():
        assert complete and digest == sha and nbytes == pages[(case_id, sha)]
    # The status feed reached every case ("received" = complete at the back office).
    assert set(applier.seen) == set(ids)
    assert all(set(v) == {"received"} for v in applier.seen.values())
