"""Printing in the workstation: shows, asks, previews — the core decides what is printed.

What happens to a document is decided by the core's print outbox (clerk_app/wiring/print_service.py,
built by the composition root as ``AppContext.printing``): a decision or handover writes its jobs in
its own transaction, the Qt-free print worker prints them, retries and audits every attempt. What
the window says about it (document names, the printer's line, a job's fate, the queue's messages) is
clerk_app/print_desk.py. This module only:

- shows the printer's state and the waiting count in the status bar, and what became of each job
  (printed; not printed and waiting, with Retry);
- asks: a job the policy says to "ask" about is offered in a small non-modal dialog (ticked, each with
  a preview of the very PDF that will be printed); Print / Don't print answer through
  ``PrintingRuntime.confirm`` / ``decline``;
- previews (pypdfium2 renders the PDF's pages: QtPdf is not part of PySide6 on every platform) and
  offers 补打 (reprint) from the case view and the Print menu (Ctrl+Shift+R), Retry (Ctrl+Shift+P).

No core call runs on the GUI thread: reads through ``BackgroundOp``, writes through ``CoreOp`` (ordered);
the worker's reports arrive on its thread and reach the GUI thread through a ``ui.operations.Relay``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QImage, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QApplication,
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

from clerk_app import print_desk
from clerk_app.wiring.print_service import PrintingRuntime
from devices.imaging.limits import ImageLimits, load_images
from printing.dispatch import JobStatus, PrinterStatus, PrintJob
from printing.model import DocumentKind
from ui.operations import BackgroundOp, CoreOp, Relay, error_text
from ui.widgets.common import ListReader, add, label, shortcut

if TYPE_CHECKING:
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)


class PrintQueuePresenter(QObject):
    """The print queue as one signed-in user sees it at this window: a Qt presenter over the
    ``PrintingRuntime`` the composition root built (``ctx.printing``); it shows, asks and previews and
    builds no service of its own. See the module docstring."""

    def __init__(self, window: MainWindow, runtime: PrintingRuntime) -> None:
        super().__init__(window)
        self.window, self.ctx, self.actor, self.runtime = window, window.ctx, window.actor, runtime
        self.finished_jobs: list[PrintJob] = []
        self.errors: list[str] = []
        self.printer_status = PrinterStatus(runtime.printer is not None, "" if runtime.printer else "none")
        self.ask_dialog: AskPrintDialog | None = None
        self.preview_dialog: PreviewDialog | None = None
        self.reprint_dialog: ReprintDialog | None = None
        self.queued_box: QMessageBox | None = None
        # the printer's state and the waiting count, read off the GUI thread; a failed check is "not ready"
        self._checks = ListReader(
            window, self._checked, lambda e: self._checked((PrinterStatus(False, "error", str(e)), self.waiting))
        )
        self.waiting = 0  # documents waiting, as the last status check counted them
        self._first_check = True
        self._writes = 0  # confirm / decline / reprint / retry still on their way (CoreOp)
        self._asking: set[str] = set()  # case numbers whose print question is being read
        self._ask_next: list[str] = []  # case numbers asked about while another case's question is open
        self._return_to: QWidget | None = None
        self._relay = Relay(window)  # the worker's reports, on the GUI thread (dropped once it is gone)
        self._listener = self._relay.wrap(self._on_job)
        self._closed = False
        runtime.add_listener(self._listener)
        self._timer = QTimer(self)
        self._timer.setInterval(30_000)
        self._timer.timeout.connect(self.check_printer)
        self._timer.start()
        self._show_status()  # the printer's state and the waiting count follow, asked off the GUI thread

    def set_printer(self, printer: Any) -> None:
        """Switch the station's printer (settings change; tests put in a stopped printer)."""
        self.runtime.set_printer(printer)
        self.check_printer()

    def close(self) -> None:
        self._closed = True
        self._timer.stop()
        self.runtime.remove_listener(self._listener)

    @property
    def idle(self) -> bool:
        """Nothing printable is left and every report has been shown."""
        return self.runtime.idle and self._relay.in_transit == 0 and self._writes == 0

    # -- what the worker reports (GUI thread) ---------------------------------------------------
    def _on_job(self, job: PrintJob) -> None:
        if self._closed:  # signed out: the next window shows it
            return
        if job.status is JobStatus.ASKING:
            self._ask(job.case_number)
            return
        self.finished_jobs.append(job)
        if job.status is JobStatus.DONE:
            self.window.statusBar().showMessage(print_desk.printed_text(job.kind.value, job.case_number), 5000)
        else:
            self._offer_retry(job)
        self._show_status()

    def _ask(self, case_number: str) -> None:
        """Offer the documents of ``case_number`` the policy says to ask about (one dialog per case),
        read off the GUI thread. One question at a time: a case asked about while another's question is
        open (documents left waiting from an earlier session, announced at sign-in) comes next."""
        dialog = self.ask_dialog
        if dialog is not None and dialog.isVisible():
            if dialog.case_number != case_number and case_number not in self._ask_next:
                self._ask_next.append(case_number)
            return
        if self._asking:  # a question is being read: this one comes after it
            if case_number not in self._asking and case_number not in self._ask_next:
                self._ask_next.append(case_number)
            return
        self._asking.add(case_number)
        runtime = self.runtime

        def show(jobs: list[PrintJob]) -> None:
            self._asking.discard(case_number)
            asking = [j for j in jobs if j.status is JobStatus.ASKING]
            if asking and not self._closed:
                active = QApplication.activeWindow()
                if self._return_to is None and not isinstance(active, AskPrintDialog):
                    self._return_to = active  # the keyboard goes back there once the questions are answered
                self.ask_dialog = AskPrintDialog(self, asking, self.window)
                self.ask_dialog.finished.connect(self._answered)
                self.ask_dialog.show()
            else:
                self._ask_following()

        def failed(exc: BaseException) -> None:
            self._asking.discard(case_number)
            self._tell(error_text(exc))
            self._ask_following()

        BackgroundOp(lambda _r, _c: runtime.awaiting(case_number), show, failed, owner=self.window).start()

    def _answered(self, *_: object) -> None:
        if not self._ask_next:
            back, self._return_to = self._return_to, None
            if back is not None and shiboken6.isValid(back) and back.isVisible():
                back.activateWindow()  # the window or dialog the clerk was in when the questions came
        self._ask_following()

    def _ask_following(self) -> None:
        if self._ask_next and not self._closed:
            self._ask(self._ask_next.pop(0))

    def answer(self, print_ids: Sequence[str], decline_ids: Sequence[str]) -> None:
        runtime, actor = self.runtime, self.actor

        def work() -> None:
            if print_ids:
                runtime.confirm(actor, print_ids)
            if decline_ids:
                runtime.decline(actor, decline_ids)

        self._run(work)

    def _run(self, work: Callable[[], Any], then: Callable[[Any], None] | None = None, refused: str = "") -> None:
        """A print-queue write (confirm, decline, reprint, retry) off the GUI thread, in order with the
        other core writes (CoreOp); the status bar follows. A failure is said in the status line."""
        self._writes += 1

        def done(result: Any) -> None:
            self._writes -= 1
            if then is not None:
                then(result)
            self._show_status()

        def failed(exc: BaseException) -> None:
            self._writes -= 1
            log.info("print queue: %s", type(exc).__name__)
            self._tell(refused or error_text(exc))
            self._show_status()

        title = self.tr("Printing")
        CoreOp(self.window, lambda _r, _c: work(), done, title=title, on_failure=failed, ordered=True).run()

    # -- entry points ---------------------------------------------------------------------------
    def reprint(self, case_id: str, kind: DocumentKind, then: Callable[[], None] | None = None) -> None:
        """补打 an earlier document of the case (marked with the reprint time, audited as
        ``print.reprint``), off the GUI thread; ``then`` when it is queued. The clerk is told when the
        case cannot produce it."""
        runtime, actor = self.runtime, self.actor
        self._run(
            lambda: runtime.reprint(actor, case_id, kind),
            lambda _job: then() if then is not None else None,
            refused=print_desk.say("cannot_print"),
        )

    def retry_pending(self) -> None:
        """Retry every unfinished job (this and earlier sessions), oldest first, off the GUI thread."""
        self._run(self.runtime.retry_pending)

    def _reprintable(self, case_id: str, then: Callable[[tuple[DocumentKind, ...]], None], owner: QObject) -> None:
        """The documents the case can be reprinted with, read off the GUI thread; a failure is told."""
        runtime, actor = self.runtime, self.actor

        def failed(exc: BaseException) -> None:
            self._tell(error_text(exc))

        BackgroundOp(lambda _r, _c: runtime.reprintable(actor, case_id), then, failed, owner=owner).start()

    # -- menu and buttons -----------------------------------------------------------------------
    def install_menu(self) -> None:
        window = self.window
        self.menu = window.menuBar().addMenu(self.tr("&Print"))
        context = Qt.ShortcutContext.WindowShortcut
        self.retry_action = shortcut(window, "Ctrl+Shift+P", self.retry_pending, context=context)
        self.retry_action.setText(self.tr("Retry waiting documents"))
        self.reprint_action = shortcut(window, "Ctrl+Shift+R", self.open_reprint_dialog, context=context)
        self.reprint_action.setText(self.tr("Reprint for this case…"))
        self.menu.addActions([self.retry_action, self.reprint_action])

    def add_reprint_button(self, dialog: QDialog, case_id: str, buttons: QDialogButtonBox) -> None:
        """ "Reprint…" in the case view, shown once an off-thread read says the case has documents."""
        button = buttons.addButton(self.tr("Reprint…"), QDialogButtonBox.ButtonRole.ActionRole)
        button.setObjectName("reprintButton")
        button.setVisible(False)
        button.clicked.connect(lambda: self.open_reprint_dialog(case_id, dialog))
        self._reprintable(case_id, lambda kinds: button.setVisible(bool(kinds)), dialog)

    # -- dialogs --------------------------------------------------------------------------------
    def preview(
        self,
        pdf: Callable[[], bytes],
        title: str,
        parent: QWidget | None = None,
        on_print: Callable[[], None] | None = None,
    ) -> None:
        """Render the document off the GUI thread, then show it (``self.preview_dialog``)."""

        def show(rendered: Rendered) -> None:
            self.preview_dialog = PreviewDialog.of(rendered, title, parent or self.window, on_print=on_print)
            self.preview_dialog.show()

        self._run(lambda: render_pdf(pdf()), show, refused=print_desk.say("cannot_print"))

    def preview_job(self, job: PrintJob, parent: QWidget | None = None) -> None:
        """The job's own PDF (rendered now if need be: the same bytes are printed)."""
        title = f"{print_desk.kind_label(job.kind.value)} — {job.case_number}"
        self.preview(lambda: self.runtime.preview(self.actor, job.job_id), title, parent)

    def open_reprint_dialog(self, case_id: str | None = None, parent: QWidget | None = None) -> None:
        """补打: the case's documents are read off the GUI thread, then offered (``self.reprint_dialog``)."""
        chosen = case_id or self.window.current_case.case_id
        if chosen is None:
            self._tell(print_desk.say("no_case"))
            return

        def offer(kinds: tuple[DocumentKind, ...]) -> None:
            if not kinds:
                self._tell(print_desk.say("not_decided"))
                return
            self.reprint_dialog = ReprintDialog(self, chosen, kinds, parent or self.window)
            self.reprint_dialog.show()

        self._reprintable(chosen, offer, self.window)

    def _offer_retry(self, job: PrintJob) -> None:
        """Tell the clerk the document is waiting (printer stopped, offline, out of paper) and offer Retry."""
        box = self.queued_box
        if box is None:
            box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Printing"), "", parent=self.window)
            box.setObjectName("printQueuedBox")
            box.setWindowModality(Qt.WindowModality.NonModal)
            self.retry_button = box.addButton(self.tr("Retry"), QMessageBox.ButtonRole.AcceptRole)
            box.addButton(self.tr("Later"), QMessageBox.ButtonRole.RejectRole)
            self.retry_button.clicked.connect(self.retry_pending)
            self.queued_box = box
        # the count is the last check's; the check that follows corrects the status bar
        box.setText(print_desk.queued_text(job.kind.value, job.case_number, job.message, self.waiting))
        box.show()

    def _tell(self, text: str) -> None:
        self.errors.append(text)
        self.window.statusBar().showMessage(text, 10000)

    # -- status bar -----------------------------------------------------------------------------
    def check_printer(self) -> None:
        """Ask the printer for its state and the store for the waiting count, off the GUI thread (CUPS
        may take a moment; the store may be the hall's); when checks overlap only the latest is shown."""
        runtime = self.runtime
        self._checks.read(lambda: (runtime.printer_status(), len(runtime.pending())), self.tr("Printing"))

    def _checked(self, result: tuple[PrinterStatus, int]) -> None:
        self.printer_status, self.waiting = result
        if self._first_check and self.waiting:  # left from an earlier session (printer off, app closed)
            self.window.statusBar().showMessage(print_desk.say("documents_waiting", n=self.waiting), 15000)
        self._first_check = False
        self.update_status_label()

    def _show_status(self) -> None:
        """What is known now at once; the printer's state and the waiting count follow."""
        self.update_status_label()
        self.check_printer()

    def update_status_label(self) -> None:
        line = print_desk.printer_line(
            self.runtime.printer_name or self.ctx.settings.printer_name,
            configured=self.ctx.settings.printer_backend != "none",
            present=self.runtime.printer is not None,
            ready=self.printer_status.ready,
            waiting=self.waiting,
        )
        self.window.printer_label.setText(line.text)
        self.window.printer_label.setToolTip(self.printer_status.detail or self.runtime.printer_error)
        self.window.printer_label.setStyleSheet("color: #b3261e;" if line.alarm else "")


# ----------------------------------------------------------------------------------------------------
# Dialogs


class PreviewDialog(QDialog):
    """Pages as images, scrollable, zoomable (Ctrl++ / Ctrl+- / Ctrl+0 fits the width): a PDF's, rendered
    with pypdfium2, or ``images`` already decoded (a scanned page); optionally a Print button."""

    RENDER_DPI = 150.0  # a PDF is rendered once; 100 % shows it at its size on a 96 dpi screen

    def __init__(
        self,
        pdf: bytes,
        title: str,
        parent: QWidget | None = None,
        *,
        on_print: Callable[[], None] | None = None,
        images: Sequence[QImage] = (),
        fit: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("printPreview")
        self.setWindowTitle(self.tr("Preview: %1").replace("%1", title))
        self.resize(860, 960)
        self.pdf = pdf
        # the app passes the pages rendered off the GUI thread (``render_pdf`` in the op that made the
        # PDF); rendering here is for scripts that have no event loop to wait on
        self.pages = list(images) or self._render_pages(pdf, self.RENDER_DPI)
        self.zoom = 1.0
        self.container = QWidget()
        self.container.setStyleSheet("background: #6b6b6b;")
        self.page_labels = [
            label(name="previewPage", style="background: white; border: 1px solid #999;") for _ in self.pages
        ]
        column = add(QVBoxLayout(self.container), *self.page_labels)
        column.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        column.setSpacing(12)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidget(self.container)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setStyleSheet("QScrollArea { background: #6b6b6b; }")
        self.info = QLabel()
        self.zoom_out = QPushButton(self.tr("Zoom out (Ctrl+-)"))
        self.zoom_out.setShortcut(QKeySequence("Ctrl+-"))  # the dialog's texts are set once: the key stays
        self.zoom_out.clicked.connect(lambda: self.set_zoom(self.zoom * 0.8))
        self.zoom_in = QPushButton(self.tr("Zoom in (Ctrl++)"))
        self.zoom_in.setShortcut(QKeySequence("Ctrl++"))
        self.zoom_in.clicked.connect(lambda: self.set_zoom(self.zoom * 1.25))
        shortcut(self, "Ctrl+=", self.zoom_in.click)
        shortcut(self, "Ctrl+0", self.fit_width)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Close"))
        self.buttons.rejected.connect(self.reject)
        self.print_button: QPushButton | None = None
        if on_print is not None:
            self.print_button = self.buttons.addButton(self.tr("Print"), QDialogButtonBox.ButtonRole.AcceptRole)
            self.print_button.setObjectName("previewPrint")
            self._on_print = on_print
            self.print_button.clicked.connect(self._print)
        bar = add(QHBoxLayout(), (self.info, 1), self.zoom_out, self.zoom_in)
        add(QVBoxLayout(self), bar, (self.scroll_area, 1), self.buttons)
        if fit:  # a scanned page opens fitted to the width, a document at its size
            self.fit_width()
        else:
            self.set_zoom(1.0)

    @classmethod
    def of(
        cls, rendered: Rendered, title: str, parent: QWidget | None, *, on_print: Callable[[], None] | None = None
    ) -> PreviewDialog:
        """The dialog for what ``render_pdf`` made off the GUI thread."""
        pdf, pages = rendered
        return cls(pdf, title, parent, on_print=on_print, images=pages)

    def _print(self) -> None:
        self._on_print()
        self.accept()

    @staticmethod
    def _render_pages(pdf: bytes, dpi: float = 150.0, name: str = "preview.pdf") -> list[QImage]:
        """The pages through devices.imaging, which holds PDFium's lock: PDFium is not thread-safe, and a
        file import may be reading a PDF on the scan thread meanwhile. ``name`` is the file the clerk
        knows, for the message when it cannot be read."""
        pages = load_images(pdf, name, ImageLimits(pdf_dpi=round(dpi)))
        return [QImage(p.tobytes(), p.width, p.height, 3 * p.width, QImage.Format.Format_RGB888).copy() for p in pages]

    def fit_width(self) -> None:
        """The widest page as wide as the dialog less its margins and a scroll bar (known before it is shown)."""
        widest = max((image.width() for image in self.pages), default=1) * 96 / self.RENDER_DPI
        self.set_zoom(max(200, self.width() - 64) / max(1.0, widest))

    def set_zoom(self, zoom: float) -> None:
        self.zoom = max(0.1, min(4.0, zoom))
        for image, page_label in zip(self.pages, self.page_labels):
            width = int(image.width() * self.zoom * 96 / self.RENDER_DPI)
            page_label.setPixmap(
                QPixmap.fromImage(image).scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
            )
        self.info.setText(
            self.tr("%1 page(s) · %2 %").replace("%1", str(len(self.pages))).replace("%2", str(round(self.zoom * 100)))
        )


Rendered = tuple[bytes, list[QImage]]


def render_pdf(pdf: bytes, name: str = "preview.pdf") -> Rendered:
    """A PDF and its pages as images, for ``PreviewDialog.of``: call it in the worker that made the PDF
    (PDFium takes tens of milliseconds a page; QImage, unlike QPixmap, may be made off the GUI thread).
    ``name``: the file as the clerk knows it (said if it cannot be read)."""
    return pdf, PreviewDialog._render_pages(pdf, PreviewDialog.RENDER_DPI, name)


class AskPrintDialog(QDialog):
    """Jobs the policy says to ask about: ticked; Print prints the ticked ones, the rest are declined."""

    def __init__(self, service: PrintQueuePresenter, jobs: Sequence[PrintJob], parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("askPrintDialog")
        self.service = service
        self.jobs = list(jobs)
        self.case_number = self.jobs[0].case_number
        self.setWindowTitle(self.tr("Print documents"))
        layout = add(QVBoxLayout(self), QLabel(self.tr("Also print for case %1:").replace("%1", self.case_number)))
        self.checks: list[QCheckBox] = []
        for job in self.jobs:
            check = QCheckBox(print_desk.kind_label(job.kind.value))
            check.setChecked(True)
            self.checks.append(check)
            preview = QPushButton(self.tr("Preview…"))
            preview.clicked.connect(lambda _=False, j=job: service.preview_job(j, self))
            add(layout, add(QHBoxLayout(), (check, 1), preview))
        self.buttons = QDialogButtonBox()
        self.print_button = self.buttons.addButton(self.tr("Print"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.print_button.setDefault(True)
        self.buttons.addButton(self.tr("Don't print"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def accept(self) -> None:
        ticked = [j.job_id for c, j in zip(self.checks, self.jobs) if c.isChecked()]
        self.service.answer(ticked, [j.job_id for j in self.jobs if j.job_id not in ticked])
        super().accept()

    def reject(self) -> None:
        self.service.answer([], [j.job_id for j in self.jobs])
        super().reject()


class ReprintDialog(QDialog):
    """补打: pick one of the case's documents, preview it or print it again."""

    def __init__(
        self, service: PrintQueuePresenter, case_id: str, kinds: Sequence[DocumentKind], parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reprintDialog")
        self.service, self.case_id = service, case_id
        self.setWindowTitle(self.tr("Reprint (补打)"))
        self.list = QListWidget()
        for kind in kinds:
            item = QListWidgetItem(print_desk.kind_label(kind.value))
            item.setData(Qt.ItemDataRole.UserRole, kind.value)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        note = label(self.tr("The copy is marked 补打 with today's time; the reprint is recorded."), wrap=True)
        self.buttons = QDialogButtonBox()
        self.reprint_button = self.buttons.addButton(self.tr("Reprint"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.preview_button = self.buttons.addButton(self.tr("Preview…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.tr("Close"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.preview_button.clicked.connect(self.preview)
        self.list.itemDoubleClicked.connect(lambda _i: self.accept())
        add(QVBoxLayout(self), self.list, note, self.buttons)

    def kind(self) -> DocumentKind:
        return DocumentKind(self.list.currentItem().data(Qt.ItemDataRole.UserRole))

    def preview(self) -> None:
        kind, runtime, actor = self.kind(), self.service.runtime, self.service.actor
        self.service.preview(
            lambda: runtime.preview_document(actor, self.case_id, kind),
            print_desk.kind_label(kind.value),
            self,
            on_print=lambda: self.service.reprint(self.case_id, kind),
        )

    def accept(self) -> None:
        self.service.reprint(self.case_id, self.kind(), then=lambda: QDialog.accept(self))


# ----------------------------------------------------------------------------------------------------
# Wiring


def attach_printing(window: MainWindow) -> PrintQueuePresenter | None:
    """Show the station's printing in ``window`` and add the Print menu (Retry, Reprint)."""
    runtime = window.ctx.printing
    if runtime is None:
        return None
    presenter = PrintQueuePresenter(window, runtime)  # over ctx.printing (built by the composition root)
    window.printing = presenter  # type: ignore[attr-defined]
    presenter.install_menu()
    window.logged_out.connect(presenter.close)
    listener = presenter._listener
    window.destroyed.connect(lambda *_: runtime.remove_listener(listener))
    return presenter


def add_reprint_button(dialog: QDialog, case_id: str, buttons: QDialogButtonBox) -> None:
    """A "Reprint…" button in the case view, when the window prints and the case was decided."""
    parent = dialog.parentWidget()
    main = parent.window() if parent is not None else None
    service = getattr(main, "printing", None)
    if isinstance(service, PrintQueuePresenter):
        service.add_reprint_button(dialog, case_id, buttons)
