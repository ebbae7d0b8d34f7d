"""Issue 16, items 2 and 3: every back-office answer is checked against the wire schema before the
worker marks anything. Wrong answers come from the real back office through the fault proxy (the
server committed, the answer is rewritten); slow, huge and silent answers from a misbehaving server."""

from __future__ import annotations

import json
import random
import time
import tracemalloc
from typing import Any

import pytest
from sqlalchemy import select, update

from backoffice.models import ReceivedCase
from clerk_app.store.models import OutboxEntry
from clerk_app.sync import state as sync_state
from clerk_app.sync.credentials import StationCredentials
from clerk_app.sync.errors import BackOfficeUnavailable, InvalidAnswer
from clerk_app.sync.transport import BackOfficeClient, TransportSettings
from tests.sync.badserver import BadServer, endless, silent, trickle
from tests.sync.faultproxy import FaultProxy, json_response, request_line, response_json
from testsupport.sync import MemoryKeyring, make_station, seed_cases

pytestmark = pytest.mark.postgres


def _entry(sessions) -> tuple[str, int]:
    with sessions() as s:
        e = s.scalars(select(OutboxEntry)).one()
        return e.state, e.attempts


def _due_now(sessions) -> None:
    with sessions.begin() as s:
        s.execute(update(OutboxEntry).values(next_attempt_at=None))


def _server_status(backoffice, case_id: str) -> str | None:
    with backoffice.sessions() as s:
        return s.scalar(select(ReceivedCase.status).where(ReceivedCase.id == case_id))


def _rewriter(method: str, prefix: str, change):
    def rewrite(request: bytes, response: bytes) -> bytes | None:
        m, path = request_line(request)
        if m == method and path.startswith(prefix) and b" 20" in response.split(b"\r\n", 1)[0]:
            return json_response(change(response_json(response)))
        return None

    return rewrite


@pytest.fixture
def through_proxy(backoffice, local_store, tmp_path):
    proxy = FaultProxy(backoffice.port, {}).start()
    station = make_station(
        proxy.url, local_store, tmp_path / "att", enrolment=backoffice.add_station("S01"), register_url=backoffice.url
    )
    yield proxy, station
    station.client.close()
    proxy.stop()


def test_string_missing_attachments_is_not_delivered(backoffice, local_store, tmp_path, through_proxy):
    """Item 2: ``tuple("abc")`` used to be read as three file names; nothing matched, the entry was
    marked sent and the case stayed ``receiving`` at the back office for good."""
    proxy, station = through_proxy
    (cid,) = seed_cases(local_store, tmp_path / "att", 1, random.Random(5), pages=(2, 2))
    proxy.rewrite = _rewriter("POST", "/v1/case-packets", lambda b: {**b, "missing_attachments": "abc"})
    report = station.worker.run_once()
    assert isinstance(report.upload_error, InvalidAnswer)
    assert "missing_attachments" in str(report.upload_error)
    assert "接口约定" in report.upload_error.user_message("zh_CN")
    assert _entry(local_store) == ("pending", 1)  # rescheduled, not failed, not sent
    assert _server_status(backoffice, cid) == "receiving"

    proxy.rewrite = None
    _due_now(local_store)
    report = station.worker.run_once()
    assert (report.sent, report.upload_error) == (1, None)
    assert _entry(local_store) == ("sent", 2)
    assert _server_status(backoffice, cid) == "received"


def test_receipt_claiming_nothing_missing_while_receiving_is_not_delivered(
    backoffice, local_store, tmp_path, through_proxy
):
    """Item 2: the worker checks the back office reached ``received`` before marking the entry."""
    proxy, station = through_proxy
    (cid,) = seed_cases(local_store, tmp_path / "att", 1, random.Random(6), pages=(1, 1))
    proxy.rewrite = _rewriter("POST", "/v1/case-packets", lambda b: {**b, "missing_attachments": []})
    report = station.worker.run_once()
    assert isinstance(report.upload_error, InvalidAnswer) and "not received" in str(report.upload_error)
    assert _entry(local_store) == ("pending", 1) and _server_status(backoffice, cid) == "receiving"
    proxy.rewrite = None
    _due_now(local_store)
    assert station.worker.run_once().sent == 1 and _server_status(backoffice, cid) == "received"


WRONG_RECEIPTS: dict[str, Any] = {
    "list body": lambda b: [b],
    "null body": lambda b: None,
    "missing key": lambda b: {k: v for k, v in b.items() if k != "created"},
    "status not a string": lambda b: {**b, "status": 3},
    "unknown status": lambda b: {**b, "status": "lost"},
    "created as a number": lambda b: {**b, "created": 1},
    "another case": lambda b: {**b, "case_id": "00000000-0000-4000-8000-000000000000"},
    "a file never sent": lambda b: {**b, "missing_attachments": ["0" * 64]},
}
WRONG_STATES: dict[str, Any] = {
    "offset a string": lambda b: {**b, "offset": "16384"},
    "offset a float": lambda b: {**b, "offset": 1.5},
    "offset beyond size": lambda b: {**b, "offset": b["size"] + 1},
    "complete too early": lambda b: {**b, "complete": True, "offset": 0},
    "size missing": lambda b: {k: v for k, v in b.items() if k != "size"},
    "another file": lambda b: {**b, "sha256": "f" * 64},
    "offset true": lambda b: {**b, "offset": True},
}


@pytest.mark.parametrize(
    "where, change",
    [("POST", v) for v in WRONG_RECEIPTS.values()] + [("PUT", v) for v in WRONG_STATES.values()],
    ids=[f"receipt: {k}" for k in WRONG_RECEIPTS] + [f"chunk state: {k}" for k in WRONG_STATES],
)
def test_wrong_schema_answers_are_retryable_typed_errors(
    backoffice, local_store, tmp_path, through_proxy, where, change
):
    """Item 3: a missing key used to fail the entry for good; a list/null body or a non-number raised
    TypeError/ValueError out of run_once. Now each is an InvalidAnswer, the entry stays pending."""
    proxy, station = through_proxy
    (cid,) = seed_cases(local_store, tmp_path / "att", 1, random.Random(7), pages=(1, 1), size=(40_000, 40_000))
    prefix = "/v1/case-packets" if where == "POST" else "/v1/cases/"
    proxy.rewrite = _rewriter(where, prefix, change)
    report = station.worker.run_once()  # never raises
    assert isinstance(report.upload_error, InvalidAnswer), report.upload_error
    assert report.sent == report.failed == 0
    assert _entry(local_store) == ("pending", 1)
    assert station.worker.state.problem and "接口约定" in station.worker.state.problem
    proxy.rewrite = None
    _due_now(local_store)
    assert station.worker.run_once().sent == 1 and _server_status(backoffice, cid) == "received"


class Recorder:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def apply_server_status(self, case_id: str, status: str, reason: str | None) -> None:
        self.seen.append((case_id, status))


def _feed_station(backoffice, local_store, tmp_path, url: str):
    applier = Recorder()
    station = make_station(
        url,
        local_store,
        tmp_path / "att",
        enrolment=backoffice.add_station("S01"),
        register_url=backoffice.url,
        status_applier=applier,
    )
    return station, applier


def _cursor(sessions) -> str | None:
    with sessions() as s:
        return sync_state.get_value(s, "status_cursor:S01")


def test_feed_cursor_moves_only_to_what_was_seen(backoffice, local_store, tmp_path):
    """Item 3: a next_cursor beyond the last event used to be stored as is, skipping events."""
    ids = seed_cases(local_store, tmp_path / "att", 2, random.Random(8), pages=(1, 1))
    proxy = FaultProxy(backoffice.port, {}).start()
    station, applier = _feed_station(backoffice, local_store, tmp_path, proxy.url)
    try:
        proxy.rewrite = _rewriter("GET", "/v1/status-feed", lambda b: {**b, "next_cursor": 10_000})
        station.worker.run_once()
        assert sorted(c for c, _ in applier.seen) == sorted(ids)
        assert _cursor(local_store) == "2"  # the seq of the last event seen, not 10000
        # Events that arrive later are not skipped.
        backoffice.admin("POST", f"/v1/admin/cases/{ids[0]}/status", json={"status": "in_approval"})
        station.worker.run_once()
        assert (ids[0], "in_approval") in applier.seen and _cursor(local_store) == "3"

        # Wrong feed pages: nothing applied, cursor unchanged, a typed error, no exception.
        changes = (
            lambda b: None,
            lambda b: {**b, "events": "x"},
            lambda b: {**b, "events": [dict(e, seq=str(e["seq"])) for e in b["events"]]},
            lambda b: {**b, "events": [], "has_more": True},
            lambda b: {**b, "events": [dict(e, seq=1) for e in b["events"]]},  # behind the cursor
        )
        steps = [(ids[1], "in_approval"), (ids[1], "approved"), (ids[1], "result_ready"), (ids[1], "delivered")]
        steps.append((ids[0], "approved"))
        cursor = 3
        for change, (cid, status) in zip(changes, steps):
            assert backoffice.admin("POST", f"/v1/admin/cases/{cid}/status", json={"status": status}).status_code == 200
            before = list(applier.seen)
            proxy.rewrite = _rewriter("GET", "/v1/status-feed", change)
            report = station.worker.run_once()
            assert isinstance(report.pull_error, InvalidAnswer), report.pull_error
            assert applier.seen == before and _cursor(local_store) == str(cursor)
            proxy.rewrite = None
            assert station.worker.run_once().pull_error is None
            cursor += 1
            assert applier.seen[-1] == (cid, status) and _cursor(local_store) == str(cursor)
    finally:
        station.client.close()
        proxy.stop()


def test_cursor_from_the_future_is_detected_and_resynced(backoffice, local_store, tmp_path):
    """Item 3: a back office restored from a backup has fewer events than the station's cursor;
    the feed used to look empty for good. Now the station reads it again from the start."""
    ids = seed_cases(local_store, tmp_path / "att", 2, random.Random(9), pages=(1, 1))
    station, applier = _feed_station(backoffice, local_store, tmp_path, backoffice.url)
    try:
        with local_store.begin() as s:
            sync_state.set_value(s, "status_cursor:S01", "500")  # seen before the server's restore
        report = station.worker.run_once()
        assert report.feed_resynced and report.pull_error is None
        assert sorted(c for c, _ in applier.seen) == sorted(ids)
        assert _cursor(local_store) == "2"
    finally:
        station.client.close()


# -- deadlines, sizes, stop ----------------------------------------------------------------------
def _client(url: str, **kw: Any) -> BackOfficeClient:
    keyring = MemoryKeyring()
    keyring.set_password("clerk-app", "station-secret:S01", "s")
    settings = TransportSettings(url, connect_timeout=2, read_timeout=kw.pop("read_timeout", 30), **kw)
    return BackOfficeClient(settings, StationCredentials("S01", keyring))


@pytest.mark.parametrize("headers_too", [True, False], ids=["whole answer", "body only"])
def test_trickling_answer_ends_at_the_deadline(headers_too):
    """Item 3: one byte every 0.3 s (each read well within the 30 s read timeout) used to hold a
    cycle for as long as the server liked; the request now ends at its overall deadline."""
    with BadServer(trickle(0.3, headers_too=headers_too)) as server:
        client = _client(server.url, request_deadline=2.0)
        t0 = time.monotonic()
        with pytest.raises(BackOfficeUnavailable) as err:
            client.status_feed(0)
        elapsed = time.monotonic() - t0
        client.close()
    assert 1.9 <= elapsed < 3.0, elapsed
    assert "within 2 s" in str(err.value)


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_huge_answer_is_refused_without_buffering_it(declared):
    """Item 3: a 50 MB answer used to be read whole (220 MB of memory); now reading stops at the bound."""
    with BadServer(endless(50 * 1024 * 1024, declared=declared)) as server:
        client = _client(server.url, max_answer_bytes=1024 * 1024)
        tracemalloc.start()
        with pytest.raises(InvalidAnswer) as err:
            client.status_feed(0)
        _now, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        client.close()
    assert "larger than 1048576 bytes" in str(err.value)
    assert peak < 8 * 1024 * 1024, peak
    assert server.bytes_sent < 20 * 1024 * 1024  # the client stopped reading long before the end


def test_stop_always_stops_the_worker_thread(local_store, tmp_path):
    """Item 3: stop() gave up after 10 s and left the thread behind a silent server. The request in
    flight is interrupted now; the thread has ended when stop() returns."""
    seed_cases(local_store, tmp_path / "att", 1, random.Random(10), pages=(1, 1))
    with BadServer(silent) as server:
        keyring = MemoryKeyring()
        keyring.set_password("clerk-app", "station-secret:S01", "s")
        station = make_station(server.url, local_store, tmp_path / "att", keyring=keyring, read_timeout=60.0)
        station.worker.start()
        assert server.got_request.wait(10)
        thread = station.worker._thread
        t0 = time.monotonic()
        station.worker.stop()
        elapsed = time.monotonic() - t0
        station.client.close()
    assert thread is not None and not thread.is_alive()
    assert elapsed < 3.0, elapsed
    assert _entry(local_store) == ("pending", 1)  # interrupted, not lost, not failed


def test_non_object_answer_is_typed_and_never_echoed():
    def a_list(conn, server) -> None:
        server.send(conn, json_response(["not", "an", "object"]))

    with BadServer(a_list) as server:
        client = _client(server.url)
        with pytest.raises(InvalidAnswer) as err:
            client.status_feed(0)
        client.close()
    assert "expected an object" in str(err.value)
    assert json.dumps(["not"]) not in str(err.value)  # values are never echoed
