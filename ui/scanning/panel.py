"""The scanning panel: device, source, profile and dpi; scan into the checklist line that has focus;
thumbnails of that line's pages with rotate / move / delete / rescan / view (the print preview's viewer).

A batch is the core's scan service (``ctx.scans``, clerk_app/scan_session.py): it drives the
scanner, has the pages processed on both cores while the feeder runs, and decides what is filed
where — line, order, blank pages, rescan, cancel, what a partial batch keeps — and audits the batch.
What the panel shows and allows is clerk_app/scan_desk.py. The panel conducts nothing: it starts the
batch through the one op mechanism (ui/operations.py ``BackgroundOp``, on a thread of its own), shows
progress and a thumbnail per filed page (``post`` / ``on_item``) and the outcome, and offers Cancel.

No core call runs on the GUI thread: the lines, the pages and their thumbnails are read (and the
thumbnails decoded, as QImage) by ``CoreOp`` on the core-writes thread, a page action and the read
after it in the same call, so results come back in the order they were asked and only the latest
asked is shown.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage, QKeyEvent, QKeySequence, QPixmap, QTransform
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from clerk_app import scan_desk
from clerk_app.scan_session import ScanOutcome, ScanRequest
from devices.imaging.pipeline import Preset
from devices.scanners.base import ColourMode, DeviceInfo, Scanner, ScannerBackend, ScanOptions, ScanSource
from ui.operations import BackgroundOp, CoreOp, error_text
from ui.printing_ui import PreviewDialog
from ui.widgets.common import Retranslating, add, button, label, shortcut

log = logging.getLogger(__name__)

THUMB = 160


def decoded(data: bytes, rotation: int, size: int | None = THUMB) -> QImage:
    """A page image turned for display (and scaled to a thumbnail): on a worker thread, so a QImage;
    the QPixmap is made on the GUI thread."""
    image = QImage.fromData(data)
    if size:
        image = image.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
    return image.transformed(QTransform().rotate(rotation)) if rotation else image


class ScanningPanel(Retranslating, QWidget):
    """``window`` gives ``ctx``, ``actor`` and ``current_case`` (the MainWindow, or a stand-in)."""

    status_changed = Signal(str)  # device status for the status bar
    scan_finished = Signal(object)  # ScanOutcome, or the unexpected exception, once the panel shows it

    def __init__(self, window: Any, backend: ScannerBackend | None | str = "settings") -> None:
        super().__init__()
        self.window_, self.ctx, self.actor = window, window.ctx, window.actor
        self.pages = self.ctx.pages
        # "settings": the composition root builds the station's backend on first use, off the GUI thread
        # (loading SANE probes the bus); None: no scanner at this desk.
        self._from_settings = backend == "settings"
        self.backend: ScannerBackend | None = None if isinstance(backend, str) else backend
        self.scanner: Scanner | None = None
        self.caps: Any = None  # the open scanner's capabilities, read once (a batch holds the SANE lock)
        self.job: BackgroundOp | None = None  # the batch being scanned (ctx.scans.run off the GUI thread)
        self._rescan = False
        self._job_ended = threading.Event()
        self._ended: object = None  # the batch's outcome, announced once the panel shows it
        self.case_id: str | None = None
        self.line_code: str | None = None
        self._reads = 0  # reads started; only the latest one's result is shown
        self._need_pages = False  # a read that would show the thumbnails has not been shown yet
        self.viewer: PreviewDialog | None = None

        self.device = _combo("scanDevice", self._device_chosen)
        self.source, self.profile, self.dpi = _combo("scanSource"), _combo("scanProfile"), _combo("scanDpi")
        self.line = _combo("scanLine", self._line_chosen)
        self.refresh_button = button("refreshScanners", self.refresh_devices)
        self.drop_blank = QCheckBox()
        self.drop_blank.setObjectName("dropBlank")
        self.drop_blank.setChecked(True)
        # F9 and Ctrl+I as window actions, not the buttons' shortcuts: QPushButton.setText() on a
        # language switch replaces a button's shortcut with the text's mnemonic, which wiped F9.
        window_keys = Qt.ShortcutContext.WindowShortcut  # while the panel is shown
        self.scan_button = button("scanButton", lambda: self.start_scan())
        self.scan_action = shortcut(self, "F9", lambda: self.start_scan(), context=window_keys)  # it checks
        # Files from disk or a network scanner's share, beside the scanner (any backend, none too)
        self.import_button = button("importFiles", self.import_files)
        self.import_action = shortcut(self, "Ctrl+I", self.import_files, context=window_keys)
        self.cancel_button = button("cancelScan", self.cancel_scan)
        self.cancel_button.setEnabled(False)
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("scanProgress")
        self.progress_bar.setRange(0, 100)
        self.status = label(name="scanStatus", wrap=True)

        self.thumbnails = QListWidget()
        self.thumbnails.setObjectName("thumbnails")
        self.thumbnails.setViewMode(QListView.ViewMode.IconMode)
        self.thumbnails.setIconSize(QSize(THUMB, THUMB))
        self.thumbnails.setMovement(QListView.Movement.Static)
        self.thumbnails.setResizeMode(QListView.ResizeMode.Adjust)
        self.thumbnails.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.thumbnails.itemActivated.connect(lambda _item: self.view_page())

        self.page_buttons, self.page_actions = {}, []
        for key, keys, slot in (
            ("rotate", "Ctrl+R", partial(self.edit_page, "rotate")),
            ("up", "Ctrl+Up", partial(self.edit_page, "move", -1)),
            ("down", "Ctrl+Down", partial(self.edit_page, "move", 1)),
            ("delete", "Delete", partial(self.edit_page, "delete")),
            ("rescan", "Ctrl+F9", self.rescan_page),
            ("view", "Ctrl+Return", self.view_page),
        ):
            self.page_actions.append(shortcut(self, keys, slot))
            self.page_buttons[key] = button(f"page_{key}", self.page_actions[-1].trigger)
        self.thumbnails.installEventFilter(self)

        self.form_labels = [QLabel() for _ in range(5)]
        self.form = QFormLayout()
        for text, field in zip(self.form_labels, (self.device, self.source, self.profile, self.dpi, self.line)):
            text.setBuddy(field)
            self.form.addRow(
                text, add(QHBoxLayout(), (field, 1), self.refresh_button) if field is self.device else field
            )
        self.form.addRow(self.drop_blank)
        add(
            QVBoxLayout(self),
            self.form,
            add(QHBoxLayout(), self.scan_button, self.import_button, self.cancel_button),
            self.progress_bar,
            self.status,
            (self.thumbnails, 1),
            add(QHBoxLayout(), *self.page_buttons.values()),
        )

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
        labels = (self.tr("&Scanner"), self.tr("S&ource"), self.tr("&Profile"), self.tr("&Resolution"))
        for widget, text in zip(self.form_labels, (*labels, self.tr("&File under"))):
            widget.setText(text)
        self.refresh_button.setText(self.tr("Refresh"))
        self.drop_blank.setText(self.tr("Drop blank pages"))
        self.scan_button.setText(self.tr("Scan (F9)"))
        self.scan_action.setText(self.tr("Scan into the focused line"))
        self.import_button.setText(self.tr("Import files… (Ctrl+I)"))
        self.import_action.setText(self.tr("Import PDF or image files into the focused line"))
        self.cancel_button.setText(self.tr("Cancel"))
        texts = (self.tr("Rotate"), self.tr("Move up"), self.tr("Move down"), self.tr("Delete page"))
        for page_button, text in zip(self.page_buttons.values(), (*texts, self.tr("Rescan page"), self.tr("View"))):
            page_button.setText(text)
        self._fill_choices()

    def _fill_choices(self) -> None:
        caps = self.caps
        sources = [s.value for s in (caps.sources if caps else ScanSource)]
        _refill(self.source, scan_desk.choices(scan_desk.SOURCES, sources), self.source.currentData())
        _refill(self.profile, scan_desk.choices(scan_desk.PROFILES), self.profile.currentData())
        resolutions = caps.resolutions if caps else (200,)
        keep = self.dpi.currentData() or (200 if 200 in resolutions else None)
        _refill(self.dpi, [(f"{d} dpi", d) for d in resolutions], keep)

    # -- devices ------------------------------------------------------------------------------
    def refresh_devices(self) -> None:
        """Build the backend (the first time) and list its devices off the GUI thread (SANE may probe the
        USB bus for a while)."""
        if self.backend is None and not self._from_settings:
            self._no_scanner(None)
            return
        backend, devices = self.backend, self.ctx.devices

        def work(_report: object, _cancel: object) -> tuple[ScannerBackend, list[DeviceInfo]]:
            chosen = backend if backend is not None else devices.scanner()
            return chosen, chosen.list_devices()

        BackgroundOp(work, self._devices_listed, self._no_scanner, owner=self, thread_name="scan-devices").start()

    def _no_scanner(self, exc: BaseException | None) -> None:
        """No backend (none configured, or e.g. the SANE library missing: say why, keep working)."""
        self._set_status(error_text(exc) if exc is not None else self.tr("No scanner configured"))
        self.scan_button.setEnabled(False)

    def _devices_listed(self, result: tuple[ScannerBackend, list[DeviceInfo]]) -> None:
        self.backend, devices = result
        _refill(self.device, [(info.label, info.id) for info in devices], self.device.currentData())
        if not devices:
            self._set_status(self.tr("No scanner found"))
        self._device_chosen()

    def _device_chosen(self) -> None:
        """Open the chosen device and read its capabilities off the GUI thread (the one open before is
        closed there too)."""
        device_id, old = self.device.currentData(), self.scanner
        if old is not None and old.info.id == device_id:
            return
        self.scanner = self.caps = None
        self._update_enabled()
        backend = self.backend
        if device_id is None or backend is None:
            if old is not None:
                old.close()
            return

        def work(_report: object, _cancel: object) -> tuple[Scanner, Any]:
            if old is not None:
                old.close()
            scanner = backend.open(device_id)
            return scanner, scanner.capabilities()

        BackgroundOp(work, self._opened, self._show_error, owner=self, thread_name="scan-open").start()

    def _opened(self, result: tuple[Scanner, Any]) -> None:
        scanner, caps = result
        if scanner.info.id != self.device.currentData() or self.scanner is not None:  # chosen again meanwhile
            threading.Thread(target=scanner.close, name="scan-close", daemon=True).start()
            return
        self.scanner, self.caps = scanner, caps
        self._fill_choices()
        self._set_status(self.tr("Ready: %1").replace("%1", scanner.info.label))
        self._update_enabled()

    # -- case, line and pages -----------------------------------------------------------------------
    def set_case(self, case_id: str | None) -> None:
        if case_id != self.case_id:
            if self.job is None:  # "已扫描 N 页" was about the previous case: a clean panel
                self.status.clear()
                self.progress_bar.setValue(0)
            self.thumbnails.clear()  # the previous applicant's pages go at once
            self.line.clear()
        self.case_id = case_id
        self.refresh()

    def _case_changed(self, case_id: str) -> None:
        if case_id == self.case_id and self.job is None:
            self.refresh(pages=False)  # counts only: keep the thumbnails and their selection

    def set_target_line(self, code: str) -> None:
        """Scan into the line that has focus in the checklist."""
        if code != self.line_code:
            self.line_code = code
            self.refresh()

    def _line_chosen(self) -> None:
        if self.line.currentData() is not None:  # None: the list is being emptied
            self.set_target_line(self.line.currentData())

    def refresh(self, pages: bool = True, change: Callable[[], int] | None = None) -> None:
        """Read the lines (and the chosen line's pages, decoded to thumbnails) off the GUI thread, after
        ``change`` (a page action returning the row to select) in the same call; see the module
        docstring. ``pages=False`` keeps the thumbnails shown (unless a read that shows them is due)."""
        self._need_pages |= pages
        self._reads += 1
        number, images = self._reads, self._need_pages
        if self.case_id is None:
            self._show(number, (-1, scan_desk.DeskPages([], None, []), []))
            return
        cases, service, actor, case_id, line = self.ctx.cases, self.pages, self.actor, self.case_id, self.line_code
        row = self.thumbnails.currentRow()

        def work(_report: object, _cancel: object) -> tuple[int, scan_desk.DeskPages, list[QImage]]:
            selected = change() if change is not None else row
            desk = scan_desk.read_desk(cases, service, actor, case_id, line, images=images)
            return selected, desk, [decoded(data, page.rotation) for page, data in desk.pages or ()]

        def done(result: tuple[int, scan_desk.DeskPages, list[QImage]]) -> None:
            self._show(number, result)
            if change is not None:
                self._touch_case()  # after the write: the checklist's counts follow

        def failed(exc: BaseException) -> None:
            self._show_error(exc)  # no access to this case's pages, a damaged image, a refusal
            if number == self._reads:
                self._announce_end()

        title = self.tr("Scanning")
        CoreOp(self, work, done, title=title, on_failure=failed, ordered=True, progress=False).run()

    def _show(self, number: int, result: tuple[int, scan_desk.DeskPages, list[QImage]]) -> None:
        if number != self._reads:  # a later read is on its way
            return
        row, desk, images = result
        self.line_code = desk.line_code
        _refill(self.line, desk.lines, desk.line_code)
        if desk.pages is not None:
            self._need_pages = False
            self.thumbnails.clear()
            for (page, _data), image in zip(desk.pages, images):
                self._add_thumbnail(page.id, scan_desk.caption(page), image)
            self.thumbnails.setCurrentRow(min(row, self.thumbnails.count() - 1))
        self._update_enabled()
        self._announce_end()

    def _add_thumbnail(self, page_id: int, text: str, image: QImage) -> None:
        item = QListWidgetItem(QPixmap.fromImage(image), text)
        item.setData(Qt.ItemDataRole.UserRole, page_id)
        self.thumbnails.addItem(item)

    def _selected_page(self) -> int | None:
        item = self.thumbnails.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    # -- scanning -------------------------------------------------------------------------------
    def options(self) -> ScanOptions:
        preset = Preset(self.profile.currentData() or Preset.AUTO)
        mode = ColourMode.COLOUR if preset is Preset.COLOUR else ColourMode.GRAY
        if self.caps is not None and mode not in self.caps.modes:
            mode = self.caps.modes[0]
        return ScanOptions(
            source=ScanSource(self.source.currentData() or ScanSource.FLATBED),
            dpi=int(self.dpi.currentData() or 200),
            mode=mode,
        )

    def import_files(self, paths: Sequence[str] | None = None) -> None:
        """PDF and image files into the focused line (all pages of a file or none of it; a refused file
        is named in the status line, the others are filed)."""
        if not self._controls().import_files:
            return
        if paths is None:
            paths, _filter = QFileDialog.getOpenFileNames(
                self,
                self.tr("Import files into the line"),
                "",
                self.tr("PDF and images (*.pdf *.png *.jpg *.jpeg *.tif *.tiff)"),
            )
        if paths:
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
        scans, pages, actor = self.ctx.scans, self.pages, self.actor
        ended = self._job_ended = threading.Event()

        def filed(view: Any) -> None:  # the scan thread: a new page's thumbnail is decoded here
            if replace_page is not None:  # the rescanned page is shown when the batch is over
                op.post(None)
            else:
                op.post((view.id, scan_desk.caption(view), decoded(pages.image(actor, view.id)[0], view.rotation)))

        def work(report: Any, cancel: Any) -> ScanOutcome:  # the op's own thread; widgets untouched
            try:
                return scans.run(
                    actor,
                    scanner,
                    options,
                    request,
                    on_filed=filed,
                    on_progress=lambda done, fraction: report(int(min(1.0, fraction) * 100), 100, str(done)),
                    cancel=cancel,
                )
            finally:
                ended.set()

        op = BackgroundOp(
            work,
            lambda outcome: self._batch_over(outcome, scan_desk.outcome_text(outcome)),
            lambda exc: self._batch_over(exc, error_text(exc)),  # unexpected (a bug): the detail is in the log
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

    def _page_filed(self, thumbnail: tuple[int, str, QImage] | None) -> None:
        if thumbnail is not None:
            self._add_thumbnail(*thumbnail)
        self._touch_case()  # the checklist's count, the customer's screen

    def _progress(self, percent: int, _total: int, pages_done: str) -> None:
        self.progress_bar.setValue(percent)
        page = int(pages_done or 0) + (0 if percent >= 100 else 1)
        self.progress_bar.setFormat(self.tr("Page %1: %p%").replace("%1", str(max(1, page))))

    def _batch_over(self, outcome: ScanOutcome | BaseException, text: str) -> None:
        """The batch ended (filed pages stay, whatever happened): say how, then show the line again
        (page counts; the rescanned page) and announce ``scan_finished``."""
        self.job = None
        self._set_status(text)
        if isinstance(outcome, ScanOutcome) and outcome.error is not None:
            log.warning("scan failed: %s", outcome.error)
        elif isinstance(outcome, ScanOutcome) and not outcome.cancelled:
            self.progress_bar.setValue(100)
        self._ended = outcome
        self.refresh(pages=self._rescan)

    def _announce_end(self) -> None:
        if self._ended is not None:
            outcome, self._ended = self._ended, None
            self.scan_finished.emit(outcome)

    # -- page actions -----------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """While the thumbnails have the focus their keys win: the intake page around the panel has its
        own Ctrl+R (Received), and Qt runs neither of two matching shortcuts."""
        if watched is self.thumbnails and isinstance(event, QKeyEvent):
            pressed = QKeySequence(event.keyCombination())
            for action in self.page_actions:
                if action.shortcut().matches(pressed) == QKeySequence.SequenceMatch.ExactMatch:
                    event.accept()  # a ShortcutOverride accepted comes back as a KeyPress
                    if event.type() == QEvent.Type.KeyPress:
                        action.trigger()
                    return event.type() == QEvent.Type.KeyPress
        return super().eventFilter(watched, event)

    def edit_page(self, action: str, step: int = 0) -> None:
        """Rotate, move or delete the selected page (a core write, in order with the others), then show
        the line again with the page (or its place) selected."""
        page_id, row = self._selected_page(), self.thumbnails.currentRow()
        if page_id is None or not self._controls().edit_pages:
            return
        service, actor = self.pages, self.actor
        self.refresh(change=lambda: scan_desk.edit_page(service, actor, page_id, row, action, step))

    def rescan_page(self) -> None:
        page_id = self._selected_page()
        if page_id is not None:
            self.start_scan(replace_page=page_id)

    def view_page(self) -> None:
        """The selected page full size (``self.viewer``), read and decoded off the GUI thread; audited as
        a personal-data view (an ID card scan is one), refused to roles without access."""
        page_id = self._selected_page()
        if page_id is None:
            return
        pages, actor = self.pages, self.actor

        def work(_report: object, _cancel: object) -> QImage:
            data, _mime, rotation = pages.image(actor, page_id, full_view=True)
            return decoded(data, rotation, size=None)

        def show(image: QImage) -> None:
            self.viewer = PreviewDialog(b"", self.tr("Page"), self, images=[image], fit=True)
            self.viewer.show()

        title = self.tr("Page")
        CoreOp(self, work, show, title=title, on_failure=self._show_error, ordered=True, progress=False).run()

    # -- helpers ----------------------------------------------------------------------------------
    def _touch_case(self) -> None:
        current = getattr(self.window_, "current_case", None)
        if current is not None:
            current.touch()

    def _show_error(self, exc: BaseException) -> None:
        self._set_status(error_text(exc))

    def _set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status_changed.emit(text)
        label = getattr(self.window_, "scanner_label", None)
        if label is not None:
            label.setText(self.tr("Scanner: %1").replace("%1", text))

    def _controls(self) -> scan_desk.Controls:
        return scan_desk.controls(
            scanning=self.job is not None, scanner_open=self.scanner is not None, line_chosen=bool(self.line_code)
        )

    def _update_enabled(self) -> None:
        allowed = self._controls()
        self.scan_button.setEnabled(allowed.scan)
        self.import_button.setEnabled(allowed.import_files)
        self.cancel_button.setEnabled(allowed.cancel)
        for key in ("rotate", "up", "down", "delete"):
            self.page_buttons[key].setEnabled(allowed.edit_pages)
        self.page_buttons["rescan"].setEnabled(allowed.rescan)

    def closeEvent(self, event: Any) -> None:
        self.cancel_scan()  # the batch stops after the sheet being read; what it delivered is filed
        if self.job is not None:
            self._job_ended.wait(5)
        if self.scanner is not None:
            self.scanner.close()
        super().closeEvent(event)


def _combo(name: str, chosen: Callable[[], None] | None = None) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    if chosen is not None:
        combo.currentIndexChanged.connect(lambda _index: chosen())
    return combo


def _refill(combo: QComboBox, items: Sequence[tuple[str, Any]], keep: Any = None) -> None:
    """Replace a combo's items, choosing ``keep`` when offered (else the first)."""
    combo.blockSignals(True)
    combo.clear()
    for text, data in items:
        combo.addItem(text, data)
    index = combo.findData(keep) if keep is not None else -1
    combo.setCurrentIndex(index if index >= 0 else (0 if items else -1))
    combo.blockSignals(False)
    if combo.count():
        combo.currentIndexChanged.emit(combo.currentIndex())
