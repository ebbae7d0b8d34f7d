"""Card reader state in the status bar, in words. The reader service calls back on its own threads;
the main window receives those calls through a ``ui.operations.Relay`` (on the GUI thread)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from ui.typed_qt import QT_TRANSLATE_NOOP

STATE_TEXT = {
    "no_reader": QT_TRANSLATE_NOOP("CardStatus", "no reader"),
    "reader_ready": QT_TRANSLATE_NOOP("CardStatus", "ready, no card"),
    "card_present": QT_TRANSLATE_NOOP("CardStatus", "card present"),
    "reading": QT_TRANSLATE_NOOP("CardStatus", "reading…"),
    "read_ok": QT_TRANSLATE_NOOP("CardStatus", "read OK"),
    "error": QT_TRANSLATE_NOOP("CardStatus", "error"),
}


def state_text(state: str) -> str:
    return QCoreApplication.translate("CardStatus", STATE_TEXT.get(state, state))
