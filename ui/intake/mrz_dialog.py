"""The access key of a passport or travel permit chip (ICAO 9303-11 §4.3 BAC): typed from the data
page, or the whole MRZ read by a keyboard-wedge MRZ reader into the first field."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QWidget

from clerk_app.errors import ClerkAppError

if TYPE_CHECKING:
    from devices.cards.api import MrzKey


class MrzDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Chip access key (MRZ)"))
        self.mrz = QPlainTextEdit()
        self.mrz.setObjectName("mrzLines")
        self.mrz.setFixedHeight(70)
        self.number = QLineEdit()
        self.number.setObjectName("mrzNumber")
        self.birth = QLineEdit()
        self.birth.setObjectName("mrzBirth")
        self.birth.setInputMask("999999")
        self.expiry = QLineEdit()
        self.expiry.setObjectName("mrzExpiry")
        self.expiry.setInputMask("999999")
        self.error = QLabel()
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(QLabel(self.tr("Scan the MRZ, or type the three fields from the data page:")))
        form.addRow(self.tr("MRZ lines"), self.mrz)
        form.addRow(self.tr("Document number"), self.number)
        form.addRow(self.tr("Birth date (YYMMDD)"), self.birth)
        form.addRow(self.tr("Expiry date (YYMMDD)"), self.expiry)
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._key: MrzKey | None = None

    def _accept(self) -> None:
        from devices.cards.mrz import mrz_key, parse_mrz

        try:
            text = self.mrz.toPlainText().strip()
            self._key = (
                parse_mrz(text).bac_key()
                if text
                else mrz_key(self.number.text().strip(), self.birth.text(), self.expiry.text())
            )
        except ClerkAppError as exc:
            self.error.setText(exc.user_message())
            return
        self.accept()

    def key(self) -> MrzKey | None:
        return self._key
