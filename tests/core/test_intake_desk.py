"""What the intake page shows, decided by the core (clerk_app/intake_desk.py): the summary's parts, the
decision buttons' checks, the due date taken from deferred lines, the decision preview's contents."""

from __future__ import annotations

import datetime as dt

import pytest

from clerk_app import i18n
from clerk_app.intake_desk import (
    STEP_DONE,
    ApplicantIncomplete,
    case_title,
    current_step,
    deferred_due_date,
    desk_state,
    entered_person,
    identity_outcome,
    item_entries,
    line_cells,
    matters_text,
    number_check,
    open_desk,
    plan_decision,
    record_source,
    start_intake,
    step_labels,
    summary,
)
from clerk_app.lifecycle import Decision, LineStatus
from tests.helpers.case_factory import ITEM, person


def receive_all(ctx, actor, cid, *, but: str | None = None) -> None:
    for line in ctx.cases.get(actor, cid).lines:
        if line.status is LineStatus.PENDING and line.code != but:
            ctx.cases.update_line(
                actor, cid, line.code, originals_received=line.originals_required, copies_received=line.copies_required
            )


def test_the_summary_says_what_is_missing_then_that_all_is_in(world):
    ctx, clerk = world.ctx, world.login("clerk")
    cid = ctx.cases.start_case(clerk, ITEM, {"premises": "rented", "via_agent": False})
    state = desk_state(ctx.cases, ctx.customer, clerk, cid)
    assert state.editable and not state.decided and not state.complete
    assert state.missing and state.view.applicant is None
    assert not state.checks[Decision.ACCEPT].allowed and state.checks[Decision.ACCEPT].why
    ctx.cases.set_applicant(clerk, cid, person("张三", 1))
    receive_all(ctx, clerk, cid)
    state = desk_state(ctx.cases, ctx.customer, clerk, cid)
    assert state.missing == () and state.deferred == () and state.complete
    assert state.checks[Decision.ACCEPT].allowed


def test_pre_review_gets_no_decision_checks_and_a_decided_case_shows_its_outcome(world):
    ctx, clerk, helper = world.ctx, world.login("clerk"), world.login("prereview")
    cid = ctx.cases.start_case(helper, ITEM, {"premises": "rented", "via_agent": False})
    assert desk_state(ctx.cases, ctx.customer, helper, cid).checks == {}
    ctx.cases.set_applicant(clerk, cid, person("李四", 2))
    receive_all(ctx, clerk, cid)
    ctx.cases.decide(cid, Decision.ACCEPT, clerk)
    state = desk_state(ctx.cases, ctx.customer, clerk, cid)
    assert state.decided and not state.editable and state.checks == {} and state.view.case_number


def test_the_deadline_comes_from_the_deferred_lines_only_when_each_has_one(world):
    ctx, clerk = world.ctx, world.login("clerk")
    cid = ctx.cases.start_case(clerk, "SH-GLJT-SL", {"payment_account": "bank"})
    codes = [ln.code for ln in ctx.cases.get(clerk, cid).lines]
    assert deferred_due_date(ctx.cases.get(clerk, cid).lines) is None  # nothing deferred
    ctx.cases.update_line(clerk, cid, "BANK-ACCOUNT", status=LineStatus.DEFERRED, due_date=dt.date(2026, 12, 15))
    lines = ctx.cases.get(clerk, cid).lines
    assert deferred_due_date(lines) == dt.date(2026, 12, 15)
    assert "BANK-ACCOUNT" in codes
    plan = plan_decision(ctx.cases, ctx.catalogue, clerk, cid, Decision.ACCEPT_WITH_DEFICIENCIES)
    assert plan.due_date == dt.date(2026, 12, 15) and not plan.needs_due_date


def test_a_plan_carries_what_the_preview_lists(world):
    ctx, clerk = world.ctx, world.login("clerk")
    cid = ctx.cases.start_case(clerk, ITEM, {"premises": "rented", "via_agent": False})
    notice = plan_decision(ctx.cases, ctx.catalogue, clerk, cid, Decision.RETURN_WITH_NOTICE)
    assert notice.check.allowed and notice.notice and notice.item_name == "个体工商户设立登记"
    reject = plan_decision(ctx.cases, ctx.catalogue, clerk, cid, Decision.REJECT)
    assert reject.legal_basis and reject.notice is None
    accept = plan_decision(ctx.cases, ctx.catalogue, clerk, cid, Decision.ACCEPT)
    assert not accept.check.allowed and accept.check.why
    ctx.cases.set_applicant(clerk, cid, person("王五", 3))
    receive_all(ctx, clerk, cid)
    accept = plan_decision(ctx.cases, ctx.catalogue, clerk, cid, Decision.ACCEPT)
    assert accept.check.allowed and accept.received and all(r.originals >= 1 for r in accept.received if r.originals)


def test_ctrl_b_shows_the_sample_and_prints_the_blank_form(world):
    from clerk_app.intake_desk import line_forms

    catalogue = world.ctx.catalogue.active()
    forms = line_forms(catalogue, ITEM, "APPLY")  # 个体工商户登记（备案）申请书: a sample and a blank form
    assert forms is not None and forms.shown_is_sample and not forms.printed_is_sample
    assert forms.shown != forms.printed and forms.printed.is_file() and forms.material
    assert line_forms(catalogue, ITEM, "NO-SUCH-LINE") is None
    assert line_forms(catalogue, "NO-SUCH-ITEM", "APPLY") is None


def test_the_step_follows_the_case_nothing_scanned_yet_is_the_scan_step(world):
    ctx, clerk = world.ctx, world.login("clerk")
    cid = ctx.cases.start_case(clerk, ITEM, {"premises": "own", "via_agent": False})
    assert current_step(None) == 0 and current_step(ctx.cases.get(clerk, cid)) == 1
    ctx.cases.set_applicant(clerk, cid, person("张晓明", 7))
    assert current_step(ctx.cases.get(clerk, cid)) == 2
    receive_all(ctx, clerk, cid)
    assert current_step(ctx.cases.get(clerk, cid)) == 3  # every material in, no page scanned


def test_the_page_texts_follow_the_state_in_the_language_chosen(world):
    ctx, clerk = world.ctx, world.login("clerk")
    cid = ctx.cases.start_case(clerk, ITEM, {"premises": "rented", "via_agent": False})
    assert case_title(ctx.cases.get(clerk, cid)).endswith("  [草稿]")
    text, tone = summary(desk_state(ctx.cases, ctx.customer, clerk, cid))
    assert tone == "owed" and "尚缺或有缺陷的材料" in text and "尚未登记申请人" in text
    line = ctx.cases.get(clerk, cid).lines[0]
    assert len(line_cells(line)) == 8 and line_cells(line)[5]
    ctx.cases.set_applicant(clerk, cid, person("张三", 1))
    receive_all(ctx, clerk, cid)
    assert summary(desk_state(ctx.cases, ctx.customer, clerk, cid)) == ("材料已齐全 ✓", "ok")
    plan = plan_decision(ctx.cases, ctx.catalogue, clerk, cid, Decision.REJECT)
    assert "理由：不符合条件" in plan.preview(reason="不符合条件", legal_basis="某条例")
    ctx.cases.decide(cid, Decision.ACCEPT, clerk)
    i18n.set_language("en")
    try:
        text, tone = summary(desk_state(ctx.cases, ctx.customer, clerk, cid))
    finally:
        i18n.set_language("zh_CN")
    assert tone == "decided" and "Case number: " in text and text.endswith("F5: next applicant")
    assert matters_text(()) == ""


def test_a_new_intake_takes_the_ticket_called_and_the_desk_names_the_pre_reviewer_to_the_clerk(world):
    ctx, clerk, helper = world.ctx, world.login("clerk"), world.login("prereview")
    data_dir = ctx.settings.resolved_data_dir()
    cid = start_intake(ctx.cases, ctx.queue, data_dir, helper, ITEM, None)
    assert open_desk(ctx.cases, ctx.customer, ctx.catalogue, ctx.users, helper, cid).prereviewer is None
    opened = open_desk(ctx.cases, ctx.customer, ctx.catalogue, ctx.users, clerk, cid)
    assert opened.item is not None and opened.item.code == ITEM and opened.state.view.id == cid
    assert opened.prereviewer == ctx.users.display_name(opened.state.view.prereviewed_by) != "—"
    assert opened.prereview_note.startswith(f"已由帮办 {opened.prereviewer} 预审")


def test_the_applicant_panel_texts_number_check_and_record_source():
    from clerk_app.persons import PersonData

    assert number_check("passport", "E12345678") == ("", True)  # no check digit to test
    assert number_check("resident_id", "11010519491231002X") == ("✓ 号码校验通过", True)
    text, ok = number_check("resident_id", "110105194912310021")
    assert not ok and text
    assert record_source(None) == ("手工录入（未经芯片核验）", "typed")
    chip = PersonData(name="张三", verified_by="chip", passive_auth="data_altered")
    assert record_source(chip) == ("芯片读取（数据被篡改！）", "bad")
    assert record_source(PersonData(verified_by="chip")) == ("芯片读取（未验签）", "ok")


def test_the_step_strip_the_identity_check_and_the_item_list_say_what_the_state_gives(world):
    from clerk_app.item_search import ItemIndex

    assert step_labels(2) == [
        ("✓ 事项", "done"),
        ("✓ 读证", "done"),
        ("3 材料  Ctrl+R", "current"),
        ("4 扫描", "todo"),
        ("5 决定", "todo"),
    ]
    assert [state for _text, state in step_labels(STEP_DONE)] == ["done"] * 5
    assert identity_outcome(None)[1] == "ask" and identity_outcome("match") == ("已记录：人证一致。", "match")
    assert identity_outcome("mismatch")[1] == "mismatch"
    index = ItemIndex(world.ctx.catalogue.active())
    assert item_entries(None, "", None, []) == []
    entries = item_entries(index, "", None, [ITEM])
    assert entries[0][1] == ITEM and entries[0][0].startswith("★ ")
    assert not any(text.startswith("★") for text, _code in entries[1:])
    assert all(not text.startswith("★") for text, _code in item_entries(index, "gtgsh", None, [ITEM]))


def test_a_typed_applicant_needs_a_name_and_a_valid_number():
    import pytest

    from clerk_app.errors import ClerkAppError
    from clerk_app.persons import PersonData

    with pytest.raises(ApplicantIncomplete) as missing:
        entered_person(PersonData(name="张三"))
    assert missing.value.user_message() == "请填写姓名/名称和证件号码"
    with pytest.raises(ClerkAppError):
        entered_person(PersonData(name="张三", document_number="110105194912310021"))
    assert entered_person(PersonData(name="张三", document_number="11010519491231002x")).document_number.endswith("X")


def test_a_form_file_the_folder_lacks_is_not_found_by_its_name(tmp_path):
    from clerk_app.errors import NotFound
    from clerk_app.intake_desk import LineForms

    there = tmp_path / "样表.pdf"
    there.write_bytes(b"%PDF-1.7")
    assert LineForms("申请书", there, True, there, True).shown_bytes() == b"%PDF-1.7"
    gone = LineForms("申请书", tmp_path / "gone.pdf", True, there, False)
    with pytest.raises(NotFound) as caught:
        gone.shown_bytes()
    assert caught.value.user_message() == "未找到：gone.pdf"
