"""Result delivery page: a receipt read by a simulated keyboard-wedge scanner (QTest key events a
few milliseconds apart), the collector check, window and express handovers; and the wedge detector
itself (fast keys + Enter are a scan, a person typing is not)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget
from sqlalchemy import select

from clerk_app.case_numbers import case_lookup_string
from clerk_app.lifecycle import CaseStatus
from clerk_app.persons import PersonData
from clerk_app.store.models import AuditEvent
from tests.helpers.case_factory import decided_case, person, resident_id, to_result_ready
from testsupport.ui import settle, timed_keys
from ui.delivery.page import DeliveryPage
from ui.wedge import WedgeScanDetector

SCAN_DELAY_MS = 2  # a wedge scanner: a few ms per character
HUMAN_DELAY_MS = 80  # a fast typist


@pytest.fixture
def clerk(demo_ctx):
    return demo_ctx.users.authenticate("clerk", "Clerk2026")


@pytest.fixture
def ready_case(demo_ctx, clerk):
    cid, number = decided_case(demo_ctx, clerk, person("李四", 2), agent=person("刘洋", 3), answer_print=True)
    to_result_ready(demo_ctx, cid)
    # the decision's receipt is printed by the print worker; a scanner's keystrokes are told from typing
    # by their timing, so the simulated scan waits until no PDF is being rendered on another thread
    assert demo_ctx.printing.worker.wait_idle(30)
    return cid, number


def _show(qtbot, widget):
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()  # key events reach only the active window's focus widget
    qtbot.waitUntil(widget.isActiveWindow, timeout=3000)
    return widget


@pytest.fixture
def page(qtbot, demo_ctx, translations, clerk):
    p = _show(qtbot, DeliveryPage(SimpleNamespace(ctx=demo_ctx, actor=clerk)))
    p.setFocus()
    return p


def scan(qtbot, widget, text, start_ms=None):
    """The scanner's keys, ~2 ms apart by their time stamps (testsupport.ui.timed_keys), and Enter."""
    at = timed_keys(widget, text, SCAN_DELAY_MS, enter=True, start_ms=start_ms)
    settle(qtbot, widget.window())  # the lookup runs off the GUI thread
    return at


def handovers(ctx, cid):
    with ctx.sessions() as s:
        return [
            e.detail
            for e in s.scalars(
                select(AuditEvent).where(AuditEvent.case_id == cid, AuditEvent.action == "case.handover")
            )
        ]


def test_wedge_scan_then_applicant_collects(qtbot, demo_ctx, clerk, page, ready_case):
    cid, number = ready_case
    assert page.by_window.text() == "窗口领取(&W)"
    assert QApplication.focusWidget() is page.lookup
    with qtbot.waitSignal(page.wedge.scanned, timeout=1000):
        scan(qtbot, page.lookup, case_lookup_string(number))
    assert page.lookup.text() == number  # the scanned code shows as the plain number
    assert page.case is not None and page.case.id == cid
    assert page.fields["status"].text() == "待出件"
    assert page.fields["applicant"].text().startswith("李*")
    assert QApplication.focusWidget() is page.collector_id  # Enter advanced
    qtbot.keyClicks(page.collector_id, resident_id(2), delay=HUMAN_DELAY_MS)
    qtbot.keyClick(page.collector_id, Qt.Key.Key_Return)
    settle(qtbot, page)
    assert "申请人本人" in page.collector_result.text()
    assert resident_id(2) not in page.collector_result.text()  # masked
    assert QApplication.focusWidget() is page.confirm_button
    qtbot.keyClick(page.confirm_button, Qt.Key.Key_Return)
    settle(qtbot, page)  # the handover (and its 送达回证 print job) is written by the core
    assert f"已出件：案件 {number}" in page.message.text()
    assert demo_ctx.cases.get(clerk, cid).status is CaseStatus.DELIVERED
    assert handovers(demo_ctx, cid) == [{"method": "window", "collector": "applicant", "id_source": "manual"}]
    assert QApplication.focusWidget() is page.lookup and page.case is None  # ready for the next one


def test_scan_lands_on_the_page_wherever_the_focus_is(qtbot, page, ready_case):
    cid, number = ready_case
    page.collector_id.setEnabled(True)
    page.method_box.setEnabled(True)
    page.collector_id.setFocus()
    scan(qtbot, page.collector_id, case_lookup_string(number))
    assert page.case is not None and page.case.id == cid
    assert page.collector_id.text() == ""  # scanned characters did not stay in the ID field


def test_wrong_collector_is_refused_with_a_clear_message(qtbot, demo_ctx, clerk, page, ready_case):
    cid, number = ready_case
    scan(qtbot, page.lookup, case_lookup_string(number))
    qtbot.keyClicks(page.collector_id, resident_id(77), delay=HUMAN_DELAY_MS)
    qtbot.keyClick(page.collector_id, Qt.Key.Key_Return)
    settle(qtbot, page)
    assert "与本案申请人及代理人均不一致" in page.collector_result.text()
    assert QApplication.focusWidget() is page.collector_id
    qtbot.keyClick(page, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # confirm anyway: refused
    settle(qtbot, page)
    assert "不能出件" in page.message.text() and "代理人" in page.message.text()
    assert demo_ctx.cases.get(clerk, cid).status is CaseStatus.RESULT_READY
    assert handovers(demo_ctx, cid) == []
    page.collector_id.clear()
    page.collector_from_card(resident_id(3))  # the agent's card on the reader
    settle(qtbot, page)
    assert "代理人" in page.collector_result.text()
    page.confirm()
    settle(qtbot, page)
    assert handovers(demo_ctx, cid) == [{"method": "window", "collector": "agent", "id_source": "chip"}]


def test_express_needs_a_tracking_number(qtbot, demo_ctx, clerk, page, ready_case):
    cid, number = ready_case
    qtbot.keyClicks(page.lookup, number, delay=HUMAN_DELAY_MS)  # typed, not scanned
    qtbot.keyClick(page.lookup, Qt.Key.Key_Return)
    settle(qtbot, page)
    assert page.case is not None
    page.by_express.setChecked(True)
    assert page.panels.currentIndex() == 1
    page.courier.setCurrentText("顺丰速运")
    page.confirm()
    settle(qtbot, page)
    assert "快递单号" in page.message.text()
    assert QApplication.focusWidget() is page.tracking
    assert demo_ctx.cases.get(clerk, cid).status is CaseStatus.RESULT_READY
    scan(qtbot, page.tracking, "SF1234567890")  # the express label's barcode, read by the same scanner
    assert page.tracking.text() == "SF1234567890"
    assert QApplication.focusWidget() is page.address
    page.confirm()
    settle(qtbot, page)
    assert "收件地址" in page.message.text()
    assert demo_ctx.cases.get(clerk, cid).status is CaseStatus.RESULT_READY
    page.address.setText("湖北省武汉市洪山区珞喻路1037号")  # typed through the input method
    qtbot.keyClick(page.address, Qt.Key.Key_Return)
    settle(qtbot, page)
    assert QApplication.focusWidget() is page.confirm_button
    qtbot.keyClick(page.confirm_button, Qt.Key.Key_Return)
    settle(qtbot, page)
    assert "SF1234567890" in page.message.text() and "顺丰速运" in page.message.text()
    assert handovers(demo_ctx, cid) == [{"method": "express", "courier": "顺丰速运", "tracking_number": "SF1234567890"}]
    assert "珞喻路" not in (demo_ctx.cases.get(clerk, cid).delivery_address or "珞喻路")


def test_a_case_not_yet_ready_cannot_be_handed_out(qtbot, demo_ctx, clerk, page):
    _, number = decided_case(demo_ctx, clerk, person("张三丰", 1), answer_print=True)
    assert demo_ctx.printing.worker.wait_idle(30)  # see ready_case
    scan(qtbot, page.lookup, case_lookup_string(number))
    assert "不能出件" in page.message.text() and "已受理" in page.message.text()
    assert not page.confirm_button.isEnabled()
    scan(qtbot, page.lookup, "CASE:WH01XYZ")
    assert "有效的受理编号" in page.message.text()


# -- the detector on its own -------------------------------------------------------------------
@pytest.fixture
def form(qtbot):
    w = QWidget()
    w.edit = QLineEdit(w)
    w.other = QLineEdit(w)
    layout = QVBoxLayout(w)
    layout.addWidget(w.edit)
    layout.addWidget(w.other)
    _show(qtbot, w)
    w.edit.setFocus()
    return w


def test_fast_keys_and_enter_are_a_scan(qtbot, form):
    detector = WedgeScanDetector(form)
    entered = []
    form.edit.returnPressed.connect(lambda: entered.append(form.edit.text()))
    form.edit.setText("王")
    with qtbot.waitSignal(detector.scanned, timeout=1000) as sig:
        timed_keys(form.edit, "CASE:WH0120261123000017", SCAN_DELAY_MS, enter=True)
    assert sig.args == ["CASE:WH0120261123000017"]
    assert form.edit.text() == "王"  # stripped again
    assert entered == []  # the Enter belonged to the scanner


def test_a_person_typing_is_not_a_scan(qtbot, form):
    detector = WedgeScanDetector(form)
    seen = []
    detector.scanned.connect(seen.append)
    entered = []
    form.edit.returnPressed.connect(lambda: entered.append(form.edit.text()))
    qtbot.keyClicks(form.edit, "WH0120261123", delay=HUMAN_DELAY_MS)
    qtbot.keyClick(form.edit, Qt.Key.Key_Return)
    timed_keys(form.edit, "abc", SCAN_DELAY_MS, enter=True)  # fast but too short
    assert seen == [] and entered == ["WH0120261123", "WH0120261123abc"]


def test_keys_outside_the_scope_are_ignored(qtbot, form):
    inner = QWidget(form)
    form.layout().addWidget(inner)
    detector = WedgeScanDetector(inner)
    seen = []
    detector.scanned.connect(seen.append)
    scan(qtbot, form.edit, "CASE:WH0120261123000017")
    assert seen == [] and form.edit.text() == "CASE:WH0120261123000017"


def test_collector_identified_by_reading_the_card(qtbot, demo_ctx, clerk, translations):
    cards = demo_ctx.devices.card_reader()  # the demo station's simulated reader, read through ctx.cards
    cards.read_delay = 0.3
    chip = cards.documents["resident_id"]
    cid, number = decided_case(
        demo_ctx,
        clerk,
        PersonData(name="张三", document_number=chip.document_number, verified_by="chip"),
        answer_print=True,
    )
    to_result_ready(demo_ctx, cid)
    assert demo_ctx.printing.worker.wait_idle(30)  # see ready_case
    page = _show(qtbot, DeliveryPage(SimpleNamespace(ctx=demo_ctx, actor=clerk)))
    page.setFocus()
    scan(qtbot, page.lookup, case_lookup_string(number))
    cards.insert("resident_id")
    qtbot.keyClick(page.collector_id, Qt.Key.Key_F6)
    assert "正在读取" in page.collector_result.text()  # the read runs off the GUI thread
    qtbot.waitUntil(lambda: "申请人本人" in page.collector_result.text(), timeout=3000)
    assert QApplication.focusWidget() is page.confirm_button
    qtbot.keyClick(page.confirm_button, Qt.Key.Key_Return)
    settle(qtbot, page)
    assert handovers(demo_ctx, cid) == [{"method": "window", "collector": "applicant", "id_source": "chip"}]


def test_no_card_reader_is_said_so(qtbot, demo_ctx, clerk, translations, page, ready_case, monkeypatch):
    scan(qtbot, page.lookup, case_lookup_string(ready_case[1]))
    monkeypatch.setattr(demo_ctx.devices, "card_reader", lambda: None)  # card_backend = "none"
    page.read_card()
    settle(qtbot, page)
    assert page.collector_result.text() == "未配置读卡器"


def test_detector_listens_only_while_its_page_shows(qtbot, form):
    inner = QLineEdit(form)
    form.layout().addWidget(inner)
    detector = WedgeScanDetector(inner)
    seen = []
    detector.scanned.connect(seen.append)
    qtbot.waitUntil(inner.isVisible, timeout=3000)  # a widget added to a shown layout shows a moment later
    inner.setFocus()
    scan(qtbot, inner, "CASE:WH0120261123000017")
    assert seen == ["CASE:WH0120261123000017"] and detector._attached
    inner.hide()  # e.g. another tab became current
    assert not detector._attached
    inner.show()
    inner.setFocus()
    scan(qtbot, inner, "CASE:WH0120261123000025")
    assert seen[-1] == "CASE:WH0120261123000025"


def test_in_the_main_window_f4_then_a_scan(qtbot, demo_ctx, translations, clerk, ready_case):
    from ui.main_window import MainWindow

    cid, number = ready_case
    window = _show(qtbot, MainWindow(demo_ctx, clerk, translations))
    qtbot.keyClick(window, Qt.Key.Key_F4)
    delivery, search = window.pages["delivery"], window.pages["search"]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is delivery.lookup, timeout=2000)
    assert delivery.wedge._attached and not search.wedge._attached  # only the page on show listens
    scan(qtbot, delivery.lookup, case_lookup_string(number))
    assert delivery.case is not None and delivery.case.id == cid, (delivery.lookup.text(), delivery.message.text())
    assert search.model.rowCount() == 0


def test_a_hiccup_mid_scan_and_a_person_typing_just_before(qtbot, form):
    detector = WedgeScanDetector(form)
    seen = []
    detector.scanned.connect(seen.append)
    at = timed_keys(form.edit, "CASE:WH01202611", SCAN_DELAY_MS)
    at = scan(qtbot, form.edit, "23000017", start_ms=at + 80)  # the scanner stalled for a moment
    assert seen == ["CASE:WH0120261123000017"] and form.edit.text() == ""
    at = timed_keys(form.edit, "ab", HUMAN_DELAY_MS, start_ms=at + 1000)  # a person, then at once the scanner
    scan(qtbot, form.edit, "CASE:WH0120261123000025", start_ms=at + HUMAN_DELAY_MS)
    assert seen[-1] == "CASE:WH0120261123000025" and form.edit.text() == "ab"
