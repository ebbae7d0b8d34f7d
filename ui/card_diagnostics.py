"""Card reader diagnostics for the clerk or the hall's IT support (Ctrl+Shift+D): what the core says
about the reader service (``clerk_app.card_diagnostics``), read off the GUI thread (listing PC/SC
readers can wait on the daemon). Shows no personal data."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QVBoxLayout, QWidget

from clerk_app.card_diagnostics import diagnostics_text
from ui.operations import CoreOp, error_text
from ui.widgets.common import add


class CardDiagnosticsDialog(QDialog):
    def __init__(self, service: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cardDiagnostics")
        self.setWindowTitle(self.tr("Card reader diagnostics"))
        self.resize(640, 420)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.refresh_button = buttons.addButton(self.tr("Refresh"), QDialogButtonBox.ButtonRole.ActionRole)
        self.refresh_button.clicked.connect(self.refresh)
        buttons.rejected.connect(self.reject)
        add(QVBoxLayout(self), self.text, buttons)
        self._service = service
        self.refresh()

    def refresh(self) -> None:
        if self._service is None:
            self.text.setPlainText(self.tr("No card reader is configured"))
            return
        from devices.cards.emrtd import describe_atr

        CoreOp(
            self,
            lambda _report, _cancel: diagnostics_text(self._service, describe_atr),
            self.text.setPlainText,
            title=self.windowTitle(),
            on_failure=lambda exc: self.text.setPlainText(error_text(exc)),
            progress=False,
        ).run()
