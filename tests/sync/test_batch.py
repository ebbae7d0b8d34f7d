"""The station's batches (issue 19 item 1): small cases go several per request and per back-office
transaction, the outbox entries of a batch are marked sent in one local transaction, one refused case
never holds back the others, and a back office answering nonsense to a batch gets nothing marked."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest
from sqlalchemy import event, func, select, update

from backoffice.models import ReceivedCase
from clerk_app.store.models import OutboxEntry
from clerk_app.sync.errors import InvalidAnswer
from clerk_app.sync.packet import PacketBuilder
from clerk_app.sync.worker import SyncSettings
from tests.sync.faultproxy import FaultProxy, json_response, request_line, response_json
from testsupport.sync import local_pages, make_station, masked_decoder, seed_cases

pytestmark = pytest.mark.postgres

BATCH = "/v1/case-packets/batch"
SETTINGS = SyncSettings(
    chunk_size=16 * 1024, backoff_base=0.005, backoff_max=0.05, inline_pages_max_bytes=64 * 1024, batch_cases=8
)


@pytest.fixture
def proxied(backoffice, local_store, tmp_path):
    proxy = FaultProxy(backoffice.port, {}).start()
    station = make_station(
        proxy.url,
        local_store,
        tmp_path / "att",
        enrolment=backoffice.add_station("S01"),
        register_url=backoffice.url,
        settings=SETTINGS,
    )
    yield proxy, station
    station.client.close()
    proxy.stop()


def _states(sessions) -> dict[str, int]:
    with sessions() as s:
        return dict(s.execute(select(OutboxEntry.state, func.count()).group_by(OutboxEntry.state)).all())


def _attempts(sessions) -> set[int]:
    with sessions() as s:
        return set(s.scalars(select(OutboxEntry.attempts)))


def _due_now(sessions) -> None:
    with sessions.begin() as s:
        s.execute(update(OutboxEntry).values(next_attempt_at=None))


def _check_server_holds_exactly(backoffice, local_store, ids: list[str]) -> None:
    assert sorted(backoffice.case_ids()) == sorted(ids)
    with backoffice.sessions() as s:
        assert set(s.scalars(select(ReceivedCase.status))) == {"received"}
    pages = {k: v for k, v in local_pages(local_store).items() if k[0] in ids}
    stored = backoffice.attachment_digests()
    assert set(stored) == set(pages)
    for key, (complete, digest, nbytes) in stored.items():
        assert complete and digest == key[1] and nbytes == pages[key]


def test_small_cases_go_in_batches_and_each_batch_is_marked_sent_in_one_transaction(
    backoffice, local_store, tmp_path, proxied
):
    proxy, station = proxied
    rng = random.Random(21)
    ids = seed_cases(local_store, tmp_path / "att", 19, rng, pages=(1, 3), size=(500, 15_000))
    (large,) = seed_cases(local_store, tmp_path / "att", 1, rng, pages=(2, 2), size=(40_000, 40_000))  # > 64 KiB
    engine = local_store.kw["bind"]
    outbox_updates: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE OUTBOX"):
            outbox_updates.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        report = station.worker.run_once()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert (report.sent, report.failed, report.upload_error) == (20, 0, None)
    assert _states(local_store) == {"sent": 20}
    # 20 entries in groups of 8: three groups, each settled with ONE update of its sent entries
    assert len(outbox_updates) == 3, outbox_updates
    # 19 small cases → 8 + 8 + 3 per request (the large one goes chunked, on its own)
    assert proxy.paths[BATCH] == 3, proxy.paths
    assert proxy.paths["/v1/case-packets/with-pages"] == 0 and proxy.paths["/attachments/"] >= 2
    _check_server_holds_exactly(backoffice, local_store, [*ids, large])


def test_a_refused_case_is_failed_alone_and_the_rest_of_its_batch_is_sent(backoffice, local_store, tmp_path, proxied):
    proxy, station = proxied
    ids = seed_cases(local_store, tmp_path / "att", 6, random.Random(22), pages=(1, 2), size=(500, 8_000))
    # Case 2 is already at the back office under another key (409 case_exists: permanent);
    # case 4's page was damaged on disk (the station finds it before sending: failed, not sent).
    with local_store() as s:
        other = PacketBuilder(masked_decoder).build(s, ids[2]).body
    assert station.client.upload_packet("another-key", other).created
    damaged = next(sha for (cid, sha) in local_pages(local_store) if cid == ids[4])
    (tmp_path / "att" / damaged).write_bytes(b"not the page")

    report = station.worker.run_once()
    assert (report.sent, report.failed, report.upload_error) == (4, 2, None)
    assert proxy.paths[BATCH] == 1
    with local_store() as s:
        state = {e.case_id: (e.state, e.last_error or "") for e in s.scalars(select(OutboxEntry))}
    assert state[ids[2]][0] == "failed" and "case_exists" in state[ids[2]][1]
    assert state[ids[4]][0] == "failed"
    assert {cid for cid, (st, _e) in state.items() if st == "sent"} == {ids[0], ids[1], ids[3], ids[5]}
    assert ids[4] not in backoffice.case_ids()


def _on_batch(change):
    def rewrite(request: bytes, response: bytes) -> bytes | None:
        method, path = request_line(request)
        if method == "POST" and path == BATCH and b" 200" in response.split(b"\r\n", 1)[0]:
            return json_response(change(response_json(response)))
        return None

    return rewrite


def _results(change):
    return lambda body: {**body, "results": change(copy.deepcopy(body["results"]))}


def _set(index: int, **fields: Any):
    def change(results: list[dict]) -> list[dict]:
        results[index].update(fields)
        return results

    return change


NONSENSE: dict[str, Any] = {
    "results not a list": lambda b: {"results": {"0": b["results"][0]}},
    "null body": lambda b: None,
    "one result too few": _results(lambda r: r[:-1]),
    "one result too many": _results(lambda r: [*r, r[-1]]),
    "results swapped": _results(lambda r: [r[1], r[0], *r[2:]]),
    "a result for a case not sent": _results(_set(0, case_id="00000000-0000-4000-8000-000000000000")),
    "a result for another key": _results(_set(1, idempotency_key="someone-else")),
    "receipt of another case": _results(
        lambda r: [{**r[0], "receipt": {**r[0]["receipt"], "case_id": r[1]["case_id"]}}, *r[1:]]
    ),
    "receipt and error": _results(_set(0, error="hash_mismatch")),
    "neither receipt nor error": _results(_set(0, receipt=None)),
    "status 500 in a result": _results(_set(0, status=500, receipt=None, error="boom")),
    "status as a string": _results(_set(0, status="201")),
    "created against the status": _results(_set(0, status=200)),
    "a missing file never sent": _results(
        lambda r: [{**r[0], "receipt": {**r[0]["receipt"], "missing_attachments": ["0" * 64]}}, *r[1:]]
    ),
    "a refusal without its error code": _results(_set(2, status=409, receipt=None)),
}


@pytest.mark.parametrize("change", NONSENSE.values(), ids=NONSENSE.keys())
def test_a_nonsense_answer_to_a_batch_marks_nothing_and_loses_nothing(
    backoffice, local_store, tmp_path, proxied, change
):
    """The back office committed the batch but its answer is rewritten: nothing is marked (every entry
    pending, rescheduled once, the cycle reports InvalidAnswer); the next cycle replays the batch and
    every case is sent exactly once."""
    proxy, station = proxied
    ids = seed_cases(local_store, tmp_path / "att", 4, random.Random(23), pages=(1, 2), size=(500, 6_000))
    proxy.rewrite = _on_batch(change)
    report = station.worker.run_once()  # never raises
    assert isinstance(report.upload_error, InvalidAnswer), report.upload_error
    assert (report.sent, report.failed) == (0, 0)
    assert _states(local_store) == {"pending": 4} and _attempts(local_store) == {1}
    assert station.worker.state.problem and "接口约定" in station.worker.state.problem

    proxy.rewrite = None
    _due_now(local_store)
    report = station.worker.run_once()
    assert (report.sent, report.upload_error) == (4, None)
    assert _states(local_store) == {"sent": 4}
    _check_server_holds_exactly(backoffice, local_store, ids)


def test_an_older_back_office_without_the_batch_route_gets_the_cases_one_by_one(
    backoffice, local_store, tmp_path, proxied
):
    proxy, station = proxied
    ids = seed_cases(local_store, tmp_path / "att", 5, random.Random(24), pages=(1, 2), size=(500, 6_000))

    def not_found(request: bytes, response: bytes) -> bytes | None:
        method, path = request_line(request)
        if method == "POST" and path == BATCH:
            return json_response({"error": "not_found", "message": "Not Found"}, "404 Not Found")
        return None

    proxy.rewrite = not_found
    report = station.worker.run_once()
    assert (report.sent, report.upload_error) == (5, None)
    assert proxy.paths[BATCH] == 1  # asked once this cycle, then case by case
    assert proxy.paths["/v1/case-packets/with-pages"] == 5
    _check_server_holds_exactly(backoffice, local_store, ids)


def test_a_batch_answered_500_after_the_commit_is_replayed_exactly_once(backoffice, local_store, tmp_path, proxied):
    """The server stored the batch but answered 500 (a crash after the commit): the entries stay
    pending; the next cycle's batch is a replay for every case, nothing is stored twice."""
    proxy, station = proxied
    ids = seed_cases(local_store, tmp_path / "att", 6, random.Random(25), pages=(1, 2), size=(500, 6_000))

    def crash(request: bytes, response: bytes) -> bytes | None:
        method, path = request_line(request)
        if method == "POST" and path == BATCH:
            return json_response({"error": "error", "message": "boom"}, "500 Internal Server Error")
        return None

    proxy.rewrite = crash
    report = station.worker.run_once()
    assert report.sent == 0 and report.upload_error is not None
    assert _states(local_store) == {"pending": 6}
    assert sorted(backoffice.case_ids()) == sorted(ids)  # committed at the back office
    proxy.rewrite = None
    _due_now(local_store)
    assert station.worker.run_once().sent == 6
    _check_server_holds_exactly(backoffice, local_store, ids)
    with backoffice.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ReceivedCase)) == 6


def test_stopping_a_manual_sync_ends_it_after_the_batch_being_sent(backoffice, local_store, tmp_path):
    """停止 in the sync dialog: the group on the wire is settled (sent, in one transaction), the rest
    stays pending and goes next time; nothing is half-sent."""
    import threading
    from dataclasses import replace

    cancel = threading.Event()
    station = make_station(
        backoffice.url,
        local_store,
        tmp_path / "att",
        enrolment=backoffice.add_station("S01"),
        settings=replace(SETTINGS, batch_cases=4, in_flight=1),
        on_progress=lambda _progress: cancel.set(),
    )
    try:
        ids = seed_cases(local_store, tmp_path / "att", 12, random.Random(26), pages=(1, 2), size=(500, 6_000))
        report = station.worker.run_once(cancel)
        assert report.cancelled and (report.sent, report.upload_error) == (4, None)
        assert _states(local_store) == {"sent": 4, "pending": 8}
        assert len(backoffice.case_ids()) == 4
        report = station.worker.run_once()
        assert report.sent == 8 and _states(local_store) == {"sent": 12}
    finally:
        station.client.close()
    _check_server_holds_exactly(backoffice, local_store, ids)
