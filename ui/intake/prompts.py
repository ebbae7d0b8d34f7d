"""The questions the intake page asks the clerk (reason, due date, confirmation), behind one small
class so tests can answer them without driving modal dialogs (ScriptedPrompts in tests)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QInputDialog, QMessageBox, QWidget

from ui.intake.decision_dialogs import ConfirmDocumentDialog, DueDateDialog, ReasonDialog, RejectDialog

if TYPE_CHECKING:
    from devices.cards.api import MrzKey


class Prompts:
    def __init__(self, parent: QWidget) -> None:
        self.parent = parent

    def defect_reason(self, material: str) -> str | None:
        d = ReasonDialog(
            self.parent.tr("Defective material"),
            self.parent.tr("What is wrong with “%1”?").replace("%1", material),
            parent=self.parent,
        )
        return d.value() if d.exec() == QDialog.DialogCode.Accepted else None

    def due_date(self, title: str, today: dt.date) -> dt.date | None:
        d = DueDateDialog(title, self.parent.tr("By when must the material be brought?"), today, self.parent)
        return d.value() if d.exec() == QDialog.DialogCode.Accepted else None

    def reject(self, legal_basis: str) -> tuple[str, str] | None:
        d = RejectDialog(legal_basis, self.parent)
        if d.exec() != QDialog.DialogCode.Accepted:
            return None
        return d.reason.toPlainText().strip(), d.basis.text().strip()

    def mrz_key(self) -> MrzKey | None:
        """Document number, birth date and expiry for BAC (typed, or an MRZ from a wedge reader)."""
        from ui.intake.mrz_dialog import MrzDialog

        d = MrzDialog(self.parent)
        return d.key() if d.exec() == QDialog.DialogCode.Accepted else None

    def window_no(self) -> str | None:
        """The window a queue ticket is transferred to (转窗口)."""
        text, ok = QInputDialog.getText(
            self.parent, self.parent.tr("Transfer to another window"), self.parent.tr("Window number:")
        )
        return text.strip() if ok and text.strip() else None

    def confirm(self, title: str, text: str) -> bool:
        return ConfirmDocumentDialog(title, text, self.parent).exec() == QDialog.DialogCode.Accepted

    def inform(self, title: str, text: str) -> None:
        QMessageBox.information(self.parent, title, text)

    def error(self, text: str) -> None:
        QMessageBox.warning(self.parent, self.parent.tr("Cannot do that"), text)
