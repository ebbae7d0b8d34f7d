"""From a real decided case (core services over a throw-away store) to the printed documents:
the context carries what the case, the catalogue and the settings say, and the PDF shows it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from clerk_app.case_numbers import case_lookup_string
from clerk_app.lifecycle import CaseStatus, Decision, LineStatus
from clerk_app.settings import PRINT_DOCUMENT_KINDS, Settings
from printing.documents import build_pdf
from printing.from_case import NotPrintable, case_decision, document_context, documents_for_case, print_policy
from printing.model import DocumentKind, PageLayout
from printing.policy import PrintPolicy, plan_for_decision
from tests.helpers.case_factory import ITEM, decided_case, person, to_result_ready
from tests.helpers.core import make_world

from .conftest import decode_qr, normalise, pdf_text, render_page

SETTINGS = dict(
    hall_name="江城市江岸区政务服务中心",
    hall_address="沿江大道188号",
    hall_phone="027-12345678",
    reconsideration_body="江城市江岸区人民政府",
    litigation_court="江城市江岸区人民法院",
)


@pytest.fixture
def world(tmp_path):
    w = make_world(tmp_path / "store", **SETTINGS)
    yield w
    w.ctx.close()


def _ctx(world, actor, case_id, kind, **kw):
    view = world.ctx.cases.get(actor, case_id)
    item = world.ctx.catalogue.active().items.get(view.item_code)
    return document_context(
        kind, view, item, world.ctx.settings, clerk_staff_no=actor.staff_no, now=world.clock.now(), **kw
    )


def _text(ctx, tmp_path: Path) -> str:
    return normalise(pdf_text(build_pdf(ctx), tmp_path))


def _draft(world, clerk, premises="rented"):
    cid = world.ctx.cases.start_case(clerk, ITEM, {"premises": premises})
    world.ctx.cases.set_applicant(clerk, cid, person("张晓明", 7))
    return cid


def test_receipt_of_an_accepted_case(world, tmp_path):
    clerk = world.login("clerk")
    cid, number = decided_case(world.ctx, clerk, person("张晓明", 7), agent=person("李四", 8))
    ctx = _ctx(world, clerk, cid, DocumentKind.RECEIPT)
    view = world.ctx.cases.get(clerk, cid)
    assert ctx.case_number == number and ctx.case_lookup == case_lookup_string(number) == f"CASE:{number}"
    assert ctx.hall.name == SETTINGS["hall_name"] and ctx.hall.phone == SETTINGS["hall_phone"]
    assert ctx.window_no == world.ctx.settings.window_no and ctx.clerk_staff_no == clerk.staff_no
    assert ctx.applicant_masked_id == view.applicant.document_number and "*" in ctx.applicant_masked_id
    assert ctx.agent_masked_id == view.agent.document_number
    assert ctx.promised_date == view.promised_date and ctx.promised_working_days == 1
    assert ctx.legal_working_days == 3 and ctx.department == "市场监督管理局"
    assert ctx.decision_time == view.decided_at and ctx.layout is PageLayout.A4
    assert [ln.name for ln in ctx.lines] == [ln.name for ln in view.lines]
    text = _text(ctx, tmp_path)
    for needle in (
        number,
        ctx.applicant_masked_id,
        "受理回执",
        "个体工商户设立登记",
        SETTINGS["hall_name"],
        "2026年9月29日",
        *(ln.name for ln in view.lines),
    ):
        assert normalise(needle) in text, needle
    assert "420102199001010073" not in text  # never the full number
    path = tmp_path / "r.pdf"
    path.write_bytes(build_pdf(ctx))
    assert decode_qr(render_page(path, tmp_path / "r")) == [f"CASE:{number}"]
    assert case_decision(view) == "accept"
    assert documents_for_case(view) == (DocumentKind.RECEIPT, DocumentKind.MATERIALS_RECEIVED)


def test_one_time_notice_says_what_to_bring_and_skips_what_is_not_owed(world, tmp_path):
    clerk = world.login("clerk")
    cid = _draft(world, clerk)
    world.ctx.cases.update_line(clerk, cid, "APPLY", originals_received=1)
    world.ctx.cases.update_line(clerk, cid, "APPLY", status=LineStatus.DEFECTIVE, reason="未签字")
    world.ctx.cases.decide(cid, Decision.RETURN_WITH_NOTICE, clerk)
    ctx = _ctx(world, clerk, cid, DocumentKind.ONE_TIME_NOTICE)
    by_name = {ln.name: ln for ln in ctx.lines}
    assert by_name["个体工商户登记（备案）申请书"].reason == "未签字"
    assert by_name["个体工商户登记（备案）申请书"].what_to_bring == "原件 1 份（经营者本人签字）"
    premises = by_name["经营场所使用证明"]
    assert premises.reason == "未提交" and premises.what_to_bring.startswith("复印件 1 份（租赁合同")
    owed = [ln.name for ln in ctx.lines if ln.needs_action]
    notice = world.ctx.cases.one_time_notice(cid)
    assert owed == [e.name for e in notice.entries]  # the paper and the on-screen notice agree
    text = _text(ctx, tmp_path)
    for entry in notice.entries:
        assert normalise(entry.name) in text and normalise(entry.what_to_bring) in text
    assert normalise("行政许可法") in text and ctx.promised_date is None
    with pytest.raises(NotPrintable):
        _ctx(world, clerk, cid, DocumentKind.DEFICIENCY_COMMITMENT)


def test_deficiency_commitment_names_the_deferred_material_and_due_date(world, tmp_path):
    clerk = world.login("clerk")
    cid = _draft(world, clerk)
    for code in ("APPLY", "OPERATOR-ID"):
        line = next(ln for ln in world.ctx.cases.get(clerk, cid).lines if ln.code == code)
        world.ctx.cases.update_line(
            clerk, cid, code, originals_received=line.originals_required, copies_received=line.copies_required
        )
    due = dt.date(2026, 10, 16)
    world.ctx.cases.update_line(clerk, cid, "PREMISES", status=LineStatus.DEFERRED, due_date=due)
    world.ctx.cases.decide(cid, Decision.ACCEPT_WITH_DEFICIENCIES, clerk, due_date=due)
    view = world.ctx.cases.get(clerk, cid)
    assert documents_for_case(view) == (
        DocumentKind.RECEIPT,
        DocumentKind.DEFICIENCY_COMMITMENT,
        DocumentKind.MATERIALS_RECEIVED,
    )
    ctx = _ctx(world, clerk, cid, DocumentKind.DEFICIENCY_COMMITMENT)
    deferred = [ln for ln in ctx.lines if ln.due_date]
    assert [ln.name for ln in deferred] == ["经营场所使用证明"] and deferred[0].due_date == due
    assert deferred[0].what_to_bring.startswith("复印件 1 份")
    text = _text(ctx, tmp_path)
    assert all(normalise(s) in text for s in ("容缺受理承诺书", "经营场所使用证明", "2026年10月16日"))


def test_rejection_notice_names_the_bodies_from_the_settings(world, tmp_path):
    clerk = world.login("clerk")
    cid = _draft(world, clerk)
    world.ctx.cases.decide(
        cid, Decision.REJECT, clerk, reason="经营范围属于禁止类项目", legal_basis="《促进个体工商户发展条例》第八条"
    )
    ctx = _ctx(world, clerk, cid, DocumentKind.REJECTION_NOTICE)
    assert ctx.rejection is not None
    assert ctx.rejection.reconsideration_body == "江城市江岸区人民政府"
    assert ctx.rejection.litigation_court == "江城市江岸区人民法院"
    text = _text(ctx, tmp_path)
    for needle in (
        "不予受理通知书",
        "经营范围属于禁止类项目",
        "《促进个体工商户发展条例》第八条",
        "江城市江岸区人民政府",
        "江城市江岸区人民法院",
    ):
        assert normalise(needle) in text, needle


def test_delivery_receipt_from_the_handover(world, tmp_path):
    clerk = world.login("clerk")
    cid, number = decided_case(world.ctx, clerk, person("张晓明", 7))
    to_result_ready(world.ctx, cid)
    world.ctx.cases.deliver(clerk, cid, "express", address="江城市江岸区沿江大道 188 号")
    view = world.ctx.cases.get(clerk, cid)
    assert documents_for_case(view)[-1] is DocumentKind.DELIVERY_RECEIPT
    ctx = _ctx(world, clerk, cid, DocumentKind.DELIVERY_RECEIPT)
    assert ctx.delivery is not None and ctx.delivery.result_name == "营业执照"
    assert normalise("送达回证") in _text(ctx, tmp_path)


def test_roll_layout_reprint_and_drafts(world, tmp_path):
    clerk = world.login("clerk")
    cid, _number = decided_case(world.ctx, clerk, person("张晓明", 7))
    view = world.ctx.cases.get(clerk, cid)
    roll = Settings(**{**world.ctx.settings.to_dict(), "print_layout": "roll80"})
    ctx = document_context(
        DocumentKind.RECEIPT,
        view,
        None,
        roll,
        clerk_staff_no="0101",
        now=world.clock.now(),
        reprint=True,
        applicant_name="张晓明",
    )
    assert ctx.layout is PageLayout.ROLL_80MM and ctx.reprint and ctx.printed_at == world.clock.now()
    assert ctx.department == "" and ctx.applicant_name == "张晓明"  # item gone from the catalogue: still prints
    assert normalise("补打") in _text(ctx, tmp_path)
    draft = _draft(world, clerk)
    with pytest.raises(NotPrintable):
        _ctx(world, clerk, draft, DocumentKind.RECEIPT)
    assert documents_for_case(world.ctx.cases.get(clerk, draft)) == ()
    assert world.ctx.cases.get(clerk, draft).status is CaseStatus.DRAFT


def test_print_policy_from_the_settings():
    assert set(PRINT_DOCUMENT_KINDS) == {k.value for k in DocumentKind if k.queued}
    s = Settings(print_policy="materials_received=always, receipt=never")
    policy = print_policy(s)
    assert policy == {DocumentKind.MATERIALS_RECEIVED: PrintPolicy.ALWAYS, DocumentKind.RECEIPT: PrintPolicy.NEVER}
    plan = plan_for_decision("accept", policy)
    assert plan.print_now == (DocumentKind.MATERIALS_RECEIVED,) and plan.ask == ()
    assert plan_for_decision("accept", print_policy(Settings())).ask == (DocumentKind.MATERIALS_RECEIVED,)
