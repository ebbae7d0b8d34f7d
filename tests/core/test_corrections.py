"""Void and corrections by a supervisor; permission errors for the other roles in the core."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from clerk_app.corrections import CorrectionService
from clerk_app.errors import DomainError, PermissionDenied
from clerk_app.lifecycle import CaseStatus, Decision
from clerk_app.store.models import AuditEvent
from tests.helpers.supervision import ID_NUMBER, NAME, accepted_case


@pytest.fixture
def svc(world):
    return CorrectionService(world.ctx.sessions, world.clock, world.ctx.auditor)


def test_correction_keeps_the_original_and_is_audited_without_values(world, svc):
    clerk, sup = world.login("clerk"), world.login("supervisor")
    cid = accepted_case(world, clerk)
    before = world.ctx.cases.get(clerk, cid).window_no
    view = svc.correct(sup, cid, "window_no", "07", "登记时窗口号选错")
    assert (view.old_value, view.new_value) == (before, "07")
    assert world.ctx.cases.get(clerk, cid).window_no == "07"
    svc.correct(sup, cid, "promised_date", "2026-10-09", "系统日历更新后重新计算")
    assert world.ctx.cases.get(clerk, cid).promised_date == dt.date(2026, 10, 9)
    history = svc.history(sup, cid)
    assert [(h.field, h.old_value) for h in history] == [("window_no", before), ("promised_date", "2026-09-29")]
    with world.ctx.sessions() as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "case.correct")).all()
    assert [e.detail["field"] for e in ev] == ["window_no", "promised_date"]
    assert all("07" not in str(e.detail.values()) and "2026-10-09" not in str(e.detail) for e in ev)
    assert world.ctx.auditor.verify() is None


def test_correction_rules(world, svc):
    clerk, sup = world.login("clerk"), world.login("supervisor")
    cid = accepted_case(world, clerk)
    with pytest.raises(DomainError, match="reason"):
        svc.correct(sup, cid, "window_no", "07", "  ")
    with pytest.raises(DomainError) as info:
        svc.correct(sup, cid, "applicant_id", "x", "试图改申请人")
    assert "不能更正" in info.value.user_message("zh_CN")
    with pytest.raises(DomainError):
        svc.correct(sup, cid, "rating", "9", "评价录错")
    with pytest.raises(DomainError):
        svc.correct(sup, cid, "promised_date", "2026-09-29", "same")
    with pytest.raises(PermissionDenied):
        svc.correct(clerk, cid, "window_no", "07", "窗口号")
    draft = world.ctx.cases.start_case(clerk, "SC-GTGSH-SL", {"premises": "rented"})
    with pytest.raises(DomainError):
        svc.correct(sup, draft, "window_no", "07", "草稿不能更正")


def test_void_by_supervisor_only_with_reason_and_history_kept(world, svc):
    clerk, sup = world.login("clerk"), world.login("supervisor")
    cid = accepted_case(world, clerk)
    with pytest.raises(PermissionDenied):
        world.ctx.cases.void(clerk, cid, "重复录入")
    with pytest.raises(DomainError):
        world.ctx.cases.void(sup, cid, " ")
    world.ctx.cases.void(sup, cid, "重复录入")
    view = world.ctx.cases.get(sup, cid)
    assert view.status is CaseStatus.VOID
    assert [t.to_status for t in view.transitions][-2:] == ["accepted", "void"]
    assert view.case_number  # the number stays (never reused)
    with pytest.raises(DomainError):
        svc.correct(sup, cid, "window_no", "07", "作废后不能更正")


def test_prereview_cannot_decide_or_reveal_in_the_core(world):
    helper, clerk = world.login("prereview"), world.login("clerk")
    cid = accepted_case(world, clerk)
    draft = world.ctx.cases.start_case(helper, "SC-GTGSH-SL", {"premises": "rented"})
    with pytest.raises(PermissionDenied):
        world.ctx.cases.decide(draft, Decision.ACCEPT, helper)
    with pytest.raises(PermissionDenied):
        world.ctx.cases.reveal_applicant(helper, cid, "想看看")
    with pytest.raises(PermissionDenied):  # a decided case is not the 帮办's to read (clerk_app/case_access.py)
        world.ctx.cases.get(helper, cid)
    masked = world.ctx.cases.get(clerk, cid).applicant  # lists and views show the clerk masked data too
    assert masked.masked and ID_NUMBER not in masked.document_number and NAME != masked.name
    full = world.ctx.cases.reveal_applicant(world.login("supervisor"), cid, "核对投诉")
    assert full.document_number == ID_NUMBER
    with world.ctx.sessions() as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "pii.view_full")).one()
    assert ev.detail["reason"] == "核对投诉" and ID_NUMBER not in str(ev.detail)
