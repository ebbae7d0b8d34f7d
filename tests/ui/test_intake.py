"""Whole intakes driven through the intake page, keyboard first, and the stored case checked."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from clerk_app.lifecycle import CaseStatus, LineStatus
from testsupport.ui import ScriptedPrompts, open_window, settle, type_into

K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def clerk_page(qtbot, demo_ctx, translations):
    window = open_window(qtbot, demo_ctx, translations, "clerk")
    qtbot.keyClick(window, K.Key_F2)
    page = window.pages["intake"]
    page.prompts = ScriptedPrompts()
    return window, page


def pick_item(qtbot, page, query):
    qtbot.keyClick(page, K.Key_N, CTRL)
    type_into(qtbot, page.picker.query, query)
    qtbot.keyClick(page.picker.query, K.Key_Return)
    settle(qtbot, page)
    assert page.case_id is not None
    # new question widgets are shown on the next event-loop turn, as for a real clerk
    qtbot.waitUntil(lambda: page.questions.first_widget() is None or page.questions.first_widget().isVisible())


def enter_applicant(qtbot, panel, name, number, address="湖北省武汉市江岸区胜利街100号"):
    type_into(qtbot, panel.name, name)
    qtbot.keyClick(panel.name, K.Key_Return)
    type_into(qtbot, panel.number, number)
    qtbot.keyClick(panel.number, K.Key_Return)
    type_into(qtbot, panel.address, address)
    qtbot.keyClick(panel.address, K.Key_Return)
    qtbot.keyClick(panel.phone, K.Key_Return)  # Enter on the last field saves
    settle(qtbot, panel.window())


def receive_rows(qtbot, page, rows):
    page.table.setFocus()
    for row in rows:
        page.table.selectRow(row)
        qtbot.keyClick(page.table, K.Key_R, CTRL)
    settle(qtbot, page)


def stored(ctx, page):
    actor = page.actor
    return ctx.cases.get(actor, page.case_id)


def test_intake_with_an_agent_accepted(qtbot, clerk_page, demo_ctx):
    window, page = clerk_page
    pick_item(qtbot, page, "gtgsh")
    assert stored(demo_ctx, page).item_name == "个体工商户设立登记"
    enter_applicant(qtbot, page.applicant, "张三丰", "11010519491231002X")
    assert page.applicant.validation.text().startswith("已保存")
    assert page.questions.widget("via_agent").hasFocus()  # saving the applicant moved on to the questions
    qtbot.keyClick(page.questions.widget("via_agent"), K.Key_Space)
    settle(qtbot, page)
    page.questions.widget("premises").setCurrentIndex(page.questions.widget("premises").findData("rented"))
    settle(qtbot, page)
    assert page.agent.isVisible()
    enter_applicant(qtbot, page.agent, "李四", _check("42010219900101123"))
    view = stored(demo_ctx, page)
    assert [line.code for line in view.lines] == ["APPLY", "OPERATOR-ID", "PREMISES", "AGENT-POA", "AGENT-ID"]
    assert not page.buttons["accept_action"].isEnabled()
    receive_rows(qtbot, page, range(len(view.lines)))
    page.table.selectRow(1)
    qtbot.keyClick(page.table, K.Key_E, CTRL)  # ID verified against the original
    settle(qtbot, page)
    assert page.buttons["accept_action"].isEnabled()
    qtbot.keyClick(page, K.Key_1, CTRL)
    settle(qtbot, page)
    view = stored(demo_ctx, page)
    assert view.status is CaseStatus.ACCEPTED and view.case_number
    assert view.agent is not None and view.agent.name == "李*"
    assert {line.code: line.status for line in view.lines}["OPERATOR-ID"] is LineStatus.VERIFIED
    assert view.case_number in page.summary.text() and len(page.prompts.shown) == 1  # one dialog: the confirmation
    assert page.prompts.errors == []
    window.clerk_actions_standard = page.clerk_actions


def _check(first17: str) -> str:
    from clerk_app.identity import resident_id_check_char

    return first17 + resident_id_check_char(first17)


def test_intake_with_a_deferred_material(qtbot, clerk_page, demo_ctx):
    window, page = clerk_page
    pick_item(qtbot, page, "高龄津贴")
    enter_applicant(qtbot, page.applicant, "王奶奶", "11010519491231002X")
    combo = page.questions.widget("payment_account")
    combo.setCurrentIndex(combo.findData("bank"))
    settle(qtbot, page)
    view = stored(demo_ctx, page)
    codes = [line.code for line in view.lines]
    assert codes == ["APPLY", "ID", "HUKOU", "BANK-ACCOUNT"]
    receive_rows(qtbot, page, [0, 1])
    page.table.selectRow(codes.index("BANK-ACCOUNT"))
    page.prompts.due_dates = [dt.date(2026, 12, 15), dt.date(2026, 12, 15)]
    qtbot.keyClick(page.table, K.Key_T, CTRL)
    settle(qtbot, page)
    assert not page.buttons["accept_action"].isEnabled()
    assert "容缺" in page.buttons["accept_action"].toolTip()
    qtbot.keyClick(page, K.Key_2, CTRL)
    settle(qtbot, page)
    view = stored(demo_ctx, page)
    assert view.status is CaseStatus.ACCEPTED_WITH_DEFICIENCIES
    assert view.deficiency_due == dt.date(2026, 12, 15)
    lines = {line.code: line for line in view.lines}
    assert lines["BANK-ACCOUNT"].status is LineStatus.DEFERRED and lines["HUKOU"].status is LineStatus.NOT_REQUIRED
    preview = page.prompts.shown[0][1]
    assert "本人银行账户" in preview and "2026-12-15" in preview


def test_key_material_cannot_be_deferred_from_the_page(qtbot, clerk_page, demo_ctx):
    window, page = clerk_page
    pick_item(qtbot, page, "高龄津贴")
    page.table.selectRow(0)
    page.prompts.due_dates = [dt.date(2026, 12, 15)]
    qtbot.keyClick(page.table, K.Key_T, CTRL)
    settle(qtbot, page)
    assert page.prompts.errors and "关键材料" in page.prompts.errors[0]
    assert stored(demo_ctx, page).lines[0].status is LineStatus.PENDING


def test_intake_returned_with_a_one_time_notice(qtbot, clerk_page, demo_ctx):
    window, page = clerk_page
    pick_item(qtbot, page, "食品经营")
    page.applicant.kind.setCurrentIndex(page.applicant.kind.findData("organisation"))
    enter_applicant(qtbot, page.applicant, "示例餐饮管理有限公司", "91350100M000100Y43", "武汉市洪山区示例路8号")
    combo = page.questions.widget("application_kind")
    combo.setCurrentIndex(combo.findData("new"))
    settle(qtbot, page)
    qtbot.keyClick(page.questions.widget("catering"), K.Key_Space)
    settle(qtbot, page)
    codes = [line.code for line in stored(demo_ctx, page).lines]
    assert "CATERING-WATER" in codes and "OLD-LICENCE" not in codes
    receive_rows(qtbot, page, [codes.index("APPLY")])
    page.table.selectRow(codes.index("APPLY"))
    page.prompts.reasons = ["未签字或未盖章"]
    qtbot.keyClick(page.table, K.Key_D, CTRL)
    settle(qtbot, page)
    qtbot.keyClick(page, K.Key_3, CTRL)
    settle(qtbot, page)
    view = stored(demo_ctx, page)
    assert view.status is CaseStatus.RETURNED_WITH_NOTICE
    notice = page.prompts.shown[0][1]
    for name in (
        "食品经营许可申请书",
        "未签字或未盖章",
        "法定代表人（负责人）身份证明",
        "经营场所平面布局图",
        "保证食品安全的规章制度目录清单",
        "餐饮服务用水及排水",
    ):
        assert name in notice
    assert "营业执照" not in notice  # shared e-licence: never asked for


def test_reject_asks_for_reason_and_basis(qtbot, clerk_page, demo_ctx):
    window, page = clerk_page
    pick_item(qtbot, page, "gtgsh")
    page.prompts.rejections = [("经营范围属于禁止类项目", "《促进个体工商户发展条例》第八条")]
    qtbot.keyClick(page, K.Key_4, CTRL)
    settle(qtbot, page)
    view = stored(demo_ctx, page)
    assert view.status is CaseStatus.REJECTED and view.decision_reason == "经营范围属于禁止类项目"


def test_prereview_hand_over_then_clerk_accepts(qtbot, demo_ctx, translations):
    helper_window = open_window(qtbot, demo_ctx, translations, "prereview")
    qtbot.keyClick(helper_window, K.Key_F2)
    page = helper_window.pages["intake"]
    page.prompts = ScriptedPrompts()
    assert not page.buttons["accept_action"].isVisible() and page.buttons["hand_over_action"].isVisibleTo(page)
    pick_item(qtbot, page, "敬老")
    enter_applicant(qtbot, page.applicant, "赵大爷", "11010519491231002X")
    assert page.applicant.number.text() == "1101**********002X"  # pre-review sees masked data
    assert page.applicant.address.text().endswith("*")
    combo = page.questions.widget("residence")
    combo.setCurrentIndex(combo.findData("local"))
    settle(qtbot, page)
    receive_rows(qtbot, page, range(page.model.rowCount()))
    case_id = page.case_id
    qtbot.keyClick(page, K.Key_1, CTRL)  # not theirs: nothing happens
    settle(qtbot, page)
    assert demo_ctx.cases.get(page.actor, case_id).status is CaseStatus.DRAFT
    qtbot.keyClick(page, K.Key_H, CTRL)
    settle(qtbot, page)
    assert demo_ctx.cases.get(page.actor, case_id).status is CaseStatus.READY_FOR_WINDOW
    assert page.prompts.errors == []
    assert page.case_id is None  # the desk is cleared after hand-over

    clerk_window = open_window(qtbot, demo_ctx, translations, "clerk")
    home = clerk_window.pages["home"]
    home.refresh()
    settle(qtbot, home)  # the queue is read off the GUI thread
    row = next(i for i in range(home.queue.count()) if home.queue.item(i).data(Qt.ItemDataRole.UserRole) == case_id)
    assert "待窗口受理" in home.queue.item(row).text()
    home.queue.setCurrentRow(row)
    qtbot.keyClick(home.queue, K.Key_Return)
    clerk_page = clerk_window.pages["intake"]
    settle(qtbot, clerk_page)
    clerk_page.prompts = ScriptedPrompts()
    assert clerk_page.case_id == case_id
    assert "帮办" in clerk_page.prereview_note.text() or "#" in clerk_page.prereview_note.text()
    assert clerk_page.applicant.number.text() == "1101**********002X"
    qtbot.keyClick(clerk_page, K.Key_1, CTRL)
    settle(qtbot, clerk_page)
    view = demo_ctx.cases.get(clerk_page.actor, case_id)
    assert view.status is CaseStatus.ACCEPTED and view.prereviewed_by == page.actor.user_id


def test_new_intake_refused_when_disk_is_full(qtbot, clerk_page, demo_ctx, monkeypatch):
    from clerk_app import guardrails

    window, page = clerk_page
    monkeypatch.setattr(guardrails.shutil, "disk_usage", lambda _p: guardrails.DiskUsage(100, 99, 10 * 2**20))
    pick_item_refused = page.case_id
    qtbot.keyClick(page, K.Key_N, CTRL)
    qtbot.keyClicks(page.picker.query, "gtgsh")
    qtbot.keyClick(page.picker.query, K.Key_Return)
    settle(qtbot, page)
    assert page.case_id is pick_item_refused is None
    assert page.prompts.errors and "磁盘剩余空间不足" in page.prompts.errors[0]


def test_checklist_model_passes_qt_model_tester(qtmodeltester, clerk_page, qtbot):
    window, page = clerk_page
    pick_item(qtbot, page, "gtgsh")
    qtmodeltester.check(page.model)


def test_help_overlay_lists_every_shortcut(qtbot, clerk_page):
    window, page = clerk_page
    qtbot.keyClick(window, K.Key_F12)
    dialog = window.shortcuts_dialog
    qtbot.addWidget(dialog)
    pairs = [(dialog.table.item(r, 0).text(), dialog.table.item(r, 1).text()) for r in range(dialog.table.rowCount())]
    rows = dict(reversed(pairs))  # the first entry of a key wins
    # an action of a page is named with its page
    assert rows["Ctrl+1"] == "受理 · 受理 (Ctrl+1)" and rows["Ctrl+N"] == "受理 · 新建受理" and rows["F2"] == "受理"
    assert rows["F6"] == "受理 · 读取身份证件" and "F12" in rows and rows["F9"].startswith("受理 · ")
    from PySide6.QtGui import QKeySequence

    for _, shortcut in page.SHORTCUTS:  # key names as the clerk's language writes them (退格 …)
        assert QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText) in rows


def test_the_intake_page_runs_no_sql_on_the_gui_thread(qtbot, demo_ctx, translations):
    """Issue 13: every core call of the intake page — the item index at start, the case on the desk,
    each line, the applicant typed and read from the chip, 人证比对, the decision, the next ticket —
    runs off the GUI thread (CoreOp)."""
    from testsupport.gui_io import describe, gui_thread_queries
    from testsupport.ui import login_through_dialog
    from ui.main_window import MainWindow

    dialog = login_through_dialog(qtbot, demo_ctx, translations, "clerk")
    with gui_thread_queries(demo_ctx.engine) as hits:
        window = MainWindow(dialog.ctx, dialog.actor, translations)
        qtbot.addWidget(window)
        with qtbot.waitActive(window):
            window.show()
            window.activateWindow()
        qtbot.keyClick(window, K.Key_F2)
        page = window.pages["intake"]
        page.prompts = ScriptedPrompts(counts_given=[(1, 0)], reasons=["复印件不清晰"])
        pick_item(qtbot, page, "gtgsh")
        enter_applicant(qtbot, page.applicant, "张三丰", "11010519491231002X")
        qtbot.waitUntil(lambda: "已放卡" in window.card_label.text(), timeout=10_000)
        qtbot.keyClick(page, K.Key_F6)  # the chip read files the applicant; 人证比对 follows
        qtbot.waitUntil(lambda: page.identity_check.isVisible(), timeout=10_000)
        qtbot.keyClick(page, K.Key_F10)
        settle(qtbot, page)
        page.questions.widget("premises").setCurrentIndex(page.questions.widget("premises").findData("rented"))
        settle(qtbot, page)
        page.table.selectRow(2)
        qtbot.keyClick(page.table, K.Key_G, CTRL)  # counts
        qtbot.keyClick(page.table, K.Key_D, CTRL)  # defective
        qtbot.keyClick(page.table, K.Key_Backspace, CTRL)  # reset
        settle(qtbot, page)
        receive_rows(qtbot, page, range(page.model.rowCount()))
        page.table.selectRow(1)
        qtbot.keyClick(page.table, K.Key_E, CTRL)  # ID verified against the original
        settle(qtbot, page)
        qtbot.keyClick(page, K.Key_1, CTRL)
        settle(qtbot, page)
        decided = page.case_id
        qtbot.keyClick(page, K.Key_F5)  # the next applicant: the desk cleared, the items read again
        settle(qtbot, page)
    assert not hits, describe(hits)
    assert demo_ctx.cases.get(page.actor, decided).status is CaseStatus.ACCEPTED
    assert page.prompts.errors == [] or "没有" in page.prompts.errors[-1]  # F5 with nobody waiting says so
