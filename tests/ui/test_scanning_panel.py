"""The scanning panel with the simulated scanner over a real demo store (pytest-qt, offscreen)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt

from clerk_app.persons import PersonData
from devices.scanners.base import ScanSource
from devices.scanners.simulated import SimulatedBackend, SimulatedFault
from testsupport.ui import settle
from ui.current_case import CurrentCase
from ui.printing_ui import PreviewDialog
from ui.scanning.panel import ScanningPanel

ITEM = "SC-GTGSH-SL"
APPLICANT = PersonData(
    name="张三丰",
    document_number="11010519491231002X",
    address="湖北省武汉市江岸区胜利街100号",
    phone="13800138000",
    verified_by="chip",
    passive_auth="verified",
)


@pytest.fixture
def desk(demo_ctx):
    actor = demo_ctx.users.authenticate("clerk", "Clerk2026")
    case_id = demo_ctx.cases.start_case(actor, ITEM, {"premises": "rented"})
    demo_ctx.cases.set_applicant(actor, case_id, APPLICANT)
    window = SimpleNamespace(ctx=demo_ctx, actor=actor, current_case=CurrentCase())
    return window, case_id


def make_panel(qtbot, window, case_id, backend) -> ScanningPanel:
    panel = ScanningPanel(window, backend=backend)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.scanner is not None, timeout=5000)
    window.current_case.open(case_id)
    settle(qtbot, panel)  # the lines and pages are read off the GUI thread
    return panel


def scan_and_wait(qtbot, panel: ScanningPanel, source: ScanSource = ScanSource.ADF) -> None:
    panel.source.setCurrentIndex(panel.source.findData(source))
    panel.dpi.setCurrentIndex(panel.dpi.findData(100))
    with qtbot.waitSignal(panel.scan_finished, timeout=30000):
        qtbot.mouseClick(panel.scan_button, Qt.MouseButton.LeftButton)


def test_scan_into_the_focused_line(qtbot, desk, translations):
    window, case_id = desk
    panel = make_panel(qtbot, window, case_id, SimulatedBackend(sheets=3))
    lines = [panel.line.itemData(i) for i in range(panel.line.count())]
    panel.set_target_line(lines[1])
    settle(qtbot, panel)
    assert panel.scan_button.text() == "扫描 (F9)"
    changed = []
    window.current_case.changed.connect(changed.append)
    scan_and_wait(qtbot, panel)
    assert panel.thumbnails.count() == 3
    assert panel.pages.counts(case_id)[lines[1]] == 3
    assert panel.pages.counts(case_id)[lines[0]] == 0
    assert "已扫描 3 页" in panel.status.text()
    assert changed and changed[-1] == case_id
    assert "(3)" in panel.line.currentText()  # the line list shows the page count
    assert not panel.thumbnails.item(0).icon().isNull()
    # the next applicant's case: the count of the previous one does not carry over (issue 17)
    other = window.ctx.cases.start_case(window.actor, ITEM, {"premises": "rented"})
    window.current_case.open(other)
    assert panel.case_id == other and "已扫描" not in panel.status.text()


def test_duplex_with_blank_backs_dropped(qtbot, desk, translations):
    window, case_id = desk
    panel = make_panel(qtbot, window, case_id, SimulatedBackend(sheets=2))
    assert panel.drop_blank.isChecked()
    with qtbot.waitSignal(panel.scan_finished, timeout=30000) as done:
        panel.source.setCurrentIndex(panel.source.findData(ScanSource.DUPLEX))
        panel.dpi.setCurrentIndex(panel.dpi.findData(100))
        qtbot.mouseClick(panel.scan_button, Qt.MouseButton.LeftButton)
    assert panel.thumbnails.count() == 2  # the empty back sides were not stored
    assert done.args[0].dropped_blank == 2  # there were back sides (Qt gives the source as a plain str)


def test_a_flatbed_scan_is_one_page(qtbot, desk, translations):
    window, case_id = desk
    panel = make_panel(qtbot, window, case_id, SimulatedBackend(sheets=5))
    scan_and_wait(qtbot, panel, ScanSource.FLATBED)
    assert panel.thumbnails.count() == 1
    assert panel.options().source is ScanSource.FLATBED


def test_page_actions(qtbot, desk, translations):
    window, case_id = desk
    panel = make_panel(qtbot, window, case_id, SimulatedBackend(sheets=3))
    scan_and_wait(qtbot, panel)
    before = panel.pages.pages(case_id, panel.line_code)
    panel.thumbnails.setCurrentRow(2)
    panel.edit_page("move", -2)
    settle(qtbot, panel)  # the write and the read after it, off the GUI thread
    after = panel.pages.pages(case_id, panel.line_code)
    assert [p.id for p in after] == [before[2].id, before[0].id, before[1].id]
    panel.thumbnails.setCurrentRow(0)
    assert (
        panel.thumbnails.currentRow() == 0 and panel.thumbnails.item(0).data(Qt.ItemDataRole.UserRole) == before[2].id
    )
    panel.edit_page("rotate")
    settle(qtbot, panel)
    assert panel.pages.pages(case_id, panel.line_code)[0].rotation == 90
    panel.view_page()
    settle(qtbot, panel)
    viewer = panel.viewer
    assert isinstance(viewer, PreviewDialog) and viewer.windowTitle() == "预览：页面"
    qtbot.addWidget(viewer)
    width = viewer.page_labels[0].pixmap().width()
    viewer.set_zoom(viewer.zoom * 2)
    assert viewer.page_labels[0].pixmap().width() > width
    panel.thumbnails.setCurrentRow(1)
    panel.edit_page("delete")
    settle(qtbot, panel)
    assert panel.thumbnails.count() == 2
    assert panel.pages.counts(case_id)[panel.line_code] == 2


def test_rescan_replaces_the_selected_page(qtbot, desk, translations):
    window, case_id = desk
    panel = make_panel(qtbot, window, case_id, SimulatedBackend(sheets=2))
    scan_and_wait(qtbot, panel)
    first = panel.pages.pages(case_id, panel.line_code)[0]
    panel.thumbnails.setCurrentRow(0)
    panel.edit_page("rotate")
    settle(qtbot, panel)
    panel.dpi.setCurrentIndex(panel.dpi.findData(150))
    with qtbot.waitSignal(panel.scan_finished, timeout=30000):
        panel.rescan_page()
    pages = panel.pages.pages(case_id, panel.line_code)
    assert len(pages) == 2
    assert pages[0].id == first.id and pages[0].sha256 != first.sha256
    assert pages[0].rotation == 0


def test_fault_keeps_earlier_pages_and_says_why(qtbot, desk, translations):
    window, case_id = desk
    panel = make_panel(
        qtbot, window, case_id, SimulatedBackend(sheets=5, fault=SimulatedFault(at_sheet=2, kind="jammed"))
    )
    scan_and_wait(qtbot, panel)
    assert panel.thumbnails.count() == 2
    assert "卡纸" in panel.status.text() and "2" in panel.status.text()
    assert panel.scan_button.isEnabled()


def test_cancel_keeps_pages(qtbot, desk, translations):
    window, case_id = desk
    panel = make_panel(qtbot, window, case_id, SimulatedBackend(sheets=40, line_delay=0.01))
    panel.source.setCurrentIndex(panel.source.findData(ScanSource.ADF))
    panel.dpi.setCurrentIndex(panel.dpi.findData(100))
    with qtbot.waitSignal(panel.scan_finished, timeout=30000):
        panel.start_scan()
        qtbot.waitUntil(lambda: panel.thumbnails.count() >= 1, timeout=20000)
        assert panel.cancel_button.isEnabled()
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    kept = panel.thumbnails.count()
    assert 1 <= kept < 40
    assert panel.pages.counts(case_id)[panel.line_code] == kept
    assert "已取消" in panel.status.text()


def test_no_scanner_configured(qtbot, desk, translations):
    window, case_id = desk
    panel = ScanningPanel(window, backend=None)
    qtbot.addWidget(panel)
    assert not panel.scan_button.isEnabled()
    assert "未配置扫描仪" in panel.status.text()


def test_backend_from_settings(qtbot, desk, translations):
    window, _ = desk
    panel = ScanningPanel(window)  # demo settings: the simulated scanner
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.scanner is not None, timeout=5000)
    assert panel.scanner.info.backend == "simulated"


def test_the_scanner_is_built_listed_and_opened_off_the_gui_thread(qtbot, desk, translations):
    """Loading SANE, probing the bus and opening a device take seconds on real hardware: none of it may
    freeze the window (issue 13). The backend records the thread each device call came from."""
    import threading

    calls: list[tuple[str, bool]] = []

    class Recording(SimulatedBackend):
        def list_devices(self):
            calls.append(("list", threading.current_thread() is threading.main_thread()))
            return super().list_devices()

        def open(self, device_id):
            calls.append(("open", threading.current_thread() is threading.main_thread()))
            return super().open(device_id)

    window, case_id = desk
    panel = make_panel(qtbot, window, case_id, Recording(sheets=1))
    assert {"list", "open"} <= {name for name, _ in calls}
    assert not [name for name, on_gui in calls if on_gui], calls
    assert panel.caps is not None and panel.source.count() > 0  # capabilities read with the open
