"""Idle lock of the main window.

``IdleLock`` watches every input event of the application (an application-wide event filter) and
locks the window after ``settings.idle_lock_minutes`` without input, with a warning banner during
the last minute. Locking hides the screen behind an opaque overlay and disables the window's
actions and menus, but keeps everything underneath as it was: the draft on the desk stays open
(``CurrentCase`` is *not* closed). Unlocking needs the same user's password
(``UserService.authenticate``, checked off the GUI thread: wrong passwords count towards the account
lockout); "Sign out" on the overlay ends the session instead.

Signals (on ``MainWindow.idle_lock``):
- ``warning(int)`` — seconds left before the lock;
- ``locked()`` — the screen is locked: anything showing the case elsewhere (the customer-facing
  window) should clear itself now;
- ``unlocked()`` — the same user is back; views may show the case again.

The clock is injectable (``clock=`` a callable returning seconds, monotonic) so tests drive it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QVBoxLayout, QWidget

from ui.operations import CoreOp, error_text
from ui.widgets.common import Retranslating, add, arg, button, label, line_edit

if TYPE_CHECKING:
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)
ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
    QEvent.Type.TabletPress,
}


class LockOverlay(Retranslating, QWidget):
    """Opaque cover over the whole main window with the unlock form."""

    def __init__(self, parent: QWidget, username: str) -> None:
        super().__init__(parent)
        self.setObjectName("lockOverlay")
        # Opaque: nothing of the case shows through.
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("#lockOverlay { background: #30445c; }")
        center = Qt.AlignmentFlag.AlignCenter
        self.title = label(name="lockTitle", style="font-size: 22px; font-weight: bold;", align=center)
        self.user = label(align=center)
        self._username = username
        self.password = line_edit("lockPassword", secret=True, on_enter=lambda: self.unlock_button.click())
        self.password.setMinimumWidth(260)
        self.unlock_button = button("unlockButton")
        self.unlock_button.setDefault(True)
        self.sign_out_button = button("lockSignOut")
        self.error = label(name="lockError", style="color: #b3261e;", wrap=True, align=center)
        box = QFrame()
        box.setObjectName("lockBox")
        box.setStyleSheet("#lockBox { background: white; border-radius: 10px; padding: 18px; }")
        buttons = add(QHBoxLayout(), self.sign_out_button, None, self.unlock_button)
        add(QVBoxLayout(box), self.title, self.user, self.password, buttons, self.error)
        add(QVBoxLayout(self), 1, add(QHBoxLayout(), None, box, None), 2)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Screen locked"))
        self.user.setText(
            arg(self.tr("Signed in as %1. Enter your password to continue; the open case is kept."), self._username)
        )
        self.password.setPlaceholderText(self.tr("Password"))
        self.unlock_button.setText(self.tr("&Unlock"))
        self.sign_out_button.setText(self.tr("Sign &out"))


class IdleLock(QObject):
    warning = Signal(int)
    locked = Signal()
    unlocked = Signal()

    def __init__(
        self,
        window: MainWindow,
        *,
        idle_seconds: float | None = None,
        warn_seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        poll_ms: int = 1000,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._clock = clock
        self.idle_seconds = float(
            idle_seconds if idle_seconds is not None else window.ctx.settings.idle_lock_minutes * 60
        )
        self.warn_seconds = float(warn_seconds if warn_seconds is not None else min(60.0, self.idle_seconds / 4))
        self.is_locked = False
        self._last = clock()
        self._disabled: list[QAction] = []
        self._check: CoreOp | None = None  # the password being checked
        self.banner = label(
            name="idleWarning",
            style="background: #fff4ce; color: #5c4400; padding: 8px 14px; "
            "border: 1px solid #e0c060; border-radius: 6px; font-size: 14px;",
            visible=False,
        )
        self.banner.setParent(window)
        self.overlay = LockOverlay(window, window.actor.username)
        self.overlay.hide()
        self.overlay.unlock_button.clicked.connect(lambda: self.unlock(self.overlay.password.text()))
        self.overlay.sign_out_button.clicked.connect(self._sign_out)
        self._timer = QTimer(self)
        self._timer.setInterval(poll_ms)
        self._timer.timeout.connect(self.check)
        self._timer.start()
        app = QApplication.instance()
        assert app is not None
        self._app = app
        app.installEventFilter(self)
        window.installEventFilter(self)

    # -- activity ------------------------------------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self._window and event.type() == QEvent.Type.Resize:
            self._place()
        elif event.type() in ACTIVITY and not self.is_locked:
            self.touch()
        return False

    def touch(self) -> None:
        self._last = self._clock()
        if self.banner.isVisible():
            self.banner.hide()

    def check(self) -> None:
        """Called by the poll timer (and by tests): warn, then lock."""
        if self.is_locked:
            return
        idle = self._clock() - self._last
        if idle >= self.idle_seconds:
            self.lock("idle")
        elif idle >= self.idle_seconds - self.warn_seconds:
            left = max(1, int(round(self.idle_seconds - idle)))
            self.banner.setText(
                arg(self.tr("The screen locks in %1 s. Move the mouse or press a key to stay signed in."), left)
            )
            self.banner.adjustSize()
            self._place()
            self.banner.show()
            self.banner.raise_()
            self.warning.emit(left)

    # -- lock / unlock -------------------------------------------------------------------------
    def lock(self, reason: str = "manual") -> None:
        if self.is_locked:
            return
        self.is_locked = True
        self.banner.hide()
        w = self._window
        self._disabled = [a for a in w.actions() if a.isEnabled()]
        for a in self._disabled:
            a.setEnabled(False)  # F-key page shortcuts etc. must not act behind the cover
        w.menuBar().setEnabled(False)
        self.overlay.error.clear()
        self.overlay.password.clear()
        self._place()
        self.overlay.show()
        self.overlay.raise_()
        self.overlay.password.setFocus()
        self._write(lambda: w.ctx.auditor.record_now(w.actor, "session.lock", reason=reason), lambda _r: None)
        self.locked.emit()

    def unlock(self, password: str) -> None:
        """Check the password off the GUI thread (wrong ones count towards the lockout); ``unlocked``
        when it was the signed-in user's, else the reason under the password field."""
        w = self._window
        self.overlay.password.clear()
        if self._check is not None and self._check.busy:  # Enter pressed twice: one check is enough
            return

        def check() -> None:
            w.ctx.users.authenticate(w.actor.username, password)
            w.ctx.auditor.record_now(w.actor, "session.unlock")

        self._check = self._write(check, self._unlocked, lambda exc: self.overlay.error.setText(error_text(exc)))

    def _unlocked(self, _result: object) -> None:
        self._uncover()
        self.touch()
        self.unlocked.emit()

    def _write(
        self,
        work: Callable[[], object],
        done: Callable[[object], None],
        failed: Callable[[BaseException], None] | None = None,
    ) -> CoreOp:
        # Locking must never fail because the store is busy: a failed lock audit is only logged.
        return CoreOp(
            self.overlay,
            lambda _report, _cancel: work(),
            done,
            title=self.tr("Screen locked"),
            on_failure=failed or (lambda exc: log.warning("lock audit not written: %s", exc)),
            ordered=True,
            progress=False,
        ).run()

    def _uncover(self) -> None:
        self.is_locked = False
        self.overlay.hide()
        self._window.menuBar().setEnabled(True)
        for a in self._disabled:
            a.setEnabled(True)
        self._disabled = []

    def _sign_out(self) -> None:
        self._uncover()
        self.stop()
        self._window.logout()

    def stop(self) -> None:
        self._timer.stop()
        self._app.removeEventFilter(self)

    def _place(self) -> None:
        rect = self._window.rect()
        self.overlay.setGeometry(rect)
        self.banner.move(max(0, (rect.width() - self.banner.width()) // 2), 40)
