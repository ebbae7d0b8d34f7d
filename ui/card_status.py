"""Card reader state in the status bar. The reader service calls back on its own threads; a queued
Qt signal brings each state to the GUI thread (the only place widgets are touched)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Signal

from ui.typed_qt import QT_TRANSLATE_NOOP

STATE_TEXT = {
    "no_reader": QT_TRANSLATE_NOOP("CardStatus", "no reader"),
    "reader_ready": QT_TRANSLATE_NOOP("CardStatus", "ready, no card"),
    "card_present": QT_TRANSLATE_NOOP("CardStatus", "card present"),
    "reading": QT_TRANSLATE_NOOP("CardStatus", "reading…"),
    "read_ok": QT_TRANSLATE_NOOP("CardStatus", "read OK"),
    "error": QT_TRANSLATE_NOOP("CardStatus", "error"),
}


class CardStatusBridge(QObject):
    state = Signal(str, str, object)  # reader, state value, CardError | None

    def on_state(self, reader: str, state: object, error: object = None) -> None:  # device thread
        self.state.emit(reader, getattr(state, "value", str(state)), error)


def state_text(state: str) -> str:
    return QCoreApplication.translate("CardStatus", STATE_TEXT.get(state, state))
