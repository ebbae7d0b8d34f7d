"""The questions the intake page asks the clerk (a defect or waiver reason, the counts handed in, a
due date, a rejection's reason and legal basis, a chip's access key, a window number, the decision's
confirmation with the text of the document it produces), behind one small class so tests can answer
them without driving modal dialogs (ScriptedPrompts in testsupport/ui.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QObject
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QInputDialog,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from clerk_app.errors import ClerkAppError
from clerk_app.intake_desk import DEFECT_REASONS, WAIVE_REASONS
from ui.operations import show_error
from ui.typed_qt import to_date
from ui.widgets.common import ERROR_TEXT_STYLE, date_edit, label, line_edit

if TYPE_CHECKING:
    from devices.cards.api import MrzKey

Row = QWidget | tuple[str, QWidget]  # a widget across the form, or a labelled field
Check = Callable[[], bool]


def question(parent: QWidget | None, title: str, *rows: Row, ok_when: Check | None = None) -> QDialog:
    """A dialog of form rows with OK and Cancel; OK closes it only when ``ok_when()`` holds."""
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    form = QFormLayout(dialog)
    for row in rows:
        form.addRow(*row) if isinstance(row, tuple) else form.addRow(row)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(lambda: dialog.accept() if ok_when is None or ok_when() else None)
    buttons.rejected.connect(dialog.reject)
    form.addRow(buttons)
    return dialog


def document_view(text: str) -> QPlainTextEdit:
    """The text of the document a decision will produce, shown for confirmation before it is committed."""
    view = QPlainTextEdit(text)
    view.setObjectName("documentPreview")
    view.setReadOnly(True)
    view.setMinimumSize(540, 360)
    return view


class Prompts(QObject):
    def __init__(self, page: QWidget) -> None:
        super().__init__(page)
        self.page = page

    def _ask(self, title: str, *rows: Row, ok_when: Check | None = None, focus: QWidget | None = None) -> bool:
        dialog = question(self.page, title, *rows, ok_when=ok_when)
        if focus is not None:
            focus.setFocus()
        asked = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()  # the caller reads its fields first
        return asked

    def _reason(self, title: str, prompt: str, choices: tuple[str, ...]) -> str | None:
        """A reason chosen from a list or typed."""
        reason = QComboBox()
        reason.setObjectName("reasonChoice")
        reason.setEditable(True)
        reason.addItems(list(choices))
        reason.setCurrentText("")
        if not self._ask(title, label(prompt), reason, ok_when=lambda: bool(reason.currentText().strip())):
            return None
        return reason.currentText().strip()

    def defect_reason(self, material: str) -> str | None:
        prompt = self.tr("What is wrong with “%1”?").replace("%1", material)
        return self._reason(self.tr("Defective material"), prompt, DEFECT_REASONS)

    def waive_reason(self, material: str) -> str | None:
        prompt = self.tr("Why is “%1” not needed?").replace("%1", material)
        return self._reason(self.tr("Waive an optional material"), prompt, WAIVE_REASONS)

    def counts(self, material: str, originals: int, copies: int) -> tuple[int, int] | None:
        """份数: how many originals and copies were handed in (fewer than required is 份数不足, said on
        the one-time notice). Starts at what is required; Enter accepts."""
        boxes = []
        for name, required in (("originalsReceived", originals), ("copiesReceived", copies)):
            box = QSpinBox()
            box.setObjectName(name)
            box.setRange(0, 99)
            box.setValue(required)
            box.setSuffix(self.tr(" of %1").replace("%1", str(required)))
            boxes.append(box)
        rows = (label(material), (self.tr("Originals received"), boxes[0]), (self.tr("Copies received"), boxes[1]))
        if not self._ask(self.tr("Counts received"), *rows, focus=boxes[0] if originals else boxes[1]):
            return None
        return boxes[0].value(), boxes[1].value()

    def due_date(self, title: str, today: dt.date) -> dt.date | None:
        date = date_edit("dueDate", today + dt.timedelta(days=10))
        date.setMinimumDate(QDate(today.year, today.month, today.day).addDays(1))
        if not self._ask(title, label(self.tr("By when must the material be brought?")), date):
            return None
        return to_date(date.date())

    def reject(self, legal_basis: str) -> tuple[str, str] | None:
        reason = QPlainTextEdit()
        reason.setObjectName("rejectReason")
        basis = line_edit("rejectBasis")
        basis.setText(legal_basis)
        rows = ((self.tr("Reason"), reason), (self.tr("Legal basis"), basis))
        if not self._ask(self.tr("Reject (不予受理)"), *rows, ok_when=lambda: bool(reason.toPlainText().strip())):
            return None
        return reason.toPlainText().strip(), basis.text().strip()

    def mrz_key(self) -> MrzKey | None:
        """The access key of a passport or travel permit chip (ICAO 9303-11 §4.3 BAC): typed from the
        data page, or the whole MRZ read by a keyboard-wedge MRZ reader into the first field."""
        from devices.cards.mrz import mrz_key, parse_mrz

        mrz = QPlainTextEdit()
        mrz.setObjectName("mrzLines")
        mrz.setFixedHeight(70)
        number, birth, expiry = line_edit("mrzNumber"), line_edit("mrzBirth"), line_edit("mrzExpiry")
        for field in (birth, expiry):
            field.setInputMask("999999")
        error = label(style=ERROR_TEXT_STYLE, wrap=True)
        key: list[MrzKey] = []

        def parsed() -> bool:
            text, typed = mrz.toPlainText().strip(), (number.text().strip(), birth.text(), expiry.text())
            try:
                key[:] = [parse_mrz(text).bac_key() if text else mrz_key(*typed)]
            except ClerkAppError as exc:
                error.setText(exc.user_message())
            return bool(key)

        rows: tuple[Row, ...] = (
            label(self.tr("Scan the MRZ, or type the three fields from the data page:")),
            (self.tr("MRZ lines"), mrz),
            (self.tr("Document number"), number),
            (self.tr("Birth date (YYMMDD)"), birth),
            (self.tr("Expiry date (YYMMDD)"), expiry),
            error,
        )
        return key[0] if self._ask(self.tr("Chip access key (MRZ)"), *rows, ok_when=parsed) else None

    def window_no(self) -> str | None:
        """The window a queue ticket is transferred to (转窗口)."""
        text, ok = QInputDialog.getText(self.page, self.tr("Transfer to another window"), self.tr("Window number:"))
        return text.strip() if ok and text.strip() else None

    def confirm(self, title: str, text: str) -> bool:
        return self._ask(title, document_view(text))

    def inform(self, title: str, text: str) -> None:
        QMessageBox.information(self.page, title, text)

    def error(self, text: str) -> None:
        show_error(self.page, self.tr("Cannot do that"), text)  # the one error dialog
