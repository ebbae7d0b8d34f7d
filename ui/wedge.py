"""Keyboard-wedge scanner detection in a widget (the rule is ``clerk_app.wedge_scan.KeyRun``).

``WedgeScanDetector`` watches the key presses that reach a widget or any of its children (the
widget with focus receives them) and emits ``scanned(text)`` when ``KeyRun`` says Enter ended a
scan. Key times come from the window system's event timestamps where there are any (so a busy GUI
thread that delivers queued keys in a burst cannot fake a scan), else from the monotonic clock (QTest
events carry none). That Enter is swallowed, so it does not also trigger the focused widget's own
Enter action, and the scanned characters are removed again from a QLineEdit that received them
(``strip=True``), so a scan into the name field does not leave a case number in it. Human typing
passes through untouched.

Use: ``detector = WedgeScanDetector(page); detector.scanned.connect(page.on_scan)``.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from clerk_app.wedge_scan import KeyRun

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class WedgeScanDetector(QObject):
    scanned = Signal(str)

    def __init__(
        self,
        scope: QWidget,
        *,
        min_length: int = 6,
        max_gap_ms: float = 30.0,
        pause_ms: float = 250.0,
        strip: bool = True,
    ) -> None:
        super().__init__(scope)
        self._scope = scope
        self.strip = strip
        self.run = KeyRun(min_length, max_gap_ms, pause_ms)
        self._attached = False
        assert QApplication.instance() is not None, "create the QApplication first"
        # An application-wide filter sees the key press before the focus widget does; we act only
        # on presses addressed to the focus widget inside our scope (a press that the focus widget
        # ignores is re-sent to its parents, and would otherwise be counted twice). The filter is
        # installed only while the scope is visible — every event of the application passes
        # through it, so a hidden page (another tab) costs nothing.
        self._watch = _VisibilityWatch(self)
        scope.installEventFilter(self._watch)
        scope.destroyed.connect(self._detach)
        if scope.isVisible():
            self._attach()

    def _attach(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._attached:
            app.installEventFilter(self)
            self._attached = True

    def _detach(self) -> None:
        app = QApplication.instance()
        if app is not None and self._attached:
            app.removeEventFilter(self)
        self._attached = False
        self.run.keys.clear()

    def _in_scope(self, obj: QObject) -> bool:
        if not isinstance(obj, QWidget) or obj is not QApplication.focusWidget():
            return False
        return obj is self._scope or self._scope.isAncestorOf(obj)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not self._in_scope(obj):
            return False
        assert isinstance(event, QKeyEvent)
        now = float(event.timestamp()) or time.monotonic() * 1000.0
        if event.key() in _ENTER:
            text = self.run.enter(now)
            if text is None:
                return False
            if self.strip and isinstance(obj, QLineEdit) and obj.text().endswith(text):
                obj.setText(obj.text()[: -len(text)])
            self.scanned.emit(text)
            return True
        char = event.text()
        if not char or not char.isprintable():
            return False  # Shift and other modifiers a scanner sends between characters
        self.run.key(char, now)
        return False


class _VisibilityWatch(QObject):
    """Attaches the detector while its scope is shown, detaches it when hidden."""

    def __init__(self, detector: WedgeScanDetector) -> None:
        super().__init__(detector)
        self._detector = detector

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show:
            self._detector._attach()
        elif event.type() == QEvent.Type.Hide:
            self._detector._detach()
        return False
