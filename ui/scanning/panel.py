"""The scanning panel: device, source, profile and dpi; scan into the checklist line that has focus;
thumbnails of that line's pages with rotate / move / delete / rescan; a zoomable page viewer.

A batch is the core's scan service (``ctx.scans``, clerk_app/scan_session.py): it drives the
scanner, has the pages processed on both cores while the feeder runs, and decides what is filed
where — line, order, blank pages, rescan, cancel, what a partial batch keeps — and audits the batch.
The panel conducts nothing: it starts the batch through the one op mechanism (ui/operations.py
``BackgroundOp``, on a thread of its own), shows progress and a thumbnail per filed page (``post`` /
``on_item``) and the outcome, and offers Cancel.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QAction, QImage, QKeySequence, QPixmap, QTransform
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clerk_app.errors import ClerkAppError
from clerk_app.pages import PageService, PageView
from clerk_app.scan_session import ScanOutcome, ScanRequest
from devices.imaging.pipeline import Preset
from devices.scanners.base import (
    ColourMode,
    DeviceInfo,
    Scanner,
    ScannerBackend,
    ScanOptions,
    ScanSource,
)
from ui.operations import BackgroundOp, error_text

log = logging.getLogger(__name__)

THUMB = 160


class ScanningPanel(QWidget):
    """``window`` gives ``ctx``, ``actor`` and ``current_case`` (the MainWindow, or a stand-in)."""

    status_changed = Signal(str)  # device status for the status bar
    scan_finished = Signal(object)  # ScanOutcome, or the unexpected exception, once the batch ended

    def __init__(
        self,
        window: Any,
        backend: ScannerBackend | None | str = "settings",
        pages: PageService | None = None,
    ) -> None:
        super().__init__()
        self.window_ = window
        self.ctx = window.ctx
        self.actor = window.actor
        self.pages = pages or self.ctx.pages
        self._backend_error: ClerkAppError | None = None
        if backend == "settings":
            try:
                backend = self.ctx.devices.scanner()
            except ClerkAppError as exc:  # e.g. SANE library missing: say why, keep working
                self._backend_error, backend = exc, None
        self.backend: ScannerBackend | None = backend  # type: ignore[assignment]
        self.scanner: Scanner | None = None
        self.job: BackgroundOp | None = None  # the batch being scanned (ctx.scans.run off the GUI thread)
        self._rescan = False
        self._job_ended = threading.Event()
        self.case_id: str | None = None
        self.line_code: str | None = None
        self._caps: tuple[Scanner, Any] | None = None

        self.device = QComboBox()
        self.device.setObjectName("scanDevice")
        self.device.currentIndexChanged.connect(self._device_chosen)
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(lambda: self.refresh_devices())
        self.source = QComboBox()
        self.source.setObjectName("scanSource")
        self.profile = QComboBox()
        self.profile.setObjectName("scanProfile")
        self.dpi = QComboBox()
        self.dpi.setObjectName("scanDpi")
        self.drop_blank = QCheckBox()
        self.drop_blank.setObjectName("dropBlank")
        self.drop_blank.setChecked(True)
        self.line = QComboBox()
        self.line.setObjectName("scanLine")
        self.line.currentIndexChanged.connect(self._line_chosen)

        self.scan_button = QPushButton()
        self.scan_button.setObjectName("scanButton")
        self.scan_button.clicked.connect(lambda: self.start_scan())
        # F9 as an action, not the button's shortcut: QPushButton.setText() on a language switch
        # replaces a button's shortcut with the text's mnemonic, which wiped F9.
        self.scan_action = QAction(self)
        self.scan_action.setShortcut(QKeySequence("F9"))
        self.scan_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)  # while the panel is shown
        self.scan_action.triggered.connect(lambda: self.start_scan())  # start_scan checks it can scan
        self.addAction(self.scan_action)
        # Files from disk or a network scanner's share, beside the scanner (Ctrl+I; any backend, none too)
        self.import_button = QPushButton()
        self.import_button.setObjectName("importFiles")
        self.import_button.clicked.connect(lambda: self.import_files())
        self.import_action = QAction(self)
        self.import_action.setShortcut(QKeySequence("Ctrl+I"))
        self.import_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.import_action.triggered.connect(lambda: self.import_files())
        self.addAction(self.import_action)
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancelScan")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(lambda: self.cancel_scan())
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("scanProgress")
        self.progress_bar.setRange(0, 100)
        self.status = QLabel()
        self.status.setObjectName("scanStatus")
        self.status.setWordWrap(True)

        self.thumbnails = QListWidget()
        self.thumbnails.setObjectName("thumbnails")
        self.thumbnails.setViewMode(QListView.ViewMode.IconMode)
        self.thumbnails.setIconSize(QSize(THUMB, THUMB))
        self.thumbnails.setMovement(QListView.Movement.Static)
        self.thumbnails.setResizeMode(QListView.ResizeMode.Adjust)
        self.thumbnails.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.thumbnails.itemActivated.connect(lambda _item: self.view_page())

        self.actions_: dict[str, QAction] = {}
        self.page_buttons: dict[str, QPushButton] = {}
        for key, shortcut, slot in (
            ("rotate", "Ctrl+R", lambda: self.rotate_page(90)),
            ("up", "Ctrl+Up", lambda: self.move_page(-1)),
            ("down", "Ctrl+Down", lambda: self.move_page(1)),
            ("delete", "Delete", self.delete_page),
            ("rescan", "Ctrl+F9", self.rescan_page),
            ("view", "Ctrl+Return", self.view_page),
        ):
            action = QAction(self)
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
            self.actions_[key] = action
            button = QPushButton()
            button.setObjectName(f"page_{key}")
            button.clicked.connect(action.trigger)
            self.page_buttons[key] = button

        self.form = QFormLayout()
        device_row = QHBoxLayout()
        device_row.addWidget(self.device, 1)
        device_row.addWidget(self.refresh_button)
        self.form_labels = [QLabel() for _ in range(5)]
        for label, field in zip(self.form_labels, (self.device, self.source, self.profile, self.dpi, self.line)):
            label.setBuddy(field)
        self.form.addRow(self.form_labels[0], device_row)
        self.form.addRow(self.form_labels[1], self.source)
        self.form.addRow(self.form_labels[2], self.profile)
        self.form.addRow(self.form_labels[3], self.dpi)
        self.form.addRow(self.form_labels[4], self.line)
        self.form.addRow(self.drop_blank)
        buttons = QHBoxLayout()
        buttons.addWidget(self.scan_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.cancel_button)
        page_row = QHBoxLayout()
        for button in self.page_buttons.values():
            page_row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addLayout(buttons)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.status)
        layout.addWidget(self.thumbnails, 1)
        layout.addLayout(page_row)

        current = getattr(window, "current_case", None)
        if current is not None:
            current.opened.connect(self.set_case)
            current.changed.connect(self._case_changed)
            current.closed.connect(lambda: self.set_case(None))
        self.retranslate()
        self.refresh_devices()
        if current is not None and current.case_id:
            self.set_case(current.case_id)

    # -- texts --------------------------------------------------------------------------------
    def retranslate(self) -> None:
        labels = (
            self.tr("&Scanner"),
            self.tr("S&ource"),
            self.tr("&Profile"),
            self.tr("&Resolution"),
            self.tr("&File under"),
        )
        for label, text in zip(self.form_labels, labels):
            label.setText(text)
        self.refresh_button.setText(self.tr("Refresh"))
        self.drop_blank.setText(self.tr("Drop blank pages"))
        self.scan_button.setText(self.tr("Scan (F9)"))
        self.scan_action.setText(self.tr("Scan into the focused line"))
        self.import_button.setText(self.tr("Import files… (Ctrl+I)"))
        self.import_action.setText(self.tr("Import PDF or image files into the focused line"))
        self.cancel_button.setText(self.tr("Cancel"))
        texts = {
            "rotate": self.tr("Rotate"),
            "up": self.tr("Move up"),
            "down": self.tr("Move down"),
            "delete": self.tr("Delete page"),
            "rescan": self.tr("Rescan page"),
            "view": self.tr("View"),
        }
        for key, text in texts.items():
            self.page_buttons[key].setText(text)
        self._fill_choices()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _fill_choices(self) -> None:
        caps = self._capabilities()
        source_names = {
            ScanSource.FLATBED: self.tr("Flatbed"),
            ScanSource.ADF: self.tr("Document feeder"),
            ScanSource.DUPLEX: self.tr("Feeder, both sides"),
        }
        profile_names = {
            Preset.AUTO: self.tr("Automatic"),
            Preset.TEXT: self.tr("Text (black and white)"),
            Preset.GRAY_TEXT: self.tr("Text (gray)"),
            Preset.MIXED: self.tr("Mixed (photos)"),
            Preset.COLOUR: self.tr("Colour"),
        }
        sources = caps.sources if caps else tuple(ScanSource)
        _refill(self.source, [(source_names[s], s) for s in sources])
        _refill(self.profile, [(text, preset) for preset, text in profile_names.items()])
        resolutions = caps.resolutions if caps else (200,)
        _refill(self.dpi, [(f"{d} dpi", d) for d in resolutions], default=200 if 200 in resolutions else None)

    # -- devices ------------------------------------------------------------------------------
    def refresh_devices(self) -> None:
        """List devices off the GUI thread (SANE may probe the USB bus for a while)."""
        if self.backend is None:
            reason = self._backend_error.user_message() if self._backend_error else self.tr("No scanner configured")
            self._set_status(reason)
            self.scan_button.setEnabled(False)
            return
        backend = self.backend
        BackgroundOp(
            lambda _report, _cancel: backend.list_devices(),
            self._devices_listed,
            lambda exc: self._set_status(error_text(exc)),
            owner=self,
            thread_name="scan-devices",
        ).start()

    def _devices_listed(self, devices: list[DeviceInfo]) -> None:
        _refill(self.device, [(info.label, info.id) for info in devices])
        if not devices:
            self._set_status(self.tr("No scanner found"))
        self._device_chosen()

    def _device_chosen(self) -> None:
        device_id = self.device.currentData()
        if self.scanner is not None and self.scanner.info.id == device_id:
            return
        if self.scanner is not None:
            self.scanner.close()
            self.scanner = None
        if device_id is None or self.backend is None:
            return
        try:
            self.scanner = self.backend.open(device_id)
        except ClerkAppError as exc:
            self._set_status(exc.user_message())
            return
        self._fill_choices()
        self._set_status(self.tr("Ready: %1").replace("%1", self.scanner.info.label))
        self._update_enabled()

    def _capabilities(self) -> Any:
        """Read once per opened device: during a batch the SANE lock is held, and asking again
        would block the GUI until the batch ends."""
        if self.scanner is None:
            return None
        if self._caps is None or self._caps[0] is not self.scanner:
            try:
                self._caps = (self.scanner, self.scanner.capabilities())
            except ClerkAppError as exc:
                self._set_status(exc.user_message())
                return None
        return self._caps[1]

    # -- case and line --------------------------------------------------------------------------
    def set_case(self, case_id: str | None) -> None:
        if case_id != self.case_id and self.job is None:
            # "已扫描 N 页" was about the previous case: the next applicant starts with a clean panel
            self.status.clear()
            self.progress_bar.setValue(0)
        self.case_id = case_id
        self._refresh_lines()
        self.refresh_pages()
        self._update_enabled()

    def _refresh_lines(self) -> None:
        """The line list with page counts; the chosen line stays chosen."""
        lines: list[tuple[str, str]] = []
        if self.case_id is not None:
            view = self.ctx.cases.get(self.actor, self.case_id)
            lines = [(f"{line.name} ({line.page_count})", line.code) for line in view.lines]
        _refill(self.line, lines, default=self.line_code)

    def _case_changed(self, case_id: str) -> None:
        if case_id == self.case_id and self.job is None:
            self._refresh_lines()  # counts only: keep the thumbnails and their selection

    def set_target_line(self, code: str) -> None:
        """Scan into the line that has focus in the checklist."""
        index = self.line.findData(code)
        if index >= 0:
            self.line.setCurrentIndex(index)

    def _line_chosen(self) -> None:
        code = self.line.currentData()
        if code == self.line_code:
            return
        self.line_code = code
        self.refresh_pages()
        self._update_enabled()

    def refresh_pages(self) -> None:
        self.thumbnails.clear()
        if self.case_id is None or self.line_code is None:
            return
        try:
            for page in self.pages.pages(self.case_id, self.line_code):
                self._add_thumbnail(page)
        except ClerkAppError as exc:  # no access to this case's pages, or a damaged image
            self._set_status(exc.user_message())

    def _add_thumbnail(self, page: PageView) -> None:
        data, _mime, rotation = self.pages.image(self.actor, page.id)
        image = QImage.fromData(data)
        pixmap = QPixmap.fromImage(
            image.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        )
        if rotation:
            pixmap = pixmap.transformed(QTransform().rotate(rotation))
        text = str(page.position + 1) + (" · " + self.tr("blank?") if page.blank else "")
        item = QListWidgetItem(pixmap, text)
        item.setData(Qt.ItemDataRole.UserRole, page.id)
        self.thumbnails.addItem(item)

    def _selected_page(self) -> int | None:
        item = self.thumbnails.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    # -- scanning -------------------------------------------------------------------------------
    def options(self) -> ScanOptions:
        preset = self.profile.currentData() or Preset.AUTO
        mode = {Preset.COLOUR: ColourMode.COLOUR}.get(preset, ColourMode.GRAY)
        caps = self._capabilities()
        if caps is not None and mode not in caps.modes:
            mode = caps.modes[0]
        return ScanOptions(
            source=ScanSource(self.source.currentData() or ScanSource.FLATBED),
            dpi=int(self.dpi.currentData() or 200),
            mode=mode,
        )

    def import_files(self, paths: Sequence[str] | None = None) -> None:
        """PDF and image files into the focused line (all pages of a file or none of it; a refused file
        is named in the status line, the others are filed)."""
        if self.job is not None or not self.case_id or not self.line_code:
            return
        if paths is None:
            paths, _filter = QFileDialog.getOpenFileNames(
                self,
                self.tr("Import files into the line"),
                "",
                self.tr("PDF and images (*.pdf *.png *.jpg *.jpeg *.tif *.tiff)"),
            )
        if not paths:
            return
        self.start_scan(scanner=self.ctx.devices.file_importer([Path(p) for p in paths]))

    def start_scan(self, replace_page: int | None = None, scanner: Scanner | None = None) -> None:
        scanner = scanner or self.scanner
        if self.job is not None or scanner is None or not self.case_id or not self.line_code:
            return
        options = self.options()
        if replace_page is not None:
            options = ScanOptions(source=options.source, dpi=options.dpi, mode=options.mode, max_pages=1)
        request = ScanRequest(
            self.case_id,
            self.line_code,
            preset=Preset(self.profile.currentData() or Preset.AUTO).value,
            drop_blank=self.drop_blank.isChecked(),
            replace_page=replace_page,
        )
        scans, actor = self.ctx.scans, self.actor
        ended = self._job_ended = threading.Event()

        def work(report: Any, cancel: Any) -> ScanOutcome:  # the op's own thread; widgets untouched
            try:
                return scans.run(
                    actor,
                    scanner,
                    options,
                    request,
                    on_filed=op.post,
                    on_progress=lambda done, fraction: report(int(min(1.0, fraction) * 100), 100, str(done)),
                    cancel=cancel,
                )
            finally:
                ended.set()

        op = BackgroundOp(
            work,
            self._finished,
            self._failed,
            on_progress=self._progress,
            owner=self,
            on_item=self._page_filed,
            thread_name="scan-job",
        )
        self.job, self._rescan = op, replace_page is not None
        self._set_status(self.tr("Scanning…"))
        self.progress_bar.setValue(0)
        self._update_enabled()
        op.start()

    def cancel_scan(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _page_filed(self, view: PageView) -> None:
        if not self._rescan:
            self._add_thumbnail(view)
        current = getattr(self.window_, "current_case", None)
        if current is not None:
            current.touch()

    def _progress(self, percent: int, _total: int, pages_done: str) -> None:
        self.progress_bar.setValue(percent)
        page = int(pages_done or 0) + (0 if percent >= 100 else 1)
        self.progress_bar.setFormat(self.tr("Page %1: %p%").replace("%1", str(max(1, page))))

    def _finished(self, outcome: ScanOutcome) -> None:
        self.job = None
        if outcome.cancelled:
            self._set_status(self.tr("Cancelled; %1 pages kept").replace("%1", str(outcome.filed)))
        elif outcome.error is not None:
            self._set_status(outcome.error.user_message())
            log.warning("scan failed: %s", outcome.error)
        else:
            text = self.tr("%1 pages scanned").replace("%1", str(outcome.filed))
            if outcome.refused:  # file import: files that could not be read
                text += "；" + self.tr("%1 files not imported: %2").replace("%1", str(len(outcome.refused))).replace(
                    "%2", outcome.refused[0].user_message()
                )
            self._set_status(text)
        if outcome.error is None and not outcome.cancelled:
            self.progress_bar.setValue(100)
        self._ended(outcome.rescan)
        self.scan_finished.emit(outcome)

    def _failed(self, exc: BaseException) -> None:
        """Unexpected (a bug): said in general words, the detail is in the log; filed pages stay."""
        self.job = None
        self._set_status(error_text(exc))
        self._ended(self._rescan)
        self.scan_finished.emit(exc)

    def _ended(self, rescan: bool) -> None:
        if rescan:
            self.refresh_pages()
        if self.case_id:
            self.set_case(self.case_id)  # page counts in the line list
        self._update_enabled()

    # -- page actions -----------------------------------------------------------------------------
    def _page_action(self, fn: Any) -> None:
        page_id = self._selected_page()
        if page_id is None or self.job is not None:
            return
        row = self.thumbnails.currentRow()
        try:
            fn(page_id)
        except ClerkAppError as exc:
            self._set_status(exc.user_message())
            return
        self.refresh_pages()
        self.thumbnails.setCurrentRow(min(row, self.thumbnails.count() - 1))
        current = getattr(self.window_, "current_case", None)
        if current is not None:
            current.touch()

    def rotate_page(self, degrees: int = 90) -> None:
        self._page_action(lambda page_id: self.pages.rotate(self.actor, page_id, degrees))

    def move_page(self, step: int) -> None:
        row = self.thumbnails.currentRow()
        self._page_action(lambda page_id: self.pages.move(self.actor, page_id, max(0, row + step)))
        self.thumbnails.setCurrentRow(max(0, min(row + step, self.thumbnails.count() - 1)))

    def delete_page(self) -> None:
        self._page_action(lambda page_id: self.pages.delete(self.actor, page_id))

    def rescan_page(self) -> None:
        page_id = self._selected_page()
        if page_id is not None:
            self.start_scan(replace_page=page_id)

    def view_page(self) -> PageViewer | None:
        page_id = self._selected_page()
        if page_id is None:
            return None
        try:  # audited as a personal-data view (an ID card scan is one); refused to roles without access
            data, _mime, rotation = self.pages.image(self.actor, page_id, full_view=True)
        except ClerkAppError as exc:
            self._set_status(exc.user_message())
            return None
        viewer = PageViewer(QImage.fromData(data), rotation, self)
        viewer.show()
        return viewer

    # -- helpers ----------------------------------------------------------------------------------
    def _set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status_changed.emit(text)
        label = getattr(self.window_, "scanner_label", None)
        if label is not None:
            label.setText(self.tr("Scanner: %1").replace("%1", text))

    def _update_enabled(self) -> None:
        idle = self.job is None
        ready = idle and self.scanner is not None and bool(self.case_id) and bool(self.line_code)
        self.scan_button.setEnabled(ready)
        self.import_button.setEnabled(idle and bool(self.case_id) and bool(self.line_code))
        self.cancel_button.setEnabled(not idle)
        for key in ("rotate", "up", "down", "delete", "rescan"):
            self.page_buttons[key].setEnabled(idle)
        self.page_buttons["rescan"].setEnabled(ready)

    def closeEvent(self, event: Any) -> None:
        self.cancel_scan()  # the batch stops after the sheet being read; what it delivered is filed
        if self.job is not None:
            self._job_ended.wait(5)
        if self.scanner is not None:
            self.scanner.close()
        super().closeEvent(event)


class PageViewer(QDialog):
    """A page at full size with zoom (Ctrl++ / Ctrl+- / Ctrl+0 fits the width)."""

    def __init__(self, image: QImage, rotation: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Page"))
        self.resize(900, 1000)
        self.pixmap = QPixmap.fromImage(image)
        if rotation:
            self.pixmap = self.pixmap.transformed(QTransform().rotate(rotation))
        self.label = QLabel()
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidget(self.label)
        self.scroll_area.setWidgetResizable(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll_area)
        self.zoom = 1.0
        for shortcut, factor in (("Ctrl++", 1.25), ("Ctrl+=", 1.25), ("Ctrl+-", 0.8)):
            action = QAction(self)
            action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(lambda _=False, f=factor: self.set_zoom(self.zoom * f))
            self.addAction(action)
        fit = QAction(self)
        fit.setShortcut(QKeySequence("Ctrl+0"))
        fit.triggered.connect(self.fit_width)
        self.addAction(fit)
        self.fit_width()

    def fit_width(self) -> None:
        width = max(200, self.scroll_area.viewport().width() - 4)
        self.set_zoom(width / max(1, self.pixmap.width()))

    def set_zoom(self, zoom: float) -> None:
        self.zoom = max(0.1, min(4.0, zoom))
        scaled = self.pixmap.scaledToWidth(
            int(self.pixmap.width() * self.zoom), Qt.TransformationMode.SmoothTransformation
        )
        self.label.setPixmap(scaled)
        self.label.resize(scaled.size())


def _refill(combo: QComboBox, items: list[tuple[str, Any]], default: Any = None) -> None:
    """Replace a combo's items, keeping the current choice (or ``default``) when still offered."""
    keep = combo.currentData() if combo.count() else default
    combo.blockSignals(True)
    combo.clear()
    for text, data in items:
        combo.addItem(text, data)
    index = combo.findData(keep) if keep is not None else -1
    combo.setCurrentIndex(index if index >= 0 else (0 if items else -1))
    combo.blockSignals(False)
    if combo.count():
        combo.currentIndexChanged.emit(combo.currentIndex())
