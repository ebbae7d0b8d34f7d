"""UI test helpers: scripted answers to the intake page's prompts, and a main window for a user."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from devices.cards.api import MrzKey


@dataclass
class ScriptedPrompts:
    """Stands in for ui.intake.prompts.Prompts: answers from lists, records what was shown."""

    reasons: list[str] = field(default_factory=list)
    due_dates: list[dt.date] = field(default_factory=list)
    rejections: list[tuple[str, str]] = field(default_factory=list)
    confirm_answer: bool = True
    mrz_keys: list[MrzKey] = field(default_factory=list)
    shown: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    windows: list[str] = field(default_factory=list)
    counts_given: list[tuple[int, int]] = field(default_factory=list)
    waive_reasons: list[str] = field(default_factory=list)

    def counts(self, material: str, originals: int, copies: int) -> tuple[int, int] | None:
        return self.counts_given.pop(0) if self.counts_given else None

    def waive_reason(self, material: str) -> str | None:
        return self.waive_reasons.pop(0) if self.waive_reasons else None

    def window_no(self) -> str | None:
        return self.windows.pop(0) if self.windows else None

    def defect_reason(self, material: str) -> str | None:
        return self.reasons.pop(0) if self.reasons else None

    def due_date(self, title: str, today: dt.date) -> dt.date | None:
        return self.due_dates.pop(0) if self.due_dates else None

    def reject(self, legal_basis: str) -> tuple[str, str] | None:
        return self.rejections.pop(0) if self.rejections else None

    def mrz_key(self) -> MrzKey | None:
        return self.mrz_keys.pop(0) if self.mrz_keys else None

    def confirm(self, title: str, text: str) -> bool:
        self.shown.append((title, text))
        return self.confirm_answer

    def inform(self, title: str, text: str) -> None:
        self.shown.append((title, text))

    def error(self, text: str) -> None:
        self.errors.append(text)


def login_through_dialog(qtbot, ctx, translations, username: str, password: str | None = None):
    """Sign in as the clerk does: the real login dialog, the name and password typed, Enter; waits until
    the dialog has closed (the password is checked off the GUI thread). Returns the accepted dialog
    (its ``actor`` and ``ctx`` are what ``ui.app.run`` builds the window from)."""
    from PySide6.QtCore import Qt

    from clerk_app.demo import DEMO_USERS
    from ui.login import LoginDialog

    if password is None:
        password = next(p for u, p, *_ in DEMO_USERS if u == username)
    dialog = LoginDialog(ctx, translations)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.username.clear()
    qtbot.keyClicks(dialog.username, username)
    qtbot.keyClicks(dialog.password, password)
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    assert dialog.actor is not None and dialog.actor.username == username
    return dialog


def open_window(qtbot, ctx, translations, username: str):
    """The main window of ``username``, reached through the real login dialog (every UI test that
    opens a window this way walks from the login dialog, as ``ui.app.run`` does)."""
    from ui.main_window import MainWindow

    dialog = login_through_dialog(qtbot, ctx, translations, username)
    window = MainWindow(dialog.ctx, dialog.actor, translations)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):  # shortcuts only reach the active window
        window.show()
        window.activateWindow()
    # The print worker's first round for the new window: what already waits for the clerk's answer
    # (jobs a fixture's decisions left) is asked now, so the question does not pop up (and take the
    # keyboard) in the middle of a later step.
    qtbot.waitUntil(lambda: _printing_idle(window), timeout=10_000)
    return window


def _printing_idle(window) -> bool:
    presenter = getattr(window, "printing", None)
    return presenter is None or presenter.idle


def settle(qtbot, widget, timeout: int = 10_000) -> None:
    """Wait until the core calls ``widget`` started off the GUI thread (ui.operations.CoreOp) have
    come back and been shown — what a clerk waits for before the next look at the screen."""
    from ui.operations import busy

    qtbot.waitUntil(lambda: not busy(widget), timeout=timeout)


def settle_all(qtbot, timeout: int = 10_000) -> None:
    """``settle`` for every window of the application."""
    from PySide6.QtWidgets import QApplication

    from ui.operations import busy

    qtbot.waitUntil(
        lambda: not any(busy(w) or not _printing_idle(w) for w in QApplication.topLevelWidgets()), timeout=timeout
    )


def wait_idle(widget, timeout: float = 20.0) -> None:
    """``settle`` without pytest-qt (scripts, benchmarks, child processes): process events until the
    core calls ``widget`` started have come back."""
    import time

    from PySide6.QtWidgets import QApplication

    from ui.operations import busy

    deadline = time.monotonic() + timeout
    while busy(widget) and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.005)
    QApplication.processEvents()


def wait_all_idle(app=None, timeout: float = 20.0) -> None:
    """``wait_idle`` for every top-level window, then a few rounds of events (screenshot scripts: the
    lists and figures are read off the GUI thread before a window is grabbed)."""
    from PySide6.QtWidgets import QApplication

    app = app or QApplication.instance()
    for widget in app.topLevelWidgets():
        wait_idle(widget, timeout)
    for _ in range(8):
        app.processEvents()


def type_into(qtbot, widget, text):
    """Type like a clerk: ASCII as key presses, Chinese as an input-method commit (QTest cannot
    synthesise non-ASCII key presses)."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    widget.setFocus()
    widget.clear()
    if text.isascii():
        qtbot.keyClicks(widget, text)
        return
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def timed_keys(widget, text: str, gap_ms: float, *, enter: bool = False, start_ms: float | None = None) -> float:
    """Keys as the window system delivers them: every press and release carries its own time stamp,
    ``gap_ms`` apart (a keyboard-wedge scanner: ~2 ms; a person: 100+ ms), ``enter`` ends with Return.
    The wedge detector (ui/wedge.py) reads those stamps, not the moment the GUI thread handles the key,
    so a test machine under load cannot turn a scan into typing (QTest's keys carry no stamp; the
    detector then falls back to the clock, and a descheduled test process once split a scan in two).
    Returns the last stamp, to go on from (``start_ms``)."""
    import time

    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    at = time.monotonic() * 1000.0 if start_ms is None else start_ms
    keys = [(Qt.Key(ord(c.upper())) if c.isascii() and c.isprintable() else Qt.Key.Key_unknown, c) for c in text]
    if enter:
        keys.append((Qt.Key.Key_Return, "\r"))
    for key, char in keys:
        at += gap_ms
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, char)
            event.setTimestamp(int(at))
            QApplication.sendEvent(widget, event)
    return at
