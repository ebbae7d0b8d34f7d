"""Printing in the workstation (issue 6): documents printed on decision, asked for, previewed,
reprinted (补打) and retried, with the printer's state in the status bar.

- :class:`PrintService` is created once per main window (:func:`attach_printing`), for roles with the
  print permission. It owns the dispatcher (printing.dispatch) over the DB-backed job store
  (printing.db_store: rows in ``print_jobs``, PDFs encrypted in the attachment store) and one
  :class:`~printing.dispatch.PrintWorker` thread, so the GUI thread never waits for a printer.
- On ``CurrentCase.decided`` it asks ``plan_for_decision`` (policy from the settings): ``always``
  documents go straight to the worker; ``ask`` documents are offered in a small non-modal dialog
  (ticked, each with a preview); ``never`` documents are not printed (reprint still can).
- Every attempt (print / reprint / retry) is audited from the dispatcher's event: job id, kind,
  case number, printer, status, reason — never a name or ID number.
- A job the printer could not take stays queued: the clerk is told why and offered Retry (also in the
  Print menu, Ctrl+Shift+P); unfinished jobs from an earlier session are retried the same way.
- Preview renders the very PDF bytes with pypdfium2 into a scrollable dialog (QtPdf is not part of
  PySide6-Essentials/Addons on every platform).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QImage, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clerk_app.attachments import AttachmentStore
from clerk_app.errors import ClerkAppError
from clerk_app.roles import Permission
from clerk_app.security.crypto import FieldCipher
from printing.backends import create_printer
from printing.db_store import DbPrintJobStore
from printing.dispatch import JobStatus, PrintDispatcher, Printer, PrinterStatus, PrintEvent, PrintJob, PrintWorker
from printing.documents import build_pdf
from printing.from_case import NotPrintable, document_context, documents_for_case, print_policy
from printing.model import DocumentContext, DocumentKind
from printing.policy import DOCUMENTS_FOR_DECISION, plan_for_decision
from ui.operations import BackgroundOp
from ui.typed_qt import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)
PRINTED_FOLDER = "printed"  # the pdf-folder printer's output (demo)
PRINT_QUEUE_FOLDER = "print-queue"  # encrypted PDFs of waiting jobs (printing/db_store.py)


# The document names, as the case view's documents tab says them (same words, same translations).
_KIND_LABELS = {
    DocumentKind.RECEIPT: QT_TRANSLATE_NOOP("Printing", "Acceptance receipt"),
    DocumentKind.ONE_TIME_NOTICE: QT_TRANSLATE_NOOP("Printing", "One-time notice"),
    DocumentKind.DEFICIENCY_COMMITMENT: QT_TRANSLATE_NOOP("Printing", "Deficiency commitment"),
    DocumentKind.REJECTION_NOTICE: QT_TRANSLATE_NOOP("Printing", "Rejection notice"),
    DocumentKind.MATERIALS_RECEIVED: QT_TRANSLATE_NOOP("Printing", "Materials received"),
    DocumentKind.DELIVERY_RECEIPT: QT_TRANSLATE_NOOP("Printing", "Delivery receipt"),
}


def _kind_label(kind: DocumentKind) -> str:
    """The document's name in the UI language."""
    return QCoreApplication.translate("Printing", _KIND_LABELS[kind])


class _Bridge(QObject):
    """Worker-thread callbacks → GUI thread (queued connections)."""

    done = Signal(object)
    failed = Signal(object)


class PrintService(QObject):
    """Printing for one signed-in user at this workstation. See the module docstring."""

    job_finished = Signal(object)  # PrintJob, on the GUI thread, after every attempt
    status_changed = Signal()

    def __init__(self, window: MainWindow, *, printer: Printer | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = window.ctx
        self.actor = window.actor
        settings = self.ctx.settings
        data_dir = Path(settings.resolved_data_dir())
        attachments = AttachmentStore(data_dir / PRINT_QUEUE_FOLDER, FieldCipher(self.ctx.keys, "attachments"))
        attachments.cleanup()
        self.store = DbPrintJobStore(self.ctx.sessions, attachments, requested_by=lambda: self.actor.user_id)
        self.printer_error = ""
        self.printer: Printer | None = printer if printer is not None else self._configured_printer(data_dir)
        self.printer_status = PrinterStatus(self.printer is not None, "" if self.printer else "none")
        self.dispatcher = PrintDispatcher(self._lookup, self.store, on_event=self._audit, clock=self.ctx.clock.now)
        self.worker = PrintWorker(self.dispatcher)
        self._bridge = _Bridge()
        self._bridge.done.connect(self._job_done)
        self._bridge.failed.connect(self._job_error)
        self.in_flight = 0
        self.finished_jobs: list[PrintJob] = []
        self.errors: list[str] = []
        self.last_case_id: str | None = None
        self.ask_dialog: AskPrintDialog | None = None
        self.preview_dialog: PreviewDialog | None = None
        self.reprint_dialog: ReprintDialog | None = None
        self.queued_box: QMessageBox | None = None
        self._status_op: BackgroundOp | None = None
        window.current_case.decided.connect(self.on_decided)
        self._timer = QTimer(self)
        self._timer.setInterval(30_000)
        self._timer.timeout.connect(self.check_printer)
        self._timer.start()
        self._show_status()  # the waiting count at once; the printer's own state follows
        self.check_printer()
        waiting = len(self.pending())
        if waiting:  # left from an earlier session (printer was off, the app was closed mid-print)
            window.statusBar().showMessage(self.tr("Documents waiting: %1").replace("%1", str(waiting)), 15000)

    # -- set-up ---------------------------------------------------------------------------------
    def _configured_printer(self, data_dir: Path) -> Printer | None:
        s = self.ctx.settings
        try:
            folder = data_dir / PRINTED_FOLDER
            if s.printer_backend == "pdf-folder":
                folder.mkdir(parents=True, exist_ok=True)
            return create_printer(s.printer_backend, queue=s.printer_name, folder=folder, name=s.printer_name or None)
        except ClerkAppError as exc:
            log.warning("printer not available: %s", exc)
            self.printer_error = exc.user_message()
            return None

    @property
    def printer_name(self) -> str:
        return self.printer.name if self.printer is not None else (self.ctx.settings.printer_name or "—")

    def set_printer(self, printer: Printer | None) -> None:
        """Switch the printer (settings change; tests put in a stopped printer)."""
        self.printer = printer
        self.check_printer()

    def _lookup(self, name: str) -> Printer:
        if self.printer is None or name != self.printer.name:
            raise KeyError(name)
        return self.printer

    def close(self) -> None:
        self._timer.stop()
        self.worker.close(timeout=5)

    # -- audit (worker thread) ------------------------------------------------------------------
    def _audit(self, event: PrintEvent) -> None:
        job = event.job
        self.ctx.auditor.record_now(
            self.actor,
            f"print.{event.action.value}",
            self.store.case_id(job.case_number),
            job=job.job_id,
            kind=job.kind.value,
            case_number=job.case_number,
            printer=job.printer,
            status=job.status.value,
            reason=job.reason,
            attempts=job.attempts,
            reprint=job.is_reprint,
        )

    # -- building documents ---------------------------------------------------------------------
    def context(
        self, case_id: str, kind: DocumentKind, *, reprint: bool = False, applicant_name: str | None = None
    ) -> DocumentContext:
        view = self.ctx.cases.get(self.actor, case_id)
        item = self.ctx.catalogue.active().items.get(view.item_code)
        return document_context(
            kind,
            view,
            item,
            self.ctx.settings,
            clerk_staff_no=self.actor.staff_no,
            now=self.ctx.clock.now(),
            applicant_name=applicant_name,
            reprint=reprint,
        )

    def _applicant_name(self, case_id: str) -> str | None:
        """The applicant's full name for the paper (audited as ``pii.use`` with purpose print);
        None (the masked display name is printed) for roles that may not see it."""
        if not self.actor.can(Permission.PII_VIEW_FULL):
            return None
        try:
            data = self.ctx.cases.applicant_data(self.actor, case_id, "print")
        except ClerkAppError as exc:
            log.warning("applicant name for printing: %s", exc)
            return None
        return data.name if data is not None and data.name else None

    def contexts(self, case_id: str, kinds: Sequence[DocumentKind], *, reprint: bool = False) -> list[DocumentContext]:
        name = self._applicant_name(case_id) if kinds else None
        out = []
        for kind in kinds:
            try:
                out.append(self.context(case_id, kind, reprint=reprint, applicant_name=name))
            except NotPrintable as exc:
                log.info("not printed: %s %s", kind.value, exc)
                self.errors.append(f"{kind.value}: {exc}")
        return out

    # -- entry points (GUI thread) --------------------------------------------------------------
    def on_decided(self, case_id: str, decision: str) -> None:
        """``CurrentCase.decided``: print the ``always`` documents, offer the ``ask`` ones."""
        if decision not in DOCUMENTS_FOR_DECISION:
            return
        self.last_case_id = case_id
        try:
            plan = plan_for_decision(decision, print_policy(self.ctx.settings))
            contexts = self.contexts(case_id, plan.print_now + plan.ask)
        except ClerkAppError as exc:
            self._tell(exc.user_message())
            return
        for ctx in contexts:
            if ctx.kind in plan.print_now:
                self.submit(ctx)
        offered = [c for c in contexts if c.kind in plan.ask]
        if offered:
            self.ask_dialog = AskPrintDialog(self, offered, self.window)
            self.ask_dialog.show()

    def submit(self, ctx: DocumentContext) -> None:
        """Print ``ctx`` on the configured printer, in the background."""
        self.in_flight += 1
        self.status_changed.emit()
        self.worker.submit(ctx, self.printer_name, self._bridge.done.emit, self._bridge.failed.emit)
        self._show_status()

    def reprint(self, case_id: str, kind: DocumentKind) -> bool:
        """Print an earlier document of the case again, marked 补打 with the reprint time (audited as
        ``print.reprint``). False (and the clerk told) when the case cannot produce it."""
        contexts = self.contexts(case_id, [kind], reprint=True)
        if not contexts:
            self._tell(self.tr("This document cannot be printed for this case."))
            return False
        self.submit(contexts[0])
        return True

    def retry_pending(self) -> int:
        """Retry every unfinished job (this and earlier sessions), oldest first; returns how many."""
        jobs = self.store.unfinished()
        for job in jobs:
            self.in_flight += 1
            self.worker.retry(job.job_id, self._bridge.done.emit, self._bridge.failed.emit)
        self._show_status()
        return len(jobs)

    def pending(self) -> list[PrintJob]:
        return self.store.unfinished()

    def reprintable(self, case_id: str) -> tuple[DocumentKind, ...]:
        return documents_for_case(self.ctx.cases.get(self.actor, case_id))

    @property
    def idle(self) -> bool:
        return self.in_flight == 0

    # -- menu and buttons -----------------------------------------------------------------------
    def install_menu(self) -> None:
        window = self.window
        self.menu = window.menuBar().addMenu(self.tr("&Print"))
        self.retry_action = QAction(self.tr("Retry waiting documents"), window)
        self.retry_action.setShortcut(QKeySequence("Ctrl+Shift+P"))
        self.retry_action.triggered.connect(self.retry_pending)
        self.reprint_action = QAction(self.tr("Reprint for this case…"), window)
        self.reprint_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.reprint_action.triggered.connect(lambda: self.open_reprint_dialog())
        for action in (self.retry_action, self.reprint_action):
            self.menu.addAction(action)
            window.addAction(action)

    def add_reprint_button(self, dialog: QDialog, case_id: str, buttons: QDialogButtonBox) -> None:
        try:
            kinds = self.reprintable(case_id)
        except ClerkAppError:
            return
        if not kinds:
            return
        button = buttons.addButton(self.tr("Reprint…"), QDialogButtonBox.ButtonRole.ActionRole)
        button.setObjectName("reprintButton")
        button.clicked.connect(lambda: self.open_reprint_dialog(case_id, dialog))

    # -- dialogs --------------------------------------------------------------------------------
    def preview(
        self, ctx: DocumentContext, parent: QWidget | None = None, on_print: Callable[[], None] | None = None
    ) -> PreviewDialog:
        self.preview_dialog = PreviewDialog(
            build_pdf(ctx), f"{_kind_label(ctx.kind)} — {ctx.case_number}", parent or self.window, on_print=on_print
        )
        self.preview_dialog.show()
        return self.preview_dialog

    def open_reprint_dialog(self, case_id: str | None = None, parent: QWidget | None = None) -> ReprintDialog | None:
        case_id = case_id or self.window.current_case.case_id or self.last_case_id
        if case_id is None:
            self._tell(self.tr("No decided case on the desk."))
            return None
        kinds = self.reprintable(case_id)
        if not kinds:
            self._tell(self.tr("The case has no printed documents yet (it is not decided)."))
            return None
        self.reprint_dialog = ReprintDialog(self, case_id, kinds, parent or self.window)
        self.reprint_dialog.show()
        return self.reprint_dialog

    # -- results (GUI thread) -------------------------------------------------------------------
    def _job_done(self, job: PrintJob) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        self.finished_jobs.append(job)
        self.job_finished.emit(job)
        label = _kind_label(job.kind)
        if job.status is JobStatus.DONE:
            self.window.statusBar().showMessage(
                self.tr("Printed: %1 (%2)").replace("%1", label).replace("%2", job.case_number), 5000
            )
        else:
            self._offer_retry(job)
        self._show_status()
        self.check_printer()

    def _job_error(self, exc: BaseException) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        text = exc.user_message() if isinstance(exc, ClerkAppError) else self.tr("The document could not be printed.")
        log.error("print failed: %s: %s", type(exc).__name__, exc)
        self.errors.append(str(exc))
        self._tell(text)
        self.check_printer()

    def _offer_retry(self, job: PrintJob) -> None:
        """Tell the clerk the document is waiting (printer stopped, offline, out of paper) and offer Retry."""
        count = len(self.pending())
        text = (
            self.tr("%1 for case %2 was not printed and is waiting.")
            .replace("%1", _kind_label(job.kind))
            .replace("%2", job.case_number)
            + "\n"
            + (job.message or "")
            + "\n"
            + self.tr("Documents waiting: %1").replace("%1", str(count))
        )
        box = self.queued_box
        if box is None:
            box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Printing"), "", parent=self.window)
            box.setObjectName("printQueuedBox")
            box.setWindowModality(Qt.WindowModality.NonModal)
            self.retry_button = box.addButton(self.tr("Retry"), QMessageBox.ButtonRole.AcceptRole)
            box.addButton(self.tr("Later"), QMessageBox.ButtonRole.RejectRole)
            self.retry_button.clicked.connect(self.retry_pending)
            self.queued_box = box
        box.setText(text)
        box.show()

    def _tell(self, text: str) -> None:
        self.errors.append(text)
        self.window.statusBar().showMessage(text, 10000)

    # -- status bar -----------------------------------------------------------------------------
    def check_printer(self) -> None:
        """Ask the printer for its state off the GUI thread (CUPS may take a moment)."""
        printer = self.printer
        if printer is None:
            self.printer_status = PrinterStatus(False, "none", self.printer_error)
            self._show_status()
            return
        if self._status_op is not None:
            return

        def work(_report: Any, _cancel: threading.Event) -> PrinterStatus:
            return printer.status()

        def done(status: PrinterStatus) -> None:
            self._status_op = None
            self.printer_status = status
            self._show_status()

        def failed(exc: BaseException) -> None:
            self._status_op = None
            self.printer_status = PrinterStatus(False, "error", str(exc))
            self._show_status()

        self._status_op = BackgroundOp(work, done, failed, owner=self.window).start()

    def _show_status(self) -> None:
        self.update_status_label()
        self.status_changed.emit()

    def update_status_label(self) -> None:
        if self.printer is None:
            state = self.tr("not configured") if self.ctx.settings.printer_backend == "none" else self.tr("unavailable")
        elif self.printer_status.ready:
            state = self.tr("ready")
        else:
            state = self.tr("not ready")
        waiting = len(self.pending())
        text = self.tr("Printer: %1 · %2").replace("%1", self.printer_name).replace("%2", state)
        if waiting:
            text += " · " + self.tr("%1 waiting").replace("%1", str(waiting))
        label = self.window.printer_label
        label.setText(text)
        label.setToolTip(self.printer_status.detail or self.printer_error)
        label.setStyleSheet("" if (self.printer_status.ready and not waiting) else "color: #b3261e;")


# ----------------------------------------------------------------------------------------------------
# Dialogs


class PreviewDialog(QDialog):
    """The PDF's pages as images (pypdfium2), scrollable, zoomable; optionally a Print button."""

    ZOOMS = (0.6, 0.8, 1.0, 1.25, 1.5, 2.0)
    RENDER_DPI = 150.0  # rendered once; 100 % shows the page at its size on a 96 dpi screen

    def __init__(
        self, pdf: bytes, title: str, parent: QWidget | None = None, *, on_print: Callable[[], None] | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("printPreview")
        self.setWindowTitle(self.tr("Preview: %1").replace("%1", title))
        self.resize(860, 960)
        self.pdf = pdf
        self._zoom = 2  # index into ZOOMS: 100 %
        self.pages = self._render_pages(pdf, self.RENDER_DPI)
        self.container = QWidget()
        self.column = QVBoxLayout(self.container)
        self.column.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.column.setSpacing(12)
        self.page_labels: list[QLabel] = []
        for _ in self.pages:
            label = QLabel()
            label.setObjectName("previewPage")
            label.setStyleSheet("background: white; border: 1px solid #999;")
            self.page_labels.append(label)
            self.column.addWidget(label)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidget(self.container)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setStyleSheet("QScrollArea { background: #6b6b6b; }")
        self.container.setStyleSheet("background: #6b6b6b;")
        self.info = QLabel()
        self.zoom_out = QPushButton(self.tr("Zoom out (Ctrl+-)"))
        self.zoom_out.setShortcut(QKeySequence("Ctrl+-"))
        self.zoom_out.clicked.connect(lambda: self.set_zoom(self._zoom - 1))
        self.zoom_in = QPushButton(self.tr("Zoom in (Ctrl++)"))
        self.zoom_in.setShortcut(QKeySequence("Ctrl++"))
        self.zoom_in.clicked.connect(lambda: self.set_zoom(self._zoom + 1))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Close"))
        self.buttons.rejected.connect(self.reject)
        self.print_button: QPushButton | None = None
        if on_print is not None:
            self.print_button = self.buttons.addButton(self.tr("Print"), QDialogButtonBox.ButtonRole.AcceptRole)
            self.print_button.setObjectName("previewPrint")
            self._on_print = on_print
            self.print_button.clicked.connect(self._print)
        bar = QHBoxLayout()
        bar.addWidget(self.info, 1)
        bar.addWidget(self.zoom_out)
        bar.addWidget(self.zoom_in)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.buttons)
        self.set_zoom(self._zoom)

    def _print(self) -> None:
        self._on_print()
        self.accept()

    @staticmethod
    def _render_pages(pdf: bytes, dpi: float = 150.0) -> list[QImage]:
        import pypdfium2 as pdfium

        doc = pdfium.PdfDocument(pdf)
        try:
            images = []
            for i in range(len(doc)):
                page = doc[i]
                bitmap = page.render(scale=dpi / 72.0)
                pil = bitmap.to_pil().convert("RGB")
                data = pil.tobytes()
                images.append(QImage(data, pil.width, pil.height, 3 * pil.width, QImage.Format.Format_RGB888).copy())
                bitmap.close()
                page.close()
            return images
        finally:
            doc.close()

    def set_zoom(self, index: int) -> None:
        self._zoom = min(max(index, 0), len(self.ZOOMS) - 1)
        factor = self.ZOOMS[self._zoom]
        for image, label in zip(self.pages, self.page_labels):
            label.setPixmap(
                QPixmap.fromImage(image).scaledToWidth(
                    int(image.width() * factor * 96 / self.RENDER_DPI), Qt.TransformationMode.SmoothTransformation
                )
            )
        self.info.setText(
            self.tr("%1 page(s) · %2 %").replace("%1", str(len(self.pages))).replace("%2", str(int(factor * 100)))
        )


class AskPrintDialog(QDialog):
    """Documents the policy says to ask about: ticked; Print prints the ticked ones."""

    def __init__(self, service: PrintService, contexts: Sequence[DocumentContext], parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("askPrintDialog")
        self.service = service
        self.contexts = list(contexts)
        self.setWindowTitle(self.tr("Print documents"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Also print for case %1:").replace("%1", self.contexts[0].case_number)))
        self.checks: list[QCheckBox] = []
        for ctx in self.contexts:
            row = QHBoxLayout()
            check = QCheckBox(_kind_label(ctx.kind))
            check.setChecked(True)
            self.checks.append(check)
            preview = QPushButton(self.tr("Preview…"))
            preview.clicked.connect(lambda _=False, c=ctx: service.preview(c, self))
            row.addWidget(check, 1)
            row.addWidget(preview)
            layout.addLayout(row)
        self.buttons = QDialogButtonBox()
        self.print_button = self.buttons.addButton(self.tr("Print"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.print_button.setDefault(True)
        self.buttons.addButton(self.tr("Don't print"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def accept(self) -> None:
        for check, ctx in zip(self.checks, self.contexts):
            if check.isChecked():
                self.service.submit(ctx)
        super().accept()


class ReprintDialog(QDialog):
    """补打: pick one of the case's documents, preview it or print it again."""

    def __init__(
        self, service: PrintService, case_id: str, kinds: Sequence[DocumentKind], parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reprintDialog")
        self.service, self.case_id = service, case_id
        self.setWindowTitle(self.tr("Reprint (补打)"))
        self.list = QListWidget()
        for kind in kinds:
            item = QListWidgetItem(_kind_label(kind))
            item.setData(Qt.ItemDataRole.UserRole, kind.value)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        note = QLabel(self.tr("The copy is marked 补打 with today's time; the reprint is recorded."))
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.reprint_button = self.buttons.addButton(self.tr("Reprint"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.preview_button = self.buttons.addButton(self.tr("Preview…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.tr("Close"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.preview_button.clicked.connect(self.preview)
        self.list.itemDoubleClicked.connect(lambda _i: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addWidget(note)
        layout.addWidget(self.buttons)

    def kind(self) -> DocumentKind:
        item = self.list.currentItem()
        return DocumentKind(item.data(Qt.ItemDataRole.UserRole))

    def preview(self) -> None:
        contexts = self.service.contexts(self.case_id, [self.kind()], reprint=True)
        if contexts:
            self.service.preview(
                contexts[0],
                self,
                on_print=lambda: self.service.submit(replace(contexts[0], printed_at=self.service.ctx.clock.now())),
            )

    def accept(self) -> None:
        if self.service.reprint(self.case_id, self.kind()):
            super().accept()


# ----------------------------------------------------------------------------------------------------
# Wiring


def attach_printing(window: MainWindow, *, printer: Printer | None = None) -> PrintService:
    """Create the print service for ``window`` and add the Print menu (Retry, Reprint)."""
    service = PrintService(window, printer=printer)
    window.printing = service  # type: ignore[attr-defined]
    service.install_menu()
    window.logged_out.connect(service.close)
    window.destroyed.connect(lambda *_: service.worker.close(timeout=1))
    return service


def add_reprint_button(dialog: QDialog, case_id: str, buttons: QDialogButtonBox) -> None:
    """A "Reprint…" button in the case view, when the window prints and the case was decided."""
    parent = dialog.parentWidget()
    main = parent.window() if parent is not None else None
    service = getattr(main, "printing", None)
    if isinstance(service, PrintService):
        service.add_reprint_button(dialog, case_id, buttons)
