"""The station's devices as the administrator checks them (issue 17, the admin's screens): which card
reader, scanner and printer this station is configured with, the card reader's diagnostics (the same
dialog as Ctrl+Shift+D) and the printer's state, asked off the GUI thread (CUPS may take a moment).
The devices are changed on the settings tab; nothing here builds a backend (the context does)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.admin.catalogue_panel import ERROR_STYLE, OK_STYLE
from ui.operations import CoreOp

if TYPE_CHECKING:
    from ui.pages import PageHost


class DevicesPanel(QWidget):
    def __init__(self, host: PageHost) -> None:
        super().__init__()
        self.host = host
        self.ctx = host.ctx
        self.op: CoreOp | None = None
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.card = QLabel()
        self.card.setObjectName("deviceCard")
        self.scanner = QLabel()
        self.scanner.setObjectName("deviceScanner")
        self.printer = QLabel()
        self.printer.setObjectName("devicePrinter")
        self.printer_state = QLabel()
        self.printer_state.setObjectName("printerState")
        self.printer_state.setWordWrap(True)
        self.diagnose_button = QPushButton()
        self.diagnose_button.setObjectName("cardDiagnose")
        self.diagnose_button.clicked.connect(self.diagnose_card)
        self.check_button = QPushButton()
        self.check_button.setObjectName("checkPrinter")
        self.check_button.clicked.connect(self.check_printer)
        self.check_action = QAction(self)
        self.check_action.setShortcut(QKeySequence("Ctrl+T"))
        self.check_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.check_action.triggered.connect(self.check_printer)
        self.addAction(self.check_action)
        self.test_page_button = QPushButton()
        self.test_page_button.setObjectName("printTestPage")
        self.test_page_button.clicked.connect(self.print_test_page)
        self.test_page_action = QAction(self)
        self.test_page_action.setShortcut(QKeySequence("Ctrl+P"))
        self.test_page_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.test_page_action.triggered.connect(self.print_test_page)
        self.addAction(self.test_page_action)
        self.form = QFormLayout()
        card_row = QHBoxLayout()
        card_row.addWidget(self.card, 1)
        card_row.addWidget(self.diagnose_button)
        printer_row = QHBoxLayout()
        printer_row.addWidget(self.printer, 1)
        printer_row.addWidget(self.check_button)
        printer_row.addWidget(self.test_page_button)
        self.card_label, self.scanner_label, self.printer_label = QLabel(), QLabel(), QLabel()
        self.form.addRow(self.card_label, card_row)
        self.form.addRow(self.scanner_label, self.scanner)
        self.form.addRow(self.printer_label, printer_row)
        self.form.addRow("", self.printer_state)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addStretch(1)
        self.retranslate()

    def diagnose_card(self) -> None:
        from ui.card_diagnostics import CardDiagnosticsDialog

        self.diagnostics = CardDiagnosticsDialog(self.host.card_service(), self)
        self.diagnostics.show()

    def check_printer(self) -> None:
        printing = self.ctx.printing
        if printing is None:
            self._state(self.tr("Printing is not set up at this station."), error=True)
            return
        if self.op is not None and self.op.busy:
            return
        self._state(self.tr("Asking the printer…"))
        self.op = CoreOp(
            self, lambda _report, _cancel: printing.printer_status(), self._show_status, title=self.tr("Printer")
        ).run()

    def print_test_page(self) -> None:
        printing = self.ctx.printing
        if printing is None:
            self._state(self.tr("Printing is not set up at this station."), error=True)
            return
        if self.op is not None and self.op.busy:
            return
        actor = self.host.actor
        self._state(self.tr("Printing the test page…"))
        self.op = CoreOp(
            self,
            lambda _report, _cancel: printing.print_test_page(actor),
            lambda _job: self._state(self.tr("The test page was sent to the printer: check the 100 mm ruler.")),
            title=self.tr("Printer"),
        ).run()

    def _show_status(self, status: Any) -> None:
        from printing.errors import PRINTER_REASONS

        if status.ready:
            self._state(self.tr("The printer is ready."))
        else:
            reason = PRINTER_REASONS.get(status.reason, PRINTER_REASONS["other"])[0]
            self._state(self.tr("The printer is not ready: %1").replace("%1", reason), error=True)

    def _state(self, text: str, *, error: bool = False) -> None:
        self.printer_state.setText(text)
        self.printer_state.setStyleSheet(ERROR_STYLE if error else OK_STYLE)

    def retranslate(self) -> None:
        from ui.main_window import backend_label

        s = self.ctx.settings
        self.intro.setText(
            self.tr(
                "The devices this station is configured with. They are changed on the Settings tab and used "
                "after the next start."
            )
        )
        self.card_label.setText(self.tr("Card reader:"))
        self.scanner_label.setText(self.tr("Scanner:"))
        self.printer_label.setText(self.tr("Printer:"))
        self.card.setText(backend_label(self.ctx.devices.card_backend))
        self.scanner.setText(backend_label(self.ctx.devices.scanner_backend))
        name = self.ctx.printing.printer_name if self.ctx.printing is not None else ""
        self.printer.setText(backend_label(s.printer_backend) + (f" · {name}" if name else ""))
        self.diagnose_button.setText(self.tr("Diagnostics…"))
        self.check_button.setText(self.tr("Check the printer (Ctrl+T)"))
        self.check_action.setText(self.tr("Check the printer"))
        self.test_page_button.setText(self.tr("Print a test page (Ctrl+P)"))
        self.test_page_action.setText(self.tr("Print a test page"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
