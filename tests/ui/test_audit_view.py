"""Audit page: filters, tampering found and shown, audited exports, case timeline with reveal,
void and correction, account unlock, retention list."""

from __future__ import annotations

import csv
import io
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select, text

from clerk_app.audit_queries import AuditFilter
from clerk_app.store.models import AuditEvent
from tests.helpers.core import make_world
from tests.helpers.supervision import ID_NUMBER, accepted_case, deliver
from ui.operations import busy
from ui.supervisor.audit_view import AuditPage


@pytest.fixture
def world(tmp_path):
    w = make_world(tmp_path, customer_window=False)
    yield w
    w.ctx.close()


def _page(qtbot, world, username="supervisor"):
    actor = world.login(username)
    page = AuditPage(SimpleNamespace(ctx=world.ctx, actor=actor, show_status=lambda text, ms: None))
    qtbot.addWidget(page)
    page.show()
    _done(qtbot, page)
    return page


def _done(qtbot, page):
    """Reading the trail and every change run off the GUI thread (CoreOp)."""
    qtbot.waitUntil(lambda: not busy(page), timeout=10000)


def _click(qtbot, page, button):
    button.click()
    _done(qtbot, page)


def _rows(table, col):
    return [table.item(i, col).text() for i in range(table.rowCount())]


def test_filters_and_tampering_shown(qtbot, world, translations):
    clerk = world.login("clerk")
    cid = accepted_case(world, clerk)
    page = _page(qtbot, world)
    assert page.tabs.tabText(0) == "审计记录"
    assert page.events.rowCount() > 5
    page.f_user.setCurrentIndex(page.f_user.findData("clerk"))
    _click(qtbot, page, page.apply_button)
    assert set(_rows(page.events, 2)) == {"clerk"}
    page.f_user.setCurrentIndex(0)
    page.f_action.setEditText("case.")
    _click(qtbot, page, page.apply_button)
    codes = [page.events.item(i, 5).toolTip() for i in range(page.events.rowCount())]
    assert all(a.startswith("case.") for a in codes) and page.events.rowCount() >= 3
    # what the supervisor reads: Chinese labels, case numbers, details as text (issue 17 item 5)
    labels = _rows(page.events, 5)
    assert "新建案件" in labels and "登记材料" in labels
    assert not any(re.search(r"[a-z]+\.[a-z_]+", a) for a in labels), labels
    number = world.ctx.cases.get(clerk, cid).case_number
    assert number and number in _rows(page.events, 6) and cid not in _rows(page.events, 6)
    assert not any("{" in d or '"' in d for d in _rows(page.events, 7))
    assert any("事项：" in d for d in _rows(page.events, 7))
    page.f_action.setCurrentIndex(0)

    page.verify_button.click()  # off the GUI thread (CoreOp); the button comes back when done
    qtbot.waitUntil(lambda: "完整" in page.chain_label.text(), timeout=10000)
    _done(qtbot, page)
    assert page.verify_button.isEnabled()
    with world.ctx.engine.begin() as c:
        c.execute(text("UPDATE audit_events SET detail = '{\"item\": \"OTHER\"}' WHERE action = 'case.create'"))
    with world.ctx.sessions() as s:
        seq = s.scalar(select(AuditEvent.seq).where(AuditEvent.action == "case.create"))
    page.f_user.setCurrentIndex(page.f_user.findData("supervisor"))  # a filter that hides the event
    _click(qtbot, page, page.apply_button)
    page.verify_button.click()
    qtbot.waitUntil(lambda: "被篡改" in page.chain_label.text() or "断裂" in page.chain_label.text(), timeout=10000)
    _done(qtbot, page)  # the trail is read again without the filters that hid the broken event
    assert f"第 {seq} 条" in page.chain_label.text() or str(seq) in page.chain_label.text()
    assert "被篡改" in page.chain_label.text() or "断裂" in page.chain_label.text()
    row = page.broken_row_index()
    assert row is not None and page.events.item(row, 0).text() == str(seq)
    assert page.events.currentRow() == row
    assert page.events.item(row, 0).background().color().name() == "#f8d7da"
    assert number in _rows(page.events, 6)


def test_an_export_that_cannot_be_written_says_so_and_the_page_stays(qtbot, world, translations, tmp_path):
    page = _page(qtbot, world)
    page.choose_export_path = lambda suggested, fmt: str(tmp_path / "no-such-folder" / suggested)
    shown = []
    page.inform = shown.append
    page.export("csv")
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert "无法写入" in shown[0] and page.last_export is None
    assert not page.op.busy


def test_unexpected_failures_reach_the_one_error_dialog_in_chinese(qtbot, world, translations):
    from PySide6.QtWidgets import QMessageBox

    from ui.operations import CoreOp

    page = _page(qtbot, world)

    def boom(report, cancel):
        raise RuntimeError("secret 110105194912310021")  # detail must not reach the screen

    op = CoreOp(page, boom, lambda result: None, title="测试").run()
    qtbot.waitUntil(lambda: not op.busy, timeout=5000)
    box = page.findChild(QMessageBox, "errorDialog")
    assert box is not None and "意外" in box.text() and "1101" not in box.text()
    box.close()


def test_exports_are_written_and_audited(qtbot, world, translations, tmp_path):
    clerk = world.login("clerk")
    accepted_case(world, clerk)
    page = _page(qtbot, world)
    page.choose_export_path = lambda suggested, fmt: str(tmp_path / suggested)
    csv_path = page.export("csv")
    qtbot.waitUntil(lambda: page.last_export == csv_path, timeout=10000)
    pdf_path = page.export("pdf")
    qtbot.waitUntil(lambda: page.last_export == pdf_path, timeout=20000)
    assert csv_path.name.endswith(".csv") and pdf_path.read_bytes().startswith(b"%PDF")
    rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "seq" and len(rows) > 5
    sup = world.login("supervisor")
    exports = page.queries.search(sup, AuditFilter(action="audit.export"))
    assert [e.detail["format"] for e in exports] == ["pdf", "csv"]
    _done(qtbot, page)
    assert "导出审计报告" in _rows(page.events, 5)  # the list shows the export event too


def test_case_tab_reveal_void_and_correct(qtbot, world, translations):
    clerk = world.login("clerk")
    cid = accepted_case(world, clerk)
    number = world.ctx.cases.get(clerk, cid).case_number
    page = _page(qtbot, world)
    page.open_case(number)
    _done(qtbot, page)
    assert number in page.case_header.text() and page.timeline.rowCount() >= 3
    assert ID_NUMBER not in page.applicant_id.value.text() and "*" in page.applicant_id.value.text()
    page.applicant_id._prompt = lambda parent: "核对投诉"
    page.applicant_id.button.click()
    assert page.applicant_id.value.text() == "读取中…"  # read and audited off the GUI thread
    _done(qtbot, page)
    assert page.applicant_id.value.text() == ID_NUMBER
    page.applicant_id.hide_full()
    assert ID_NUMBER not in page.applicant_id.value.text()

    def answer(values):
        def fill(dialog):
            if "field" in values:
                dialog.field.setCurrentIndex(dialog.field.findData(values["field"]))
            if "value" in values:
                dialog.value.setText(values["value"])
            dialog.reason.setText(values["reason"])
            return True

        return fill

    page.ask = answer({"field": "window_no", "value": "08", "reason": "窗口号录错"})
    _click(qtbot, page, page.correct_button)
    assert page.corrections_table.rowCount() == 1
    assert [page.corrections_table.item(0, c).text() for c in (2, 3, 4, 5)] == ["窗口号", "01", "08", "窗口号录错"]
    page.ask = answer({"reason": "重复受理"})
    _click(qtbot, page, page.void_button)
    assert "已作废" in page.case_header.text() and "重复受理" in page.case_header.text()
    assert not page.void_button.isEnabled()
    actions = _rows(page.timeline, 5)
    assert {"查看完整个人信息", "更正案件信息", "状态变更：已作废"} <= set(actions), actions


def test_unlock_account_and_retention_list(qtbot, world, translations):
    from clerk_app.errors import ClerkAppError

    for _ in range(5):
        with pytest.raises(ClerkAppError):
            world.ctx.users.authenticate("clerk", "wrong-pass1")
    page = _page(qtbot, world)
    accounts = page.accounts  # the admin's account list, with only Unlock (Ctrl+U) for a supervisor
    accounts.refresh()
    assert set(accounts.buttons) == {"unlock"}
    accounts.select("clerk")
    row = accounts.table.currentRow()
    assert "锁定" in accounts.table.item(row, 4).text() and accounts.table.item(row, 5).text().isdigit()
    _click(qtbot, accounts, accounts.buttons["unlock"])
    assert "锁定" not in accounts.table.item(row, 4).text() and "clerk" in accounts.result.text()
    clerk = world.login("clerk")  # works again
    cid = accepted_case(world, clerk)
    deliver(world, clerk, cid)
    world.clock.advance(days=200)
    page.refresh_retention()
    _done(qtbot, page)
    assert "1" in page.retention_info.text() and page.purge_button.isEnabled()
    shown = []
    page.inform = shown.append
    page.purge_button.click()
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    _done(qtbot, page)  # the list is read again
    assert page.purged_table.rowCount() == 1 and "1" in shown[0]
    events = [e.action for e in page.queries.search(world.login("supervisor"), AuditFilter(action="retention."))]
    assert events == ["retention.run", "retention.purge_case"]
    assert "user.unlock" in [e.action for e in page.queries.search(world.login("supervisor"), AuditFilter())]


def test_only_supervisors_get_the_pages(qtbot, world, translations):
    from ui.main_window import MainWindow

    for name, expected in (
        ("supervisor", {"audit", "stats"}),
        ("clerk", set()),
        ("prereview", set()),
        ("admin", set()),
    ):
        window = MainWindow(world.ctx, world.login(name), translations)
        qtbot.addWidget(window)
        assert {"audit", "stats"} & set(window.pages) == expected, name
        window.idle_lock.stop()


def test_supervisor_pages_from_the_login_dialog_run_no_sql_on_the_gui_thread(qtbot, world, translations):
    """F7 and F8 reached from the login dialog: the filter choices, the trail, a case opened from the
    trail, a full value revealed, a correction, the statistics — every core call off the GUI thread."""
    from PySide6.QtCore import Qt

    from testsupport.gui_io import describe, gui_thread_queries
    from testsupport.ui import open_window, settle_all

    clerk = world.login("clerk")
    cid = accepted_case(world, clerk)
    number = world.ctx.cases.get(clerk, cid).case_number
    window = open_window(qtbot, world.ctx, translations, "supervisor")
    settle_all(qtbot)
    with gui_thread_queries(world.ctx.engine) as hits:
        qtbot.keyClick(window, Qt.Key.Key_F7)
        page = window.pages["audit"]
        _done(qtbot, window)
        assert window.tabs.currentWidget() is page and page.f_user.findData("clerk") > 0
        page.f_case.setText(number)
        _click(qtbot, page, page.apply_button)
        assert set(_rows(page.events, 6)) == {number}
        page._open_event_case(page.events.item(0, 0))
        _done(qtbot, page)
        assert page.tabs.currentIndex() == 1 and number in page.case_header.text()
        page.applicant_name._prompt = lambda parent: "核对投诉"
        page.applicant_name.button.click()
        _done(qtbot, page)
        assert "*" not in page.applicant_name.value.text()

        def answer(dialog):
            assert dialog.value.text() == "01"  # the current value, read with the case
            dialog.value.setText("03")
            dialog.reason.setText("窗口号录错")
            return True

        page.ask = answer
        _click(qtbot, page, page.correct_button)
        assert page.corrections_table.rowCount() == 1 and page.current_values["window_no"] == "03"
        qtbot.keyClick(window, Qt.Key.Key_F8)
        stats = window.pages["stats"]
        _done(qtbot, window)
        assert stats.kpis["decided"].text().startswith("1")
    assert not hits, describe(hits)
    window.idle_lock.stop()
