"""容缺 supplements reach the back office exactly once (real back office + PostgreSQL): a case accepted with
deficiencies is delivered, the deferred material arrives later with a new page, and the back office gets
one supplement record and the page byte-identical — also when a response is lost after the server
committed. A supplement waits (never fails) while its case packet is not delivered yet."""

from __future__ import annotations

import datetime as dt
import hashlib

import httpx
import pytest
from sqlalchemy import func, select, update

from backoffice import service as bo_service
from backoffice.models import Supplement
from clerk_app.attachments import AttachmentStore
from clerk_app.lifecycle import Decision, LineStatus
from clerk_app.pages import PageService
from clerk_app.security.crypto import FieldCipher
from clerk_app.store.models import OutboxEntry
from clerk_app.sync import BackOfficeUnavailable, RequestRejected
from clerk_app.sync.packet import person_repository_decoder
from tests.helpers.case_factory import ITEM, person
from tests.helpers.core import make_world
from testsupport.sync import make_station

pytestmark = pytest.mark.postgres

FIRST = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 50
LATER = b"\x89PNG\r\n\x1a\n" + bytes(range(255, -1, -1)) * 170  # > one 16 KiB chunk: chunked + finalize


def deficient_case(ctx, pages, clerk) -> str:
    """Accepted with deficiencies: everything received except PREMISES, deferred to a due date."""
    cid = ctx.cases.start_case(clerk, ITEM, {"premises": "rented"})
    ctx.cases.set_applicant(clerk, cid, person("周九", 11))
    for line in ctx.cases.get(clerk, cid).lines:
        if line.code != "PREMISES" and line.status is not LineStatus.NOT_REQUIRED:
            ctx.cases.update_line(
                clerk, cid, line.code, originals_received=line.originals_required, copies_received=line.copies_required
            )
    ctx.cases.update_line(clerk, cid, "PREMISES", status=LineStatus.DEFERRED, due_date=dt.date(2026, 10, 15))
    pages.add(clerk, cid, "APPLY", FIRST, "image/png")
    ctx.cases.decide(cid, Decision.ACCEPT_WITH_DEFICIENCIES, clerk, due_date=dt.date(2026, 10, 15))
    return cid


@pytest.fixture
def setup(backoffice, tmp_path):
    world = make_world(tmp_path / "ws")
    ctx = world.ctx
    code = ctx.settings.station_code
    store = AttachmentStore(tmp_path / "attachments", FieldCipher(ctx.keys, "attachments"))
    pages = PageService(ctx.sessions, ctx.clock, ctx.auditor, store)
    station = make_station(
        backoffice.url,
        ctx.sessions,
        tmp_path / "unused",
        code=code,
        enrolment=backoffice.add_station(code),
        attachments=store,
        decoder=person_repository_decoder(ctx.persons),
    )
    yield world, pages, station
    station.client.close()
    ctx.close()


def entries(ctx, cid: str) -> dict[str, tuple[str, int]]:
    with ctx.sessions() as s:
        return {
            e.idempotency_key: (e.state, e.attempts)
            for e in s.scalars(select(OutboxEntry).where(OutboxEntry.case_id == cid))
        }


def test_supplement_arrives_once_with_its_page_even_after_a_lost_response(backoffice, setup):
    world, pages, station = setup
    ctx, clerk = world.ctx, world.login("clerk")
    cid = deficient_case(ctx, pages, clerk)
    report = station.worker.run_once()
    assert (report.sent, report.failed) == (1, 0) and backoffice.case_ids() == [cid]

    pages.add(clerk, cid, "PREMISES", LATER, "image/png")
    ctx.cases.record_supplements(clerk, cid, ["PREMISES"])
    key = f"{cid}:supplements:1"
    with ctx.sessions() as s:
        entry = s.scalar(select(OutboxEntry).where(OutboxEntry.kind == "supplements"))
        assert (entry.idempotency_key, entry.payload, entry.state) == (
            key,
            {"case_id": cid, "lines": ["PREMISES"]},
            "pending",
        )
    assert ctx.cases.get(clerk, cid).status.value == "supplements_received"

    # The server commits the record, the response is lost: the worker retries the same key.
    real = station.client.upload_supplements
    calls: list[int] = []

    def lost_response(k, c, body):
        receipt = real(k, c, body)
        calls.append(1)
        if len(calls) == 1:
            raise BackOfficeUnavailable(problem="response lost")
        return receipt

    station.client.upload_supplements = lost_response  # type: ignore[method-assign]
    report = station.worker.run_once()
    assert report.upload_error is not None and entries(ctx, cid)[key] == ("pending", 1)
    with ctx.sessions.begin() as s:  # skip the backoff wait
        s.execute(update(OutboxEntry).values(next_attempt_at=None))
    report = station.worker.run_once()
    assert (report.sent, report.failed, report.upload_error) == (1, 0, None)
    # The retry was a replay (call 2) listing the page as missing; after the page went up, a third,
    # confirming replay showed nothing missing before the entry was marked sent.
    assert entries(ctx, cid)[key] == ("sent", 2) and len(calls) == 3

    sha = hashlib.sha256(LATER).hexdigest()
    with backoffice.sessions() as s:
        rows = s.scalars(select(Supplement)).all()
        assert [(r.case_id, r.idempotency_key, r.lines) for r in rows] == [(cid, key, ["PREMISES"])]
        assert rows[0].body["lines"] == [{"requirement_code": "PREMISES", "pages": [{"position": 0, "sha256": sha}]}]
        assert bo_service.supplemented_lines(s, cid) == ["PREMISES"]
    complete, stored_sha, stored = backoffice.attachment_digests()[(cid, sha)]
    assert (complete, stored_sha, stored) == (True, sha, len(LATER))  # byte-identical, no chunk twice

    # Another replay of the same key and body is recognised; the same key with another body is refused.
    with ctx.sessions() as s:
        body = station.worker._packets.build_supplements(s, cid, ["PREMISES"]).body
    again = real(key, cid, body)
    assert (again.created, again.missing_attachments) == (False, ())
    with pytest.raises(RequestRejected) as conflict:
        real(key, cid, dict(body, lines=[{"requirement_code": "APPLY", "pages": []}], attachments=[]))
    assert conflict.value.code == "idempotency_conflict"
    station.worker.run_once()
    with backoffice.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Supplement)) == 1
    assert ctx.auditor.verify() is None


def test_supplement_waits_for_its_case_packet(backoffice, setup):
    world, pages, station = setup
    ctx, clerk = world.ctx, world.login("clerk")
    cid = deficient_case(ctx, pages, clerk)
    pages.add(clerk, cid, "PREMISES", LATER, "image/png")
    ctx.cases.record_supplements(clerk, cid, ["PREMISES"])
    with ctx.sessions.begin() as s:  # the packet is not due yet (e.g. backing off after an outage)
        s.execute(
            update(OutboxEntry)
            .where(OutboxEntry.kind == "case_packet")
            .values(next_attempt_at=dt.datetime(2100, 1, 1, tzinfo=dt.UTC))
        )
    report = station.worker.run_once()
    assert (report.sent, report.failed, report.upload_error) == (0, 0, None)
    assert entries(ctx, cid) == {f"{cid}:packet": ("pending", 0), f"{cid}:supplements:1": ("pending", 1)}
    assert backoffice.case_ids() == []

    with ctx.sessions.begin() as s:
        s.execute(update(OutboxEntry).values(next_attempt_at=None))
    report = station.worker.run_once()
    assert (report.sent, report.failed) == (2, 0)  # packet first, then the supplement, same cycle
    with backoffice.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Supplement)) == 1
    sha = hashlib.sha256(LATER).hexdigest()
    assert backoffice.attachment_digests()[(cid, sha)] == (True, sha, len(LATER))


def test_supplements_endpoint_needs_the_case_and_its_lines(backoffice):
    import uuid

    enrolment = backoffice.add_station("ST8")
    cid = str(uuid.uuid4())
    body = {
        "schema_version": "supplements/1",
        "case_id": cid,
        "lines": [{"requirement_code": "PREMISES", "pages": []}],
        "attachments": [],
    }
    with httpx.Client(base_url=backoffice.url) as c:
        secret = c.post("/v1/stations/register", json={"station_code": "ST8", "enrolment_code": enrolment}).json()[
            "station_secret"
        ]
        token = c.post("/v1/auth/token", json={"station_code": "ST8", "station_secret": secret}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "k1"}
        assert c.post(f"/v1/cases/{cid}/supplements", json=body, headers=headers).status_code == 404
        other = f"/v1/cases/{uuid.uuid4()}/supplements"
        assert c.post(other, json=body, headers=headers).status_code == 422
