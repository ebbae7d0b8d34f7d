"""人证比对 beside the applicant's data: after a chip read the chip photo is shown large with the full
name and number (an audited full view, clerk_app/identity_check.py), and one key records "the person
matches the document" (F10) or "does not match" (Shift+F10). Pre-review staff never get this panel;
the customer screen never shows the photo."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QVBoxLayout, QWidget

from clerk_app.identity_check import MATCH, ComparisonView
from clerk_app.intake_desk import identity_outcome
from ui.widgets.common import Retranslating, add, button, label

PHOTO_HEIGHT = 240
OUTCOME_STYLES = {
    "ask": "color: #5f6368;",
    "match": "color: #1e6b34; font-weight: bold;",
    "mismatch": "color: #b3261e; font-weight: bold;",
}


class IdentityCheckPanel(Retranslating, QGroupBox):
    decided = Signal(bool)  # True: the person matches the document

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("identityCheck")
        self.photo = label(name="chipPhoto", style="background: #eef2f7; border: 1px solid #c5ccd6;")
        self.photo.setFixedSize(PHOTO_HEIGHT * 3 // 4, PHOTO_HEIGHT)
        self.photo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.name = label(name="fullName", style="font-size: 22px; font-weight: bold;")
        self.number = label(name="fullNumber", style="font-size: 18px; font-family: monospace;")
        self.outcome = label(name="identityOutcome")
        self.match_button = button("identityMatch", lambda: self.decided.emit(True))
        self.mismatch_button = button("identityMismatch", lambda: self.decided.emit(False))
        buttons = add(QHBoxLayout(), self.match_button, self.mismatch_button)
        add(QHBoxLayout(self), self.photo, (add(QVBoxLayout(), self.name, self.number, self.outcome, None, buttons), 1))
        self.view: ComparisonView | None = None
        self.retranslate()
        self.hide()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Compare the person with the document (人证比对)"))
        self.match_button.setText(self.tr("Person matches (F10)"))
        self.mismatch_button.setText(self.tr("Does not match (Shift+F10)"))
        self._show_outcome()

    def show_view(self, view: ComparisonView) -> None:
        self.view = view
        pixmap = QPixmap()
        if view.photo and pixmap.loadFromData(view.photo):
            mode = Qt.TransformationMode.SmoothTransformation
            self.photo.setPixmap(pixmap.scaled(self.photo.size(), Qt.AspectRatioMode.KeepAspectRatio, mode))
        else:
            self.photo.setPixmap(QPixmap())
            self.photo.setText(self.tr("No chip photo\n(not decodable)"))
        self.name.setText(view.name)
        self.number.setText(view.document_number)
        self._show_outcome()
        self.show()

    def set_outcome(self, matches: bool) -> None:
        if self.view is not None:
            self.view = replace(self.view, face_match=MATCH if matches else "mismatch")
        self._show_outcome()

    def _show_outcome(self) -> None:
        text, tone = identity_outcome(self.view.face_match if self.view is not None else None)
        self.outcome.setText(text)
        self.outcome.setStyleSheet(OUTCOME_STYLES[tone])

    def clear(self) -> None:
        self.view = None
        self.photo.setPixmap(QPixmap())
        self.name.clear()
        self.number.clear()
        self.hide()
