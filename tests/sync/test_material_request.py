"""补正 back at the window (issue 18, "request more material"), against the real back office on loopback
with PostgreSQL: the approver requests material in the workbench; the workstation's sync worker reads
``material_requested`` from the feed, records each requested material as an owed line of the case (with
the department's reason and a due date), the case is on the owed-materials worklist, the one-time notice
can be printed, pages are added and the supplement recorded; the back office receives it as lines of
the case and shows them to the approver. Reading the feed again adds nothing twice."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from backoffice.models import Supplement
from clerk_app.attachments import AttachmentStore
from clerk_app.cases import REQUEST_DUE_WORKDAYS, request_line_code
from clerk_app.errors import DomainError
from clerk_app.lifecycle import CaseStatus, LineStatus
from clerk_app.pages import PageService
from clerk_app.security.crypto import FieldCipher
from clerk_app.store.models import OutboxEntry, PrintJob
from clerk_app.sync import state as sync_state
from clerk_app.sync.packet import person_repository_decoder
from clerk_app.sync.wiring import CaseServiceStatusApplier
from tests.backoffice.workbench_helpers import ITEM, PASSWORD, Bench
from tests.helpers.core import make_world
from tests.sync.test_lifecycle import decide_with_page
from testsupport.sync import make_station

pytestmark = pytest.mark.postgres

PAGE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 50
LATER = b"\x89PNG\r\n\x1a\n" + bytes(range(255, -1, -1)) * 40


def test_material_request_reaches_the_owed_list_and_comes_back(backoffice, tmp_path):
    backoffice.add_department("SCJG", "市场监管科", [ITEM])
    backoffice.add_user("li", "approver", "SCJG", PASSWORD)
    world = make_world(tmp_path / "ws")
    ctx = world.ctx
    code = ctx.settings.station_code
    clerk = world.login("clerk")
    store = AttachmentStore(tmp_path / "attachments", FieldCipher(ctx.keys, "attachments"))
    pages = PageService(ctx.sessions, ctx.clock, ctx.auditor, store)
    cid = decide_with_page(ctx, pages, clerk, "王五", 5, PAGE)
    station = make_station(
        backoffice.url,
        ctx.sessions,
        tmp_path / "unused",
        code=code,
        enrolment=backoffice.add_station(code),
        attachments=store,
        decoder=person_repository_decoder(ctx.persons),
        status_applier=CaseServiceStatusApplier(ctx.cases, ctx.sessions, code),
    )
    li = Bench(backoffice.url)
    try:
        assert station.worker.run_once().sent == 1
        assert li.sign_in("li").status_code == 303
        assert li.act(cid, "start").status_code == 303
        asked = li.act(cid, "request_material", materials="租赁合同复印件\n经营场所照片", reason="场所证明缺失")
        assert asked.status_code == 303
        assert ctx.cases.owed_materials(clerk, when="all") == []

        report = station.worker.run_once()
        assert report.pull_error is None
        view = ctx.cases.get(clerk, cid)
        assert view.status is CaseStatus.IN_APPROVAL and view.server_status == "material_requested"
        requested = [ln for ln in view.lines if ln.code.startswith("BZ")]
        assert [ln.name for ln in requested] == ["租赁合同复印件", "经营场所照片"]
        assert all(ln.status is LineStatus.DEFERRED and ln.reason == "场所证明缺失" for ln in requested)
        today = world.clock.now().date()
        due = ctx.calendar.add_working_days(today, REQUEST_DUE_WORKDAYS)
        assert {ln.due_date for ln in requested} == {due}

        # The owed-materials worklist: in "all owed" (not due yet), with the request text, name masked.
        [owed] = ctx.cases.owed_materials(clerk, when="all")
        assert owed.case_id == cid and owed.requests == ("场所证明缺失",)
        assert owed.owed_names == ("租赁合同复印件", "经营场所照片") and owed.days_overdue < 0
        assert "王五" not in owed.applicant_name and owed.applicant_name.startswith("王")
        assert ctx.cases.owed_materials(clerk, when="due") == []

        # Reading the whole feed again (a restored cursor) adds nothing twice.
        with ctx.sessions.begin() as s:
            sync_state.set_value(s, f"status_cursor:{code}", "0")
        station.worker.run_once()
        assert len([ln for ln in ctx.cases.get(clerk, cid).lines if ln.code.startswith("BZ")]) == 2

        # The one-time notice for the request goes to the print outbox and prints (every owed line).
        assert ctx.cases.print_request_notice(clerk, cid) == 1

        # The applicant brings one of them: pages onto its line, recorded, sent, seen by the approver.
        first = requested[0].code
        seq = int(first[2:].split("-")[0])
        assert first == request_line_code(seq, 1)
        pages.add(clerk, cid, first, LATER, "image/png")
        with pytest.raises(DomainError) as nothing:
            ctx.cases.record_supplements(clerk, cid, [])
        assert "请勾选" in nothing.value.user_message("zh_CN")
        ctx.cases.record_supplements(clerk, cid, [first])
        with pytest.raises(DomainError) as twice:
            ctx.cases.record_supplements(clerk, cid, [first])
        assert "没有登记" in twice.value.user_message("zh_CN")
        [still] = ctx.cases.owed_materials(clerk, when="all")
        assert still.owed_names == ("经营场所照片",)
        report = station.worker.run_once()
        assert (report.sent, report.failed) == (1, 0)
        with backoffice.sessions() as s:
            assert [(r.case_id, r.lines) for r in s.scalars(select(Supplement))] == [(cid, [first])]
        page = li.case(cid)[0]
        assert "补正：租赁合同复印件" in page.text and "已补齐" in page.text
        with ctx.sessions() as s:
            assert s.scalar(select(OutboxEntry.state).where(OutboxEntry.kind == "supplements")) == "sent"
        # Both documents were printed from the case: the notice, then the 补正材料收件凭证.
        ctx.printing.worker.drain_once()  # the world does not start the print worker
        with ctx.sessions() as s:
            jobs = s.execute(select(PrintJob.document_kind, PrintJob.status).where(PrintJob.case_id == cid)).all()
        assert ("material_request_notice", "done") in jobs and ("supplement_receipt", "done") in jobs
        assert ctx.auditor.verify() is None
    finally:
        li.close()
        station.client.close()
        ctx.close()
