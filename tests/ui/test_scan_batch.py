"""A scan batch from the real login dialog: F9 on the intake page runs the core's scan service
(``ctx.scans``) through the one op mechanism (ui/operations.py ``BackgroundOp``): pages are filed in
scan order under the focused line while the feeder runs, a thumbnail appears per filed page, Cancel
keeps what was delivered. Also the two small things the op mechanism gained for it: ``post`` /
``on_item`` and a thread of its own."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from devices.scanners.base import ScanSource
from devices.scanners.simulated import SimulatedBackend
from testsupport.gui_io import describe, gui_thread_queries
from testsupport.ui import ScriptedPrompts, open_window, settle
from ui.operations import BackgroundOp


def panel_ready(page) -> bool:
    return page.scanning.case_id == page.case_id and page.scanning.line.count() > 1


def intake_with_scanner(qtbot, demo_ctx, translations, backend):
    window = open_window(qtbot, demo_ctx, translations, "clerk")
    qtbot.keyClick(window, Qt.Key.Key_F2)
    page = window.pages["intake"]
    page.prompts = ScriptedPrompts()
    page.picker.query.setText("gtgsh")
    page.picker.pick_current()
    settle(qtbot, page)  # the case is started off the GUI thread
    qtbot.waitUntil(lambda: page.case_id is not None and panel_ready(page), timeout=10_000)
    page.table.setFocus()
    page.table.selectRow(1)
    settle(qtbot, page)
    focused = demo_ctx.cases.get(page.actor, page.case_id).lines[1].code
    qtbot.waitUntil(lambda: page.scanning.line_code == focused, timeout=10_000)  # the checklist's focus
    panel = page.scanning
    qtbot.waitUntil(lambda: panel.scanner is not None, timeout=5000)  # the demo's own simulated scanner
    panel.scanner.close()
    panel.scanner, panel.backend = None, backend  # a feeder of a chosen size
    panel.refresh_devices()
    qtbot.waitUntil(lambda: panel.scanner is not None, timeout=5000)
    panel.source.setCurrentIndex(panel.source.findData(ScanSource.ADF))
    panel.dpi.setCurrentIndex(panel.dpi.findData(100))
    return page, panel


def test_f9_scans_a_batch_into_the_focused_line_in_order(qtbot, demo_ctx, translations):
    page, panel = intake_with_scanner(qtbot, demo_ctx, translations, SimulatedBackend(sheets=4))
    line = panel.line_code
    seen: list[int] = []
    with qtbot.waitSignal(panel.scan_finished, timeout=60_000) as done:
        qtbot.keyClick(page.table, Qt.Key.Key_F9)
        qtbot.waitUntil(lambda: panel.thumbnails.count() >= 1, timeout=30_000)
        seen.append(panel.thumbnails.count())
    outcome = done.args[0]
    assert outcome.filed == 4 and outcome.error is None
    pages = demo_ctx.pages.pages(page.case_id, line)
    assert [p.position for p in pages] == [0, 1, 2, 3]
    assert [panel.thumbnails.item(i).text() for i in range(4)] == ["1", "2", "3", "4"]
    assert demo_ctx.cases.get(page.actor, page.case_id).lines[1].page_count == 4
    assert "已扫描 4 页" in panel.status.text() and panel.job is None and panel.scan_button.isEnabled()


def test_cancel_from_the_panel_keeps_the_pages_filed(qtbot, demo_ctx, translations):
    page, panel = intake_with_scanner(qtbot, demo_ctx, translations, SimulatedBackend(sheets=30, line_delay=0.01))
    with qtbot.waitSignal(panel.scan_finished, timeout=60_000) as done:
        qtbot.keyClick(page.table, Qt.Key.Key_F9)
        qtbot.waitUntil(lambda: panel.thumbnails.count() >= 2, timeout=30_000)
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    outcome = done.args[0]
    assert outcome.cancelled and 2 <= outcome.filed < 30
    qtbot.wait(100)  # every posted page has reached the panel before the outcome
    assert panel.thumbnails.count() == outcome.filed == len(demo_ctx.pages.pages(page.case_id, panel.line_code))
    assert "已取消" in panel.status.text() and str(outcome.filed) in panel.status.text()


def test_items_posted_by_the_work_arrive_in_order_on_the_gui_thread(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    items: list[tuple[int, str]] = []
    result: list[object] = []
    worker: list[str] = []
    op: BackgroundOp

    def work(report, cancel):
        worker.append(threading.current_thread().name)
        for i in range(5):
            op.post(i)
        return "done"

    op = BackgroundOp(
        work,
        result.append,
        result.append,
        owner=label,
        on_item=lambda i: items.append((i, threading.current_thread().name)),
        thread_name="own-thread",
    )
    op.start()
    qtbot.waitUntil(lambda: result == ["done"], timeout=5000)
    assert [i for i, _ in items] == [0, 1, 2, 3, 4]
    assert {name for _, name in items} == {threading.main_thread().name}
    assert worker == ["own-thread"]  # not one of the shared pool's threads


@pytest.fixture
def ctx_without_customer_window(tmp_path):
    """The customer-facing window (ui/customer, its own gate test) follows every page change: left out
    here so the recorder sees the panel (and the intake page) only."""
    from clerk_app.app_context import build_context
    from clerk_app.demo import seed_demo_users
    from clerk_app.settings import Settings

    ctx = build_context(Settings(demo=True, data_dir=str(tmp_path), customer_window=False))
    seed_demo_users(ctx)
    yield ctx
    ctx.close()


def test_the_panel_runs_no_sql_on_the_gui_thread(qtbot, ctx_without_customer_window, translations):
    """Issue 13: lines, pages, thumbnails, page actions and the page viewer are read and written off
    the GUI thread (CoreOp); only the rendering happens on it."""
    demo_ctx = ctx_without_customer_window
    page, panel = intake_with_scanner(qtbot, demo_ctx, translations, SimulatedBackend(sheets=3))
    lines = [panel.line.itemData(i) for i in range(panel.line.count())]
    with gui_thread_queries(demo_ctx.engine) as hits:
        with qtbot.waitSignal(panel.scan_finished, timeout=60_000):
            qtbot.keyClick(page.table, Qt.Key.Key_F9)
        assert panel.thumbnails.count() == 3
        first, second, third = (panel.thumbnails.item(i).data(Qt.ItemDataRole.UserRole) for i in range(3))
        panel.thumbnails.setFocus()  # the page keys work where the thumbnails are
        panel.thumbnails.setCurrentRow(2)
        qtbot.keyClick(panel.thumbnails, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)  # move up
        settle(qtbot, page)
        qtbot.keyClick(panel.thumbnails, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)  # rotate
        settle(qtbot, page)
        qtbot.keyClick(panel.thumbnails, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # view
        settle(qtbot, page)
        assert panel.viewer is not None and panel.viewer.isVisible()
        panel.viewer.close()
        panel.thumbnails.setCurrentRow(0)
        qtbot.mouseClick(panel.page_buttons["delete"], Qt.MouseButton.LeftButton)  # the viewer was the active window
        settle(qtbot, page)
        panel.set_target_line(lines[0])  # another line: its (empty) pages
        settle(qtbot, page)
        assert panel.thumbnails.count() == 0 and panel.line_code == lines[0]
        panel.set_target_line(lines[1])
        settle(qtbot, page)
    assert not hits, describe(hits)
    pages = demo_ctx.pages.pages(page.case_id, lines[1])
    assert panel.thumbnails.count() == len(pages) == 2
    assert [panel.thumbnails.item(i).data(Qt.ItemDataRole.UserRole) for i in range(2)] == [p.id for p in pages]
    assert [p.id for p in pages] == [third, second] and pages[0].rotation == 90 and "(2)" in panel.line.currentText()
