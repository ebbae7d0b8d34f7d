"""Claims that lapse by themselves (issue 14 item 2: a crashed station does not hold cases forever), the
hall's results-ready list with who holds each case, and the result document at the window (issue 18
item 2): its name without opening it, a full view audited with the purpose, a print job of its own at
出件 only when the back office sent one."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from clerk_app.cases import CaseClaimed, claim_expires_at
from clerk_app.clock import CHINA_TZ
from clerk_app.delivery import DeliveryMethod, Handover
from clerk_app.errors import DomainError, PermissionDenied
from clerk_app.result_documents import RESULT_KEY
from clerk_app.settings import SettingsError, validate
from clerk_app.store.models import AuditEvent
from clerk_app.sync import state as sync_state
from printing.model import DocumentKind
from tests.core.test_hall_cases import other_window, second_clerk
from tests.helpers.case_factory import ITEM, decided_case, person, to_result_ready
from tests.helpers.core import make_world


def audit(world, action):
    with world.ctx.sessions() as s:
        return [
            e.detail for e in s.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq))
        ]


def test_claim_expiry_setting_is_validated():
    assert validate({}).claim_expiry_minutes == 480
    assert validate({"claim_expiry_minutes": 60}).claim_expiry_minutes == 60
    for bad in (0, 5, 2000, "eight"):
        with pytest.raises(SettingsError, match="claim_expiry_minutes"):
            validate({"claim_expiry_minutes": bad})


def test_a_claim_lapses_after_the_configured_time_and_at_the_end_of_the_day(tmp_path):
    world = make_world(tmp_path, claim_expiry_minutes=120)  # 09:30 China time
    cases = world.ctx.cases
    assert cases.claim_expiry == dt.timedelta(minutes=120) == world.ctx.pages.claim_expiry
    clerk, clerk2 = world.login("clerk"), second_clerk(world)
    cid = cases.start_case(clerk, ITEM, {"premises": "rented"})
    held = cases.claim(clerk, cid)
    assert held.expires_at == held.since + dt.timedelta(minutes=120)
    there = other_window(world)
    there.claim_expiry = cases.claim_expiry
    with pytest.raises(CaseClaimed):
        there.claim(clerk2, cid)
    world.clock.advance(minutes=119)
    assert there.open_for_work(clerk2, cid).read_only_for(clerk2)
    world.clock.advance(minutes=1)  # lapsed: nobody holds it, and the next one takes it over (audited)
    assert cases.claim_of(cid) is None and cases.claims(world.login("supervisor")) == []
    assert not there.get(clerk2, cid).read_only_for(clerk2)
    taken = there.claim(clerk2, cid)
    assert (taken.user_id, taken.station_code) == (clerk2.user_id, "WH02")
    [lapsed] = [d for d in audit(world, "case.claim_release") if d.get("expired")]
    assert lapsed["holder"] == clerk.user_id and lapsed["holder_station"] == world.ctx.settings.station_code
    with pytest.raises(CaseClaimed) as refused:  # now the first clerk is the one who reads
        cases.claim(clerk, cid)
    assert refused.value.holder.user_id == clerk2.user_id


def test_end_of_day_comes_first_for_a_long_expiry():
    since = dt.datetime(2026, 9, 28, 22, 0, tzinfo=CHINA_TZ)
    assert claim_expires_at(since, dt.timedelta(hours=8)) == dt.datetime(2026, 9, 29, 0, 0, tzinfo=CHINA_TZ)
    morning = dt.datetime(2026, 9, 28, 9, 0, tzinfo=CHINA_TZ).astimezone(dt.UTC)  # stored as UTC
    assert claim_expires_at(morning, dt.timedelta(hours=8)) == morning + dt.timedelta(hours=8)


def test_results_ready_names_the_holder_and_the_result_document(tmp_path):
    world = make_world(tmp_path, print_policy="receipt=never, materials_received=never")
    ctx = world.ctx
    clerk, clerk2 = world.login("clerk"), second_clerk(world)
    with_doc, _ = decided_case(ctx, clerk, person("王芳", 5))
    without, _ = decided_case(ctx, clerk, person("李四", 6))
    for cid in (with_doc, without):
        to_result_ready(ctx, cid)
    pdf = _result_pdf()
    stored = ctx.pages.store.put(pdf, "application/pdf")
    with ctx.sessions.begin() as s:
        ref = {"id": 7, "sha256": stored.sha256, "size": len(pdf), "filename": "准予登记通知书.pdf"}
        sync_state.set_value(s, RESULT_KEY + with_doc, json.dumps(ref))
    ctx.cases.claim(clerk2, without)

    ready = {r.case_id: r for r in ctx.cases.results_ready(clerk)}
    assert set(ready) == {with_doc, without}
    assert ready[without].claim is not None and ready[without].claim.user_name == "赵敏"
    assert ready[with_doc].claim is None
    assert ctx.results.cases_with_document(clerk, list(ready)) == {with_doc}
    info = ctx.results.info(clerk, with_doc)
    assert info is not None and (info.name, info.size) == ("准予登记通知书.pdf", len(pdf))
    assert ctx.results.info(clerk, without) is None

    # Opening it is a full view: audited with the purpose; the 帮办 (masked data only) may not.
    assert ctx.results.pdf(clerk, with_doc) == pdf
    assert audit(world, "case.result_document")[-1]["purpose"] == "view"
    with pytest.raises(PermissionDenied):
        ctx.results.pdf(world.login("prereview"), with_doc)
    with pytest.raises(DomainError):
        ctx.results.pdf(clerk, without)

    # 出件: the 送达回证 and, only where the back office sent one, the result document (a job of its own).
    runtime = ctx.printing
    assert runtime is not None
    for cid in (with_doc, without):
        collector = person("王芳", 5) if cid == with_doc else person("李四", 6)
        handed_by = clerk if cid == with_doc else clerk2
        ctx.delivery.hand_over(handed_by, cid, Handover(DeliveryMethod.WINDOW, collector.document_number))
    kinds = [(j.kind, j.case_number) for j in runtime.pending()]
    numbers = {cid: ctx.cases.get(clerk, cid).case_number for cid in (with_doc, without)}
    assert kinds == [
        (DocumentKind.DELIVERY_RECEIPT, numbers[with_doc]),
        (DocumentKind.RESULT_DOCUMENT, numbers[with_doc]),
        (DocumentKind.DELIVERY_RECEIPT, numbers[without]),
    ]
    result_job = runtime.pending()[1]
    assert runtime.preview(clerk, result_job.job_id) == pdf  # printed as it came, hash-checked at download
    assert audit(world, "case.result_document")[-1]["purpose"] == "print"
    printed = runtime.jobs.get(result_job.job_id)
    assert (printed.pages, printed.media) == (2, "A4")


def _result_pdf() -> bytes:
    from tests.backoffice.workbench_helpers import pdf_bytes

    return pdf_bytes(2, "准予登记通知书")


def test_the_feed_names_the_result_document_safely():
    from clerk_app.sync.transport import _result_ref

    sha = "a" * 64
    ref = _result_ref({"id": 1, "sha256": sha, "size": 10, "filename": "C:\\temp\\..\\决定书\x07.pdf"})
    assert ref is not None and ref.filename == "决定书.pdf"
    assert _result_ref({"id": 1, "sha256": sha, "size": 10}).filename == ""  # 1.1 servers send no name
    assert _result_ref({"id": 1, "sha256": sha, "size": 10, "filename": 5}).filename == ""
