"""The station's devices as the administrator checks them (issue 17, the admin's screens): which card
reader, scanner and printer this station is configured with, the card reader's diagnostics (the same
dialog as Ctrl+Shift+D) and the printer's state, asked off the GUI thread (CUPS may take a moment).
The devices are changed on the settings tab; nothing here builds a backend (the context does)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QVBoxLayout, QWidget

from ui.operations import CoreOp
from ui.widgets.common import ERROR_STYLE, OK_STYLE, Retranslating, add, arg, button, label, shortcut

if TYPE_CHECKING:
    from ui.pages import PageHost


class DevicesPanel(Retranslating, QWidget):
    def __init__(self, host: PageHost) -> None:
        super().__init__()
        self.host = host
        self.ctx = host.ctx
        self.op: CoreOp | None = None
        self.intro = label(wrap=True)
        self.card, self.scanner, self.printer = (
            label(name="deviceCard"),
            label(name="deviceScanner"),
            label(name="devicePrinter"),
        )
        self.printer_state = label(name="printerState", wrap=True)
        self.diagnose_button = button("cardDiagnose", self.diagnose_card)
        self.check_button = button("checkPrinter", self.check_printer)
        self.test_page_button = button("printTestPage", self.print_test_page)
        self.check_action = shortcut(self, "Ctrl+T", self.check_printer)
        self.test_page_action = shortcut(self, "Ctrl+P", self.print_test_page)
        self.card_label, self.scanner_label, self.printer_label = label(), label(), label()
        self.form = QFormLayout()
        self.form.addRow(self.card_label, add(QHBoxLayout(), (self.card, 1), self.diagnose_button))
        self.form.addRow(self.scanner_label, self.scanner)
        self.form.addRow(
            self.printer_label, add(QHBoxLayout(), (self.printer, 1), self.check_button, self.test_page_button)
        )
        self.form.addRow("", self.printer_state)
        add(QVBoxLayout(self), self.intro, self.form, 1)
        self.retranslate()

    def diagnose_card(self) -> None:
        from ui.card_diagnostics import CardDiagnosticsDialog

        self.diagnostics = CardDiagnosticsDialog(self.host.card_service(), self)
        self.diagnostics.show()

    def check_printer(self) -> None:
        self._ask(self.tr("Asking the printer…"), lambda printing: printing.printer_status(), self._show_status)

    def print_test_page(self) -> None:
        actor = self.host.actor
        self._ask(
            self.tr("Printing the test page…"),
            lambda printing: printing.print_test_page(actor),
            lambda _job: self._state(self.tr("The test page was sent to the printer: check the 100 mm ruler.")),
        )

    def _ask(self, waiting: str, work: Callable[[Any], Any], done: Callable[[Any], None]) -> None:
        """One printer request off the GUI thread (one at a time)."""
        printing = self.ctx.printing
        if printing is None:
            self._state(self.tr("Printing is not set up at this station."), error=True)
            return
        if self.op is not None and self.op.busy:
            return
        self._state(waiting)
        self.op = CoreOp(self, lambda _report, _cancel: work(printing), done, title=self.tr("Printer")).run()

    def _show_status(self, status: Any) -> None:
        from printing.errors import PRINTER_REASONS

        if status.ready:
            self._state(self.tr("The printer is ready."))
        else:
            reason = PRINTER_REASONS.get(status.reason, PRINTER_REASONS["other"])[0]
            self._state(arg(self.tr("The printer is not ready: %1"), reason), error=True)

    def _state(self, text: str, *, error: bool = False) -> None:
        self.printer_state.setText(text)
        self.printer_state.setStyleSheet(ERROR_STYLE if error else OK_STYLE)

    def retranslate(self) -> None:
        from ui.main_window import backend_label

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
        self.printer.setText(backend_label(self.ctx.settings.printer_backend) + (f" · {name}" if name else ""))
        self.diagnose_button.setText(self.tr("Diagnostics…"))
        self.check_button.setText(self.tr("Check the printer (Ctrl+T)"))
        self.check_action.setText(self.tr("Check the printer"))
        self.test_page_button.setText(self.tr("Print a test page (Ctrl+P)"))
        self.test_page_action.setText(self.tr("Print a test page"))
