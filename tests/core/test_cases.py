"""The intake workflow through CaseService over a real SQLite store (no Qt)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text

from clerk_app.case_numbers import is_valid_case_number
from clerk_app.errors import DomainError, PermissionDenied
from clerk_app.lifecycle import CaseStatus, Decision, DecisionNotAllowed, LineStatus, NoticeProblem, TransitionForbidden
from clerk_app.persons import PersonData
from clerk_app.roles import system_actor
from clerk_app.store.models import AuditEvent, OutboxEntry, Person

ITEM = "SC-GTGSH-SL"  # 个体工商户设立登记
APPLICANT = PersonData(
    name="张三丰",
    document_number="11010519491231002X",
    address="湖北省武汉市江岸区胜利街100号",
    phone="13800138000",
    verified_by="chip",
    passive_auth="verified",
)


def receive_all(world, actor, case_id, skip=()):
    for line in world.ctx.cases.get(actor, case_id).lines:
        if line.code in skip or line.status is LineStatus.NOT_REQUIRED:
            continue
        world.ctx.cases.update_line(
            actor, case_id, line.code, originals_received=line.originals_required, copies_received=line.copies_required
        )


def new_case(world, actor, answers=None):
    cid = world.ctx.cases.start_case(actor, ITEM, answers or {"premises": "rented"})
    world.ctx.cases.set_applicant(actor, cid, APPLICANT)
    return cid


def codes(view):
    return [line.code for line in view.lines]


def test_checklist_follows_intake_answers(world):
    clerk = world.login("clerk")
    cid = world.ctx.cases.start_case(clerk, ITEM, {"premises": "rented"})
    cases = world.ctx.cases
    assert codes(cases.get(clerk, cid)) == ["APPLY", "OPERATOR-ID", "PREMISES"]
    cases.update_line(clerk, cid, "PREMISES", copies_received=1)
    cases.set_answers(clerk, cid, {"via_agent": True, "uses_name": True})
    view = cases.get(clerk, cid)
    assert codes(view) == ["APPLY", "OPERATOR-ID", "PREMISES", "NAME-DECL", "AGENT-POA", "AGENT-ID"]
    assert next(ln for ln in view.lines if ln.code == "AGENT-POA").name == "授权委托书"
    assert next(ln for ln in view.lines if ln.code == "PREMISES").status is LineStatus.RECEIVED  # kept
    cases.set_answers(clerk, cid, {"via_agent": False, "premises": "owned"})
    view = cases.get(clerk, cid)
    assert codes(view) == ["APPLY", "OPERATOR-ID", "PROPERTY-CERT", "NAME-DECL"]
    cert = next(ln for ln in view.lines if ln.code == "PROPERTY-CERT")
    assert cert.status is LineStatus.NOT_REQUIRED and "电子证照" in cert.reason


def test_accept_and_the_whole_life_of_a_case(world):
    clerk = world.login("clerk")
    cases = world.ctx.cases
    cid = new_case(world, clerk)
    with pytest.raises(DecisionNotAllowed) as info:
        cases.decide(cid, Decision.ACCEPT, clerk)
    assert "个体工商户登记（备案）申请书" in info.value.user_message("zh_CN")
    receive_all(world, clerk, cid)
    cases.update_line(clerk, cid, "OPERATOR-ID", status=LineStatus.VERIFIED)
    result = cases.decide(cid, Decision.ACCEPT, clerk)
    assert result.status is CaseStatus.ACCEPTED and is_valid_case_number(result.case_number)
    assert result.case_number.startswith("WH0120260928")
    # decided Monday 2026-09-28, promised 1 working day → Tuesday 09-29
    assert result.promised_date == dt.date(2026, 9, 29)
    with world.ctx.sessions() as s:
        outbox = s.scalars(select(OutboxEntry).where(OutboxEntry.case_id == cid)).all()
    assert [o.idempotency_key for o in outbox] == [f"{cid}:packet"]
    system = system_actor("WH01")
    for status in (CaseStatus.SYNCED, CaseStatus.IN_APPROVAL, CaseStatus.APPROVED, CaseStatus.RESULT_READY):
        cases.apply_server_status(system, cid, status)
    cases.deliver(clerk, cid, "window")
    view = cases.get(clerk, cid)
    assert view.status is CaseStatus.DELIVERED
    assert [t.to_status for t in view.transitions] == [
        "draft",
        "accepted",
        "synced",
        "in_approval",
        "approved",
        "result_ready",
        "delivered",
    ]
    with pytest.raises(TransitionForbidden):
        cases.apply_server_status(system, cid, CaseStatus.IN_APPROVAL)
    assert world.ctx.auditor.verify() is None


def test_decided_case_cannot_be_edited(world):
    clerk = world.login("clerk")
    cid = new_case(world, clerk)
    receive_all(world, clerk, cid)
    world.ctx.cases.decide(cid, Decision.ACCEPT, clerk)
    with pytest.raises(DomainError, match="decided"):
        world.ctx.cases.update_line(clerk, cid, "APPLY", copies_received=3)
    with pytest.raises(TransitionForbidden):
        world.ctx.cases.decide(cid, Decision.REJECT, clerk, reason="x")


def test_accept_with_deficiencies_only_for_deferrable_materials(world):
    clerk = world.login("clerk")
    cases = world.ctx.cases
    cid = new_case(world, clerk)
    receive_all(world, clerk, cid, skip=("PREMISES", "OPERATOR-ID"))
    with pytest.raises(DomainError) as key:
        cases.update_line(clerk, cid, "OPERATOR-ID", status=LineStatus.DEFERRED, due_date=dt.date(2026, 10, 15))
    assert "关键材料" in key.value.user_message("zh_CN")
    cases.update_line(clerk, cid, "OPERATOR-ID", originals_received=1, copies_received=1)
    with pytest.raises(DomainError):
        cases.update_line(clerk, cid, "PREMISES", status=LineStatus.DEFERRED, due_date=dt.date(2026, 9, 1))
    cases.update_line(clerk, cid, "PREMISES", status=LineStatus.DEFERRED, due_date=dt.date(2026, 10, 15))
    assert not cases.check_decision(cid, Decision.ACCEPT).allowed
    with pytest.raises(DecisionNotAllowed):
        cases.decide(cid, Decision.ACCEPT_WITH_DEFICIENCIES, clerk)  # no due date
    result = cases.decide(cid, Decision.ACCEPT_WITH_DEFICIENCIES, clerk, due_date=dt.date(2026, 10, 15))
    assert result.status is CaseStatus.ACCEPTED_WITH_DEFICIENCIES
    assert [e.code for e in result.notice.entries] == ["PREMISES"]
    view = cases.get(clerk, cid)
    assert view.deficiency_due == dt.date(2026, 10, 15)
    cases.record_supplements(clerk, cid, ["PREMISES"])
    assert cases.get(clerk, cid).status is CaseStatus.SUPPLEMENTS_RECEIVED


def test_one_time_notice_lists_every_missing_and_defective_line(world):
    clerk = world.login("clerk")
    cases = world.ctx.cases
    cid = new_case(world, clerk, {"premises": "residential", "uses_name": True})
    cases.update_line(clerk, cid, "APPLY", originals_received=1)
    cases.update_line(clerk, cid, "APPLY", status=LineStatus.DEFECTIVE, reason="申请书未经经营者本人签字")
    cases.update_line(clerk, cid, "OPERATOR-ID", originals_received=1)  # copy missing: incomplete
    notice = cases.one_time_notice(cid)
    problems = {e.code: e.problem for e in notice.entries}
    assert problems == {
        "APPLY": NoticeProblem.DEFECTIVE,
        "OPERATOR-ID": NoticeProblem.INCOMPLETE,
        "PREMISES": NoticeProblem.MISSING,
        "NEIGHBOUR-CONSENT": NoticeProblem.MISSING,
        "NAME-DECL": NoticeProblem.MISSING,
    }
    text_ = notice.text()
    assert "申请书未经经营者本人签字" in text_ and "复印件 1 份" in text_ and "5 项" in text_
    result = cases.decide(cid, Decision.RETURN_WITH_NOTICE, clerk)
    assert result.status is CaseStatus.RETURNED_WITH_NOTICE and len(result.notice.entries) == 5
    # The applicant comes back with everything: not a first visit any more.
    again = new_case(world, clerk, {"premises": "rented"})
    receive_all(world, clerk, again)
    cases.decide(again, Decision.ACCEPT, clerk)
    assert cases.get(clerk, again).first_visit is False
    assert cases.get(clerk, cid).first_visit is True


def test_return_needs_something_missing_and_reject_needs_a_reason(world):
    clerk = world.login("clerk")
    cases = world.ctx.cases
    cid = new_case(world, clerk)
    receive_all(world, clerk, cid)
    with pytest.raises(DecisionNotAllowed):
        cases.decide(cid, Decision.RETURN_WITH_NOTICE, clerk)
    with pytest.raises(DecisionNotAllowed):
        cases.decide(cid, Decision.REJECT, clerk, reason="  ")
    result = cases.decide(cid, Decision.REJECT, clerk, reason="经营项目属于禁止类，不属于本机关受理范围")
    view = cases.get(clerk, cid)
    assert result.status is CaseStatus.REJECTED and "促进个体工商户发展条例" in view.legal_basis
    assert world.ctx.cases.get(clerk, cid).promised_date is None


def test_prereview_prepares_and_hands_over_but_never_decides(world):
    helper = world.login("prereview")
    clerk = world.login("clerk")
    cases = world.ctx.cases
    cid = new_case(world, helper)
    receive_all(world, helper, cid)
    with pytest.raises(PermissionDenied):
        cases.decide(cid, Decision.ACCEPT, helper)
    with pytest.raises(PermissionDenied):
        cases.reveal_applicant(helper, cid, "核对")
    assert cases.get(helper, cid).applicant.document_number == "1101**********002X"
    cases.hand_over(helper, cid)
    with pytest.raises(DomainError):
        cases.update_line(helper, cid, "APPLY", originals_received=2)  # the window owns it now
    queue = cases.drafts(clerk, ready_only=True)
    assert [c.id for c in queue] == [cid] and queue[0].prereviewed_by == helper.user_id
    with pytest.raises(TransitionForbidden):
        cases.hand_over(helper, cid)
    result = cases.decide(cid, Decision.ACCEPT, clerk)
    assert result.status is CaseStatus.ACCEPTED
    assert [t.actor_role for t in cases.get(clerk, cid).transitions] == ["prereview", "prereview", "clerk"]


def test_case_reads_follow_the_role(world):
    """Issue 16 finding 6: ``cases.get`` let pre-review (and admin) read any case. 帮办 read the
    hall's open drafts and their own cases, masked; admin no case content; clerks and supervisors all."""
    helper, clerk, admin, supervisor = (world.login(u) for u in ("prereview", "clerk", "admin", "supervisor"))
    cases = world.ctx.cases
    theirs = new_case(world, helper)  # started by the 帮办, decided at the window
    receive_all(world, helper, theirs)
    cases.hand_over(helper, theirs)
    cases.decide(theirs, Decision.ACCEPT, clerk)
    draft = new_case(world, clerk)  # someone else's open draft of the hall
    decided = new_case(world, clerk)  # someone else's decided case
    receive_all(world, clerk, decided)
    cases.decide(decided, Decision.ACCEPT, clerk)

    assert cases.get(helper, draft).applicant.document_number == "1101**********002X"
    assert cases.get(helper, theirs).applicant.masked
    with pytest.raises(PermissionDenied) as refused:
        cases.get(helper, decided)
    assert "查看该案件" in refused.value.user_message("zh_CN")
    for cid in (draft, decided, theirs):
        with pytest.raises(PermissionDenied):
            cases.get(admin, cid)
        assert cases.get(clerk, cid).id == cid and cases.get(supervisor, cid).id == cid
        assert cases.get(system_actor("S"), cid).id == cid
    assert cases.drafts(admin) == []
    assert draft in {c.id for c in cases.drafts(helper)}


def test_void_is_for_supervisors_with_a_reason(world):
    clerk, supervisor = world.login("clerk"), world.login("supervisor")
    cid = new_case(world, clerk)
    with pytest.raises(PermissionDenied):
        world.ctx.cases.void(clerk, cid, "录错了")
    with pytest.raises(DomainError):
        world.ctx.cases.void(supervisor, cid, " ")
    world.ctx.cases.void(supervisor, cid, "重复建档")
    view = world.ctx.cases.get(supervisor, cid)
    assert view.status is CaseStatus.VOID and view.transitions[-1].reason == "重复建档"


def test_personal_data_is_encrypted_masked_and_reveal_is_audited(world):
    clerk = world.login("clerk")
    cid = new_case(world, clerk)
    with world.ctx.engine.connect() as conn:
        raw = b"".join(bytes(r[0]) for r in conn.execute(text("SELECT pii FROM persons")))
        dump = "\n".join(str(r) for r in conn.execute(text("SELECT * FROM persons")))
        audit = "\n".join(str(r) for r in conn.execute(text("SELECT * FROM audit_events")))
    for secret in ("张三丰", "11010519491231002X", "胜利街", "13800138000"):
        assert secret.encode() not in raw and secret not in dump and secret not in audit
    view = world.ctx.cases.get(clerk, cid)
    assert view.applicant.name == "张**" and view.applicant.document_number == "1101**********002X"
    full = world.ctx.cases.reveal_applicant(clerk, cid, "核对身份证原件")
    assert full.document_number == "11010519491231002X" and not full.masked
    with world.ctx.sessions() as s:
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert last.action == "pii.view_full" and last.detail["reason"] == "核对身份证原件"
    # exact search by ID number works through the keyed index, not plaintext
    token = world.ctx.persons.id_token("11010519491231002x")
    with world.ctx.sessions() as s:
        assert s.scalar(select(Person.id).where(Person.id_token == token)) is not None


def test_invalid_id_number_is_refused_on_entry(world):
    clerk = world.login("clerk")
    cid = world.ctx.cases.start_case(clerk, ITEM, {"premises": "rented"})
    with pytest.raises(DomainError) as info:
        world.ctx.cases.set_applicant(clerk, cid, PersonData(name="李四", document_number="110105194912310021"))
    assert "校验位" in info.value.user_message("zh_CN")


def test_delivery_and_its_handover_record_commit_together(world, monkeypatch):
    clerk = world.login("clerk")
    cid = new_case(world, clerk)
    receive_all(world, clerk, cid)
    world.ctx.cases.decide(cid, Decision.ACCEPT, clerk)
    for status in (CaseStatus.SYNCED, CaseStatus.IN_APPROVAL, CaseStatus.APPROVED, CaseStatus.RESULT_READY):
        world.ctx.cases.apply_server_status(system_actor("WH01"), cid, status)
    real = world.ctx.auditor.record

    def failing(session, actor, action, case_id=None, **detail):
        if action == "case.handover":
            raise OSError("disk gone")
        return real(session, actor, action, case_id, **detail)

    monkeypatch.setattr(world.ctx.auditor, "record", failing)
    with pytest.raises(OSError):
        world.ctx.cases.deliver(
            clerk, cid, "express", {"method": "express", "courier": "EMS"}, address="湖北省武汉市洪山区珞喻路1号"
        )
    assert world.ctx.cases.get(clerk, cid).status is CaseStatus.RESULT_READY  # nothing half-done
    monkeypatch.undo()
    world.ctx.cases.deliver(
        clerk, cid, "express", {"method": "express", "courier": "EMS"}, address="湖北省武汉市洪山区珞喻路1号"
    )
    assert world.ctx.cases.get(clerk, cid).status is CaseStatus.DELIVERED


def test_promised_date_never_before_the_deferred_due_date(world):
    """Rule chosen: extend, not refuse — a 容缺 due date after the computed promised date moves the
    promise to the due date (issue 17 item 10); an earlier due date leaves it as computed."""
    clerk = world.login("clerk")
    cases = world.ctx.cases
    today = world.ctx.clock.now().date()
    results = {}
    for weeks in (1, 26):
        cid = new_case(world, clerk)
        receive_all(world, clerk, cid, skip=("PREMISES",))
        due = today + dt.timedelta(weeks=weeks)
        cases.update_line(clerk, cid, "PREMISES", status=LineStatus.DEFERRED, due_date=due)
        results[weeks] = (due, cases.decide(cid, Decision.ACCEPT_WITH_DEFICIENCIES, clerk, due_date=due), cid)
    due, far, cid = results[26]
    assert far.promised_date == due and cases.get(clerk, cid).promised_date == due
    due, near, near_id = results[1]
    from clerk_app.store.models import Case

    with world.ctx.sessions() as s:
        days = s.get(Case, near_id).promised_days
    computed = world.ctx.calendar.promised_date(today, days).date
    assert near.promised_date == max(computed, due)
