"""A masked value with a "show" button: revealing the full value asks for a reason, and the caller's
``reveal(reason)`` — typically ``CaseService.reveal_applicant`` — checks the permission and writes
the audit event. ``reveal`` is a core call: it runs off the GUI thread (``CoreOp``, in order with the
page's writes) while the label says "reading…"; a value that comes back after the label was hidden or
given another value is dropped. The full value is hidden again after ``hide_after_ms`` (default one
minute) or on ``hide_full()`` (e.g. when the case changes or the screen locks).

Usage::

    label = RevealLabel(masked=view.applicant.document_number,
                        reveal=lambda reason: ctx.cases.reveal_applicant(actor, case_id, reason).document_number,
                        allowed=actor.can(Permission.PII_VIEW_FULL))
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Protocol

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.operations import CoreOp, error_text


class ReasonPrompt(Protocol):
    def __call__(self, parent: QWidget) -> str | None: ...


class RevealReasonDialog(QDialog):
    """Asks why the full value is needed; OK only with a non-empty reason."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("revealReasonDialog")
        self.setWindowTitle(self.tr("Show full value"))
        self.text = QLabel(self.tr("Why do you need the full value? The reason is recorded in the audit trail."))
        self.text.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setObjectName("revealReason")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(False)
        self.reason.textChanged.connect(lambda t: ok.setEnabled(bool(t.strip())))
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)


def ask_reason(parent: QWidget) -> str | None:
    dialog = RevealReasonDialog(parent)
    if dialog.exec() == QDialog.DialogCode.Accepted and dialog.reason.text().strip():
        return dialog.reason.text().strip()
    return None


class RevealLabel(QWidget):
    revealed = Signal()  # the full value is shown (already audited by the core)
    hidden = Signal()
    failed = Signal(str)  # the core refused (message in the user's language)

    def __init__(
        self,
        masked: str = "",
        reveal: Callable[[str], str] | None = None,
        *,
        allowed: bool = True,
        prompt: ReasonPrompt = ask_reason,
        hide_after_ms: int = 60_000,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._masked = masked
        self._reveal = reveal
        self._prompt = prompt
        self.value = QLabel(masked)
        self.value.setObjectName("revealValue")
        self.button = QPushButton()
        self.button.setObjectName("revealButton")
        self.button.clicked.connect(self.toggle)
        self.button.setVisible(allowed and reveal is not None)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(hide_after_ms)
        self._timer.timeout.connect(self.hide_full)
        self.full_shown = False
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.value, 1)
        layout.addWidget(self.button)
        self.retranslate()

    def set_value(self, masked: str, reveal: Callable[[str], str] | None, *, allowed: bool = True) -> None:
        self._masked, self._reveal = masked, reveal
        self.hide_full()
        self.button.setVisible(allowed and reveal is not None)

    def toggle(self) -> None:
        if self.full_shown:
            self.hide_full()
            return
        if self._reveal is None:
            return
        reason = self._prompt(self)
        if not reason:
            return
        reveal = self._reveal
        self.full_shown = True
        self.value.setText(self.tr("reading…"))
        self.retranslate()
        CoreOp(
            self,
            lambda _report, _cancel: reveal(reason),
            partial(self._show_full, reveal),
            title=self.tr("Show full value"),
            on_failure=self._refused,
            ordered=True,
            progress=False,
        ).run()

    def _show_full(self, reveal: Callable[[str], str], full: str) -> None:
        if not self.full_shown or reveal is not self._reveal:  # hidden, or another value, meanwhile
            return
        self.value.setText(full)
        self._timer.start()
        self.revealed.emit()

    def _refused(self, exc: BaseException) -> None:
        self.hide_full()
        self.value.setToolTip(error_text(exc))
        self.failed.emit(error_text(exc))

    def hide_full(self) -> None:
        was = self.full_shown
        self.full_shown = False
        self._timer.stop()
        self.value.setText(self._masked)
        self.retranslate()
        if was:
            self.hidden.emit()

    def retranslate(self) -> None:
        self.button.setText(self.tr("Hide") if self.full_shown else self.tr("Show…"))
        self.button.setToolTip(self.tr("Show the full value (asks for a reason; audited)"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
