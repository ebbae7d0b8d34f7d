"""The case's whole life after the decision (issue 14, part 4), real back office + PostgreSQL:

- 容缺 supplements recorded while the case is synced / in approval (status stays, the owed lines say
  what is owed; pages added to the deferred line; outbox entry sent once); the owed-materials worklists
  follow the lines, not the status;
- every outcome — return with notice, rejection, delivery (method and collector), void, correction —
  reaches the back office exactly once through the outbox, also when a response is lost.
"""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest
from sqlalchemy import func, select, update

from backoffice.models import CaseOutcome, Supplement
from clerk_app.attachments import AttachmentStore
from clerk_app.cases import CaseService
from clerk_app.corrections import CorrectionService
from clerk_app.delivery import DeliveryMethod, DeliveryService, Handover
from clerk_app.errors import DomainError
from clerk_app.lifecycle import CaseStatus, Decision, LineStatus
from clerk_app.pages import PageService
from clerk_app.roles import system_actor
from clerk_app.security.crypto import FieldCipher
from clerk_app.stats import StatsService
from clerk_app.store.models import OutboxEntry
from clerk_app.sync import BackOfficeUnavailable, RequestRejected
from clerk_app.sync.packet import person_repository_decoder
from tests.helpers.case_factory import ITEM, decided_case, person, resident_id, to_result_ready
from tests.helpers.core import make_world
from testsupport.sync import make_station

pytestmark = pytest.mark.postgres

PAGE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
LATER = b"\x89PNG\r\n\x1a\n" + bytes(range(255, -1, -1)) * 30


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


def deficient(ctx, pages, clerk, due: dt.date) -> str:
    cid = ctx.cases.start_case(clerk, ITEM, {"premises": "rented"})
    ctx.cases.set_applicant(clerk, cid, person("周九", 11))
    for line in ctx.cases.get(clerk, cid).lines:
        if line.code != "PREMISES" and line.status is not LineStatus.NOT_REQUIRED:
            ctx.cases.update_line(
                clerk, cid, line.code, originals_received=line.originals_required, copies_received=line.copies_required
            )
    ctx.cases.update_line(clerk, cid, "PREMISES", status=LineStatus.DEFERRED, due_date=due)
    pages.add(clerk, cid, "APPLY", PAGE, "image/png")
    ctx.cases.decide(cid, Decision.ACCEPT_WITH_DEFICIENCIES, clerk, due_date=due)
    return cid


def outcomes(backoffice) -> list[tuple[str, str, str]]:
    with backoffice.sessions() as s:
        return [
            (r.case_id, r.outcome, r.idempotency_key) for r in s.scalars(select(CaseOutcome).order_by(CaseOutcome.id))
        ]


def test_supplements_after_sync_and_in_approval(backoffice, setup):
    world, pages, station = setup
    ctx, clerk, sup = world.ctx, world.login("clerk"), world.login("supervisor")
    today = world.clock.now().date()
    cid = deficient(ctx, pages, clerk, today + dt.timedelta(days=2))
    assert station.worker.run_once().sent == 1
    for status in (CaseStatus.SYNCED, CaseStatus.IN_APPROVAL):
        ctx.cases.apply_server_status(system_actor("WH01"), cid, status)

    # Owed materials follow the lines: not due yet, then due today, then overdue — in approval.
    assert ctx.cases.owed_materials(clerk) == []
    world.clock.advance(days=2)
    [owed] = ctx.cases.owed_materials(clerk, when="today")
    assert (owed.case_id, owed.status, owed.owed, owed.days_overdue) == (cid, CaseStatus.IN_APPROVAL, ("PREMISES",), 0)
    world.clock.advance(days=1)
    assert ctx.cases.owed_materials(clerk, when="today") == []
    [late] = ctx.cases.owed_materials(clerk, when="overdue")
    assert late.days_overdue == 1
    stats = StatsService(ctx.sessions, world.clock)
    assert [o.case_id for o in stats.overdue_supplements(sup)] == [cid]

    # A page can be added to the deferred line only; the supplements are recorded; the status stays.
    with pytest.raises(DomainError):
        pages.add(clerk, cid, "APPLY", LATER, "image/png")
    pages.add(clerk, cid, "PREMISES", LATER, "image/png")
    with pytest.raises(DomainError) as bad:
        ctx.cases.record_supplements(clerk, cid, ["NO-SUCH-LINE"])
    assert "不是本案的材料" in bad.value.user_message("zh_CN")
    ctx.cases.record_supplements(clerk, cid, ["PREMISES"])
    view = ctx.cases.get(clerk, cid)
    assert view.status is CaseStatus.IN_APPROVAL
    assert {ln.code: ln.status for ln in view.lines}["PREMISES"] is LineStatus.RECEIVED
    assert ctx.cases.owed_materials(clerk) == [] and stats.overdue_supplements(sup) == []
    report = station.worker.run_once()
    assert (report.sent, report.failed) == (1, 0)
    with backoffice.sessions() as s:
        assert [(r.case_id, r.lines) for r in s.scalars(select(Supplement))] == [(cid, ["PREMISES"])]
    # A case past approval takes no supplements (typed, in Chinese).
    ctx.cases.apply_server_status(system_actor("WH01"), cid, CaseStatus.APPROVED)
    with pytest.raises(DomainError) as late_err:
        ctx.cases.record_supplements(clerk, cid, ["PREMISES"])
    assert "不能登记补交材料" in late_err.value.user_message("zh_CN")
    assert ctx.auditor.verify() is None


def test_every_outcome_reaches_the_back_office_once(backoffice, setup):
    world, pages, station = setup
    ctx, clerk, sup = world.ctx, world.login("clerk"), world.login("supervisor")
    cases: CaseService = ctx.cases

    # return with notice: nothing received
    ret = cases.start_case(clerk, ITEM, {"premises": "rented"})
    cases.set_applicant(clerk, ret, person("吴十", 12))
    cases.decide(ret, Decision.RETURN_WITH_NOTICE, clerk)
    # rejection
    rej = cases.start_case(clerk, ITEM, {"premises": "rented"})
    cases.decide(rej, Decision.REJECT, clerk, reason="不属于本机关职权范围")
    # delivered at the window by the agent, then corrected by the supervisor
    dlv, number = decided_case(ctx, clerk, person("李四", 2), agent=person("刘洋", 3))
    to_result_ready(ctx, dlv)
    delivery = DeliveryService(ctx.sessions, cases, ctx.persons, ctx.auditor)
    delivery.hand_over(clerk, dlv, Handover(DeliveryMethod.WINDOW, resident_id(3), collector_source="chip"))
    CorrectionService(ctx.sessions, ctx.clock, ctx.auditor).correct(sup, dlv, "ticket_no", "A017", "取号记录有误")
    # void of an accepted case
    vd, _ = decided_case(ctx, clerk, person("陈五", 5))
    cases.void(sup, vd, "申请人撤回申请")

    with ctx.sessions() as s:
        keys = sorted(s.scalars(select(OutboxEntry.idempotency_key).where(OutboxEntry.kind == "outcome")))
    assert keys == sorted(
        [
            f"{ret}:return_with_notice:1",
            f"{rej}:rejection:1",
            f"{dlv}:delivery:1",
            f"{dlv}:correction:1",
            f"{vd}:void:1",
        ]
    )

    # The first outcome's answer is lost after the server stored it: the retry is a replay.
    real = station.client.upload_outcome
    calls: list[str] = []

    def lost_once(k, c, body):
        created = real(k, c, body)
        calls.append(k)
        if len(calls) == 1:
            raise BackOfficeUnavailable(problem="response lost")
        return created

    station.client.upload_outcome = lost_once  # type: ignore[method-assign]
    station.worker.run_once()
    with ctx.sessions.begin() as s:
        s.execute(update(OutboxEntry).values(next_attempt_at=None))
    for _ in range(3):
        station.worker.run_once()
    with ctx.sessions() as s:
        states = set(s.scalars(select(OutboxEntry.state)))
    assert states == {"sent"}
    got = outcomes(backoffice)
    assert sorted(k for _, _, k in got) == keys  # each exactly once
    assert len(calls) == len(keys) + 1  # one replay
    with backoffice.sessions() as s:
        rows = {r.outcome: r.body for r in s.scalars(select(CaseOutcome))}
    assert rows["delivery"]["details"] == {"method": "window", "collector": "agent", "id_source": "chip"}
    assert rows["rejection"]["details"]["reason"] == "不属于本机关职权范围"
    assert {e["requirement_code"] for e in rows["return_with_notice"]["details"]["notice"]}
    assert rows["correction"]["details"]["new_value"] == "A017"
    assert rows["void"]["details"]["reason"] == "申请人撤回申请"
    assert "李四" not in str(rows) and resident_id(3) not in str(rows)

    # The same key with another body is refused; an invalid outcome is refused with 422.
    with ctx.sessions() as s:
        body = dict(s.scalar(select(OutboxEntry.payload).where(OutboxEntry.idempotency_key == f"{vd}:void:1")))
    assert real(f"{vd}:void:1", vd, body) is False
    with pytest.raises(RequestRejected) as conflict:
        real(f"{vd}:void:1", vd, dict(body, details={"reason": "别的理由"}))
    assert conflict.value.code == "idempotency_conflict"
    with pytest.raises(RequestRejected) as invalid:
        real(f"{vd}:void:2", vd, dict(body, details={}))
    assert invalid.value.status == 422
    with backoffice.sessions() as s:
        assert s.scalar(select(func.count()).select_from(CaseOutcome)) == len(keys)
    assert ctx.auditor.verify() is None


def test_outcome_endpoint_checks_station_and_path(backoffice):
    enrolment = backoffice.add_station("ST9")
    cid = str(uuid.uuid4())
    body = {
        "schema_version": "outcome/1",
        "case_id": cid,
        "case_number": None,
        "outcome": "void",
        "item_code": "X",
        "at": "2026-12-03T01:00:00+00:00",
        "station_code": "ST9",
        "acting_station": "ST9",
        "window_no": "01",
        "actor_role": "supervisor",
        "details": {"reason": "撤回"},
    }
    with httpx.Client(base_url=backoffice.url) as c:
        secret = c.post("/v1/stations/register", json={"station_code": "ST9", "enrolment_code": enrolment}).json()[
            "station_secret"
        ]
        token = c.post("/v1/auth/token", json={"station_code": "ST9", "station_secret": secret}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "o1"}
        first = c.post(f"/v1/cases/{cid}/outcomes", json=body, headers=headers)
        assert first.status_code == 201, first.text
        assert c.post(f"/v1/cases/{cid}/outcomes", json=body, headers=headers).status_code == 200
        assert c.post(f"/v1/cases/{uuid.uuid4()}/outcomes", json=body, headers=headers).status_code == 422
        other = dict(body, station_code="XX1")
        assert (
            c.post(
                f"/v1/cases/{cid}/outcomes", json=other, headers=dict(headers, **{"Idempotency-Key": "o2"})
            ).status_code
            == 403
        )
        naive = dict(body, at="2026-12-03T01:00:00")
        assert (
            c.post(
                f"/v1/cases/{cid}/outcomes", json=naive, headers=dict(headers, **{"Idempotency-Key": "o3"})
            ).status_code
            == 422
        )
        assert (
            c.post(
                f"/v1/cases/{cid}/outcomes",
                json=dict(body, extra=1),
                headers=dict(headers, **{"Idempotency-Key": "o4"}),
            ).status_code
            == 422
        )
