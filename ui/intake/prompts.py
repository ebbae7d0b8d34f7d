"""The questions the intake page asks the clerk (reason, due date, confirmation), behind one small
class so tests can answer them without driving modal dialogs (ScriptedPrompts in tests)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QInputDialog, QMessageBox, QWidget

from ui.intake.decision_dialogs import (
    WAIVE_REASONS,
    ConfirmDocumentDialog,
    CountsDialog,
    DueDateDialog,
    ReasonDialog,
    RejectDialog,
)
from ui.typed_qt import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from devices.cards.api import MrzKey


def _tr(text: str) -> str:
    # The context lupdate gives these strings: "Prompts" (self.parent.tr() was filed under "self.parent"
    # and looked up under the page's class at run time, so the questions stayed in English).
    return QCoreApplication.translate("Prompts", text)


class Prompts:
    def __init__(self, parent: QWidget) -> None:
        self.parent = parent

    def defect_reason(self, material: str) -> str | None:
        d = ReasonDialog(
            _tr(QT_TRANSLATE_NOOP("Prompts", "Defective material")),
            _tr(QT_TRANSLATE_NOOP("Prompts", "What is wrong with “%1”?")).replace("%1", material),
            parent=self.parent,
        )
        return d.value() if d.exec() == QDialog.DialogCode.Accepted else None

    def counts(self, material: str, originals: int, copies: int) -> tuple[int, int] | None:
        d = CountsDialog(material, originals, copies, self.parent)
        return d.value() if d.exec() == QDialog.DialogCode.Accepted else None

    def waive_reason(self, material: str) -> str | None:
        d = ReasonDialog(
            _tr(QT_TRANSLATE_NOOP("Prompts", "Waive an optional material")),
            _tr(QT_TRANSLATE_NOOP("Prompts", "Why is “%1” not needed?")).replace("%1", material),
            WAIVE_REASONS,
            parent=self.parent,
        )
        return d.value() if d.exec() == QDialog.DialogCode.Accepted else None

    def due_date(self, title: str, today: dt.date) -> dt.date | None:
        d = DueDateDialog(
            title, _tr(QT_TRANSLATE_NOOP("Prompts", "By when must the material be brought?")), today, self.parent
        )
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
            self.parent,
            _tr(QT_TRANSLATE_NOOP("Prompts", "Transfer to another window")),
            _tr(QT_TRANSLATE_NOOP("Prompts", "Window number:")),
        )
        return text.strip() if ok and text.strip() else None

    def confirm(self, title: str, text: str) -> bool:
        return ConfirmDocumentDialog(title, text, self.parent).exec() == QDialog.DialogCode.Accepted

    def inform(self, title: str, text: str) -> None:
        QMessageBox.information(self.parent, title, text)

    def error(self, text: str) -> None:
        from ui.operations import show_error  # the one error dialog

        show_error(self.parent, _tr(QT_TRANSLATE_NOOP("Prompts", "Cannot do that")), text)
