"""Card reader diagnostics for the clerk or the hall's IT support: readers with the ATR of the card
on each, the PC/SC daemon's state, the monitor thread, the last errors and the last read's APDU count
and time. Shows no personal data (the device layer keeps none in its diagnostics)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QVBoxLayout, QWidget

from clerk_app.errors import ClerkAppError
from ui.typed_qt import QT_TRANSLATE_NOOP


def _t(text: str) -> str:
    return QCoreApplication.translate("CardDiagnostics", text)


_FAMILIES = {
    "pcsc": QT_TRANSLATE_NOOP("CardDiagnostics", "PC/SC"),
    "ga467": QT_TRANSLATE_NOOP("CardDiagnostics", "resident ID reader"),
    "simulated": QT_TRANSLATE_NOOP("CardDiagnostics", "simulated (demo)"),
    "composite": QT_TRANSLATE_NOOP("CardDiagnostics", "PC/SC + resident ID readers"),
}
# devices/cards/emrtd.describe_atr says these in English (devices have no Qt); said here in the clerk's language.
_ATR_KINDS = {
    "no ATR": QT_TRANSLATE_NOOP("CardDiagnostics", "no ATR"),
    "contactless storage card (MIFARE/FeliCa class), not an identity document": QT_TRANSLATE_NOOP(
        "CardDiagnostics", "contactless storage card (MIFARE/FeliCa class), not an identity document"
    ),
    "contactless ISO 14443-4 card, extended length": QT_TRANSLATE_NOOP(
        "CardDiagnostics", "contactless ISO 14443-4 card, extended length"
    ),
    "contactless ISO 14443-4 card": QT_TRANSLATE_NOOP("CardDiagnostics", "contactless ISO 14443-4 card"),
    "contact card (ISO 7816-3)": QT_TRANSLATE_NOOP("CardDiagnostics", "contact card (ISO 7816-3)"),
}


def _family(name: str) -> str:
    return _t(_FAMILIES[name]) if name in _FAMILIES else name


def diagnostics_text(service: Any) -> str:
    """Plain text, one fact per line (also what a clerk copies into a support ticket)."""
    lines = [
        _t(QT_TRANSLATE_NOOP("CardDiagnostics", "Backend: %1")).replace(
            "%1", _family(getattr(service, "family", type(service).__name__))
        )
    ]
    alive = getattr(service, "monitor_alive", None)
    if callable(alive):
        lines.append(
            _t(QT_TRANSLATE_NOOP("CardDiagnostics", "Monitor thread: %1")).replace(
                "%1",
                _t(QT_TRANSLATE_NOOP("CardDiagnostics", "running"))
                if alive()
                else _t(QT_TRANSLATE_NOOP("CardDiagnostics", "stopped")),
            )
        )
    diag = getattr(service, "diagnostics", None)
    if diag is not None:
        lines.append(
            _t(QT_TRANSLATE_NOOP("CardDiagnostics", "PC/SC daemon (pcscd): %1")).replace(
                "%1",
                _t(QT_TRANSLATE_NOOP("CardDiagnostics", "running"))
                if diag.pcscd_running
                else _t(QT_TRANSLATE_NOOP("CardDiagnostics", "not reachable")),
            )
        )
        lines.append(
            _t(QT_TRANSLATE_NOOP("CardDiagnostics", "Context rebuilds: %1")).replace("%1", str(diag.context_rebuilds))
        )
    try:
        readers = service.list_readers()
    except Exception as exc:  # the dialog must show the failure, not raise it
        readers = []
        lines.append(
            _t(QT_TRANSLATE_NOOP("CardDiagnostics", "Listing readers failed: %1")).replace(
                "%1", exc.user_message() if isinstance(exc, ClerkAppError) else str(exc)
            )
        )
    lines.append(_t(QT_TRANSLATE_NOOP("CardDiagnostics", "Readers: %1")).replace("%1", str(len(readers))))
    from devices.cards.emrtd import describe_atr

    for r in readers:
        atr = r.atr.hex(" ").upper() if r.atr else "—"
        described = describe_atr(r.atr) if r.atr else ""
        kind = f" ({_t(_ATR_KINDS[described]) if described in _ATR_KINDS else described})" if described else ""
        lines.append(
            f"  · {r.name} [{_family(r.family)}] "
            + (
                _t(QT_TRANSLATE_NOOP("CardDiagnostics", "card present"))
                if r.card_present
                else _t(QT_TRANSLATE_NOOP("CardDiagnostics", "no card"))
            )
            + f"  ATR {atr}{kind}"
        )
    if diag is not None:
        if diag.last_read is not None:
            s = diag.last_read
            lines.append(
                _t(QT_TRANSLATE_NOOP("CardDiagnostics", "Last read: %1 APDUs, %2 bytes, %3 ms, extended length %4"))
                .replace("%1", str(s.apdus))
                .replace("%2", str(s.bytes_read))
                .replace("%3", f"{s.seconds * 1000:.0f}")
                .replace("%4", "✓" if s.extended else "✗")
            )
        lines.append(
            _t(QT_TRANSLATE_NOOP("CardDiagnostics", "Last errors:"))
            if diag.last_errors
            else _t(QT_TRANSLATE_NOOP("CardDiagnostics", "No errors recorded"))
        )
        lines.extend(f"  · {e}" for e in diag.last_errors[-20:])
    return "\n".join(lines)


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
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self._service = service
        self.refresh()

    def refresh(self) -> None:
        if self._service is None:
            self.text.setPlainText(self.tr("No card reader is configured"))
            return
        self.text.setPlainText(diagnostics_text(self._service))
