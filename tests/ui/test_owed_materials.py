"""The owed-materials worklist (补齐材料, F11) and the supplement dialog, from the real login dialog:
a 容缺 case that has synced is on the hall's list; Enter opens it for supplements (claimed); a page is
scanned onto the owed line with the scanning panel; recording nothing, and recording over a case
changed since it was opened, are refused with a message and lose nothing (ticks and pages stay); the
supplement is recorded and its receipt (补正材料收件凭证) printed through the print outbox. A case
claimed by someone else opens read-only with the holder's name."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton
from sqlalchemy import select

from clerk_app.lifecycle import CaseStatus, Decision, LineStatus
from clerk_app.roles import system_actor
from clerk_app.store.models import PrintJob
from devices.scanners.base import ScanSource
from tests.helpers.case_factory import ITEM, answer_print_question, person
from testsupport.ui import open_window
from ui.operations import busy
from ui.printing_ui import AskPrintDialog


def deficient_synced_case(ctx, clerk, seq: int) -> tuple[str, str]:
    """A 容缺 case (PREMISES deferred) the back office has received (synced)."""
    cid = ctx.cases.start_case(clerk, ITEM, {"premises": "rented"})
    ctx.cases.set_applicant(clerk, cid, person("赵六", seq))
    for line in ctx.cases.get(clerk, cid).lines:
        if line.code != "PREMISES" and line.status is not LineStatus.NOT_REQUIRED:
            ctx.cases.update_line(
                clerk, cid, line.code, originals_received=line.originals_required, copies_received=line.copies_required
            )
    due = ctx.clock.now().date() + dt.timedelta(days=3)
    ctx.cases.update_line(clerk, cid, "PREMISES", status=LineStatus.DEFERRED, due_date=due)
    number = ctx.cases.decide(cid, Decision.ACCEPT_WITH_DEFICIENCIES, clerk, due_date=due).case_number
    answer_print_question(ctx, clerk, number)
    ctx.cases.apply_server_status(system_actor(ctx.settings.station_code), cid, CaseStatus.SYNCED)
    return cid, number


def login(qtbot, ctx, translations, username: str):
    """The main window, reached through the real login dialog (name and password typed, Enter)."""
    return open_window(qtbot, ctx, translations, username)


def open_from_worklist(qtbot, window, case_number: str):
    qtbot.keyClick(window, Qt.Key.Key_F11)
    page = window.pages["owed"]
    settle(qtbot, page)  # the list is read off the GUI thread
    assert window.tabs.currentWidget() is page
    assert "补齐材料" in window.tabs.tabText(window.tabs.currentIndex())
    numbers = [page.table.item(r, 0).text() for r in range(page.table.rowCount())]
    assert case_number in numbers
    page.table.selectRow(numbers.index(case_number))
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible(), timeout=5000)
    page.dialog.activateWindow()  # shortcuts reach only the active window
    qtbot.waitUntil(page.dialog.isActiveWindow, timeout=3000)
    settle(qtbot, page.dialog)  # claimed off the GUI thread
    return page, page.dialog


def settle(qtbot, widget) -> None:
    """Wait for the core work of the dialog (claim, record, print, give back) or the list to come back."""
    qtbot.waitUntil(lambda: not busy(widget), timeout=10000)


def jobs_of(ctx, cid):
    with ctx.sessions() as s:
        return s.execute(select(PrintJob.document_kind, PrintJob.status).where(PrintJob.case_id == cid)).all()


@pytest.fixture
def clerk(demo_ctx):
    return demo_ctx.users.authenticate("clerk", "Clerk2026")


def test_record_a_supplement_from_the_worklist(qtbot, demo_ctx, translations, clerk):
    ctx = demo_ctx
    cid, number = deficient_synced_case(ctx, clerk, 21)
    assert ctx.printing.worker.wait_idle(60)  # the decision's documents first
    window = login(qtbot, ctx, translations, "clerk")
    page, dialog = open_from_worklist(qtbot, window, number)
    row = [page.table.item(0, c).text() for c in range(page.table.columnCount())]
    assert "经营场所" in row[3] and "赵六" not in " ".join(row) and row[2].startswith("赵")
    assert ctx.cases.claim_of(cid).user_id == clerk.user_id  # opening claimed it
    assert dialog.windowTitle() == f"登记补交材料 — 案件 {number}"
    assert dialog.owed.count() == 1 and dialog.record_button.isEnabled()

    # Recording nothing: refused, said in Chinese, nothing changed.
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, dialog)
    assert "请勾选本次补交的材料" in dialog.message.text()
    assert ctx.cases.owed_materials(clerk, when="all")[0].case_id == cid

    # Ctrl+P: the 补正材料一次性告知书 goes to the print outbox.
    notices = [kind for kind, _status in jobs_of(ctx, cid)].count("material_request_notice")
    qtbot.keyClick(dialog, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, dialog)
    assert "正在打印补正材料一次性告知书" in dialog.message.text()
    assert [kind for kind, _status in jobs_of(ctx, cid)].count("material_request_notice") == notices + 1
    # The policy prints it at once (no question: the clerk asked for it), and the dialog keeps the keyboard.
    qtbot.waitUntil(lambda: ("material_request_notice", "done") in jobs_of(ctx, cid), timeout=10000)
    assert dialog.isActiveWindow() and not isinstance(QApplication.activeWindow(), AskPrintDialog)

    # A page scanned onto the owed line (the simulated scanner of the demo station).
    panel = dialog.scanning
    qtbot.waitUntil(lambda: panel.scanner is not None, timeout=10000)
    assert panel.line.currentData() == "PREMISES"
    panel.source.setCurrentIndex(panel.source.findData(ScanSource.FLATBED))
    panel.dpi.setCurrentIndex(panel.dpi.findData(100))
    with qtbot.waitSignal(panel.scan_finished, timeout=30000):
        qtbot.mouseClick(panel.scan_button, Qt.MouseButton.LeftButton)
    scanned = ctx.pages.counts(cid)["PREMISES"]
    assert scanned >= 1
    qtbot.waitUntil(lambda: f"已扫描 {scanned} 页" in dialog.owed.item(0).text(), timeout=3000)

    # The case changes underneath (the back office starts approval): refused, the tick and page stay.
    dialog.tick("PREMISES")
    ctx.cases.apply_server_status(system_actor("WH01"), cid, CaseStatus.IN_APPROVAL)
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, dialog)
    assert "刚被其他人修改" in dialog.message.text()
    assert dialog.owed.item(0).checkState() == Qt.CheckState.Checked
    assert ctx.pages.counts(cid)["PREMISES"] == scanned
    assert ctx.cases.get(clerk, cid).lines and ctx.cases.owed_materials(clerk, when="all")

    # Again: recorded; the 补正材料收件凭证 goes through the print outbox and prints.
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, dialog)
    assert "已登记 1 项补交材料" in dialog.message.text()
    view = ctx.cases.get(clerk, cid)
    assert view.status is CaseStatus.IN_APPROVAL
    assert {ln.code: ln.status for ln in view.lines}["PREMISES"] is LineStatus.RECEIVED
    assert ctx.cases.owed_materials(clerk, when="all") == []
    assert dialog.owed.count() == 0 and not dialog.record_button.isEnabled()
    assert ctx.printing.worker.wait_idle(60)
    assert ("supplement_receipt", "done") in jobs_of(ctx, cid)
    dialog.reject()  # closing gives the claim back; the list is read again
    settle(qtbot, dialog)
    settle(qtbot, page)
    assert ctx.cases.claim_of(cid) is None
    assert page.table.rowCount() == 0 and "没有待补齐材料的案件" in page.summary.text()


def test_a_case_claimed_elsewhere_opens_read_only(qtbot, demo_ctx, translations, clerk):
    ctx = demo_ctx
    cid, number = deficient_synced_case(ctx, clerk, 22)
    supervisor = ctx.users.authenticate("supervisor", "Audit2026")
    ctx.cases.claim(supervisor, cid)
    window = login(qtbot, ctx, translations, "clerk")
    page, dialog = open_from_worklist(qtbot, window, number)
    assert "监督 陈刚" in page.table.item(0, 6).text()
    assert dialog.claim_banner.isVisible() and "监督 陈刚" in dialog.claim_banner.text()
    assert "只能查看" in dialog.claim_banner.text()
    assert not dialog.record_button.isEnabled() and not dialog.scanning.isEnabled()
    assert not (dialog.owed.item(0).flags() & Qt.ItemFlag.ItemIsUserCheckable)
    assert dialog.record() is False
    assert ctx.cases.claim_of(cid).user_id == supervisor.user_id  # not taken, not released
    dialog.reject()
    settle(qtbot, dialog)
    assert ctx.cases.claim_of(cid).user_id == supervisor.user_id
    assert ctx.cases.owed_materials(clerk, when="all")[0].case_id == cid


def test_a_case_found_in_search_opens_for_supplements(qtbot, demo_ctx, translations, clerk):
    """F3: a found case that owes materials has "登记补交材料…" in its case view; it opens the same
    dialog (claimed), records, and the case view is read again."""
    ctx = demo_ctx
    cid, number = deficient_synced_case(ctx, clerk, 23)
    window = login(qtbot, ctx, translations, "clerk")
    qtbot.keyClick(window, Qt.Key.Key_F3)
    search = window.pages["search"]
    qtbot.keyClicks(search.case_number, number)
    qtbot.keyClick(search.case_number, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: search.model.rowCount() == 1, timeout=5000)
    search.table.selectRow(0)
    search.open_current()
    view = search.dialog
    settle(qtbot, view)  # whether the case owes anything is read off the GUI thread
    button = view.findChild(QPushButton, "supplementButton")
    assert button is not None and button.text() == "登记补交材料…"
    button.click()
    dialog = view.supplement_dialog
    settle(qtbot, dialog)
    assert ctx.cases.claim_of(cid).user_id == clerk.user_id
    dialog.tick("PREMISES")
    assert dialog.record()
    settle(qtbot, dialog)
    assert "已登记 1 项补交材料" in dialog.message.text()
    dialog.reject()
    settle(qtbot, dialog)
    assert ctx.cases.owed_materials(clerk, when="all") == [] and ctx.cases.claim_of(cid) is None
    view.close()
    # A case that owes nothing has no such button.
    view.deleteLater()
    search.open_current()
    settle(qtbot, search.dialog)
    assert search.dialog.findChild(QPushButton, "supplementButton") is None
