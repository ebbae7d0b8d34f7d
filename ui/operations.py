"""Background operations for the GUI (the shape of Anki's QueryOp/CollectionOp): run blocking work — a
core write, a long read, a card read, a scan batch, a print, a sync — on a worker thread, then call
success or failure on the GUI thread through a queued Qt signal. The work function must not touch
widgets. ``BackgroundOp`` is the bare mechanism; ``CoreOp`` adds progress, Cancel and the one error
dialog, and is what pages use for work the user starts."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from clerk_app.errors import ClerkAppError, UserCancelled

log = logging.getLogger(__name__)


class _Bridge(QObject):
    done = Signal(object)
    failed = Signal(object)
    progress = Signal(int, int, str)


class _Job(QRunnable):
    def __init__(self, fn: Callable[..., Any], bridge: _Bridge, cancel: threading.Event) -> None:
        super().__init__()
        self.fn, self.bridge, self.cancel = fn, bridge, cancel
        self.setAutoDelete(True)

    def run(self) -> None:
        def report(done: int, total: int, text: str = "") -> None:
            self.bridge.progress.emit(done, total, text)

        try:
            result = self.fn(report, self.cancel)
        except BaseException as exc:  # delivered to the GUI thread; nothing is swallowed here
            if not isinstance(exc, ClerkAppError):
                log.exception("background operation failed")
            self.bridge.failed.emit(exc)
        else:
            self.bridge.done.emit(result)


class BackgroundOp:
    """``BackgroundOp(work, on_success, on_failure, on_progress).start()``.

    ``work(report, cancel_event)`` runs on a pool thread; ``report(done, total, text)`` feeds a progress
    dialog; it should check ``cancel_event`` between steps. UserCancelled is not reported as failure.
    """

    _alive: set[BackgroundOp] = set()

    def __init__(
        self,
        work: Callable[[Callable[[int, int, str], None], threading.Event], Any],
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None],
        on_progress: Callable[[int, int, str], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
        owner: QObject | None = None,
    ) -> None:
        self.cancel_event = threading.Event()
        self._bridge = _Bridge()
        self._bridge.done.connect(self._finish_ok)
        self._bridge.failed.connect(self._finish_err)
        if on_progress:
            self._bridge.progress.connect(on_progress)
        self._work, self._ok, self._err, self._cancelled = work, on_success, on_failure, on_cancelled
        # The widget the callbacks touch: if it is gone when the work ends (window closed, user
        # signed out), the result is dropped instead of touching a deleted C++ object.
        self._owner = owner

    def start(self) -> BackgroundOp:
        BackgroundOp._alive.add(self)
        QThreadPool.globalInstance().start(_Job(self._work, self._bridge, self.cancel_event))
        return self

    def cancel(self) -> None:
        self.cancel_event.set()

    def _owner_gone(self) -> bool:
        return self._owner is not None and not shiboken6.isValid(self._owner)

    def _finish_ok(self, result: Any) -> None:
        BackgroundOp._alive.discard(self)
        if self._owner_gone():
            return
        self._ok(result)

    def _finish_err(self, exc: BaseException) -> None:
        BackgroundOp._alive.discard(self)
        if self._owner_gone():
            log.info("background operation ended after its window closed: %s", type(exc).__name__)
            return
        if isinstance(exc, UserCancelled):
            if self._cancelled:
                self._cancelled()
            return
        self._err(exc)


class CoreOp:
    """The one way off the GUI thread for core work started by the user (the shape of Anki's
    CollectionOp): ``CoreOp(owner, work, on_success, title=…).run()``.

    ``work(report, cancel)`` runs on a pool thread and calls only the core (never a widget); progress
    and a Cancel button appear when it takes longer than ``PROGRESS_AFTER_MS``; the result comes back on
    the GUI thread; a failure goes to the one error dialog (``show_error``): a ClerkAppError in the
    clerk's words, anything else as "unexpected" with the detail in the log only. ``busy`` is true while
    it runs (tests wait on it; the caller may disable its button)."""

    PROGRESS_AFTER_MS = 400

    def __init__(
        self,
        owner: QWidget,
        work: Callable[[Callable[[int, int, str], None], threading.Event], Any],
        on_success: Callable[[Any], None],
        *,
        title: str,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        self.owner, self.work, self.on_success, self.title = owner, work, on_success, title
        self.on_failure = on_failure
        self.busy = False
        self.dialog: QProgressDialog | None = None
        self._op: BackgroundOp | None = None

    def run(self) -> CoreOp:
        self.busy = True
        dialog = QProgressDialog(self.title, QCoreApplication.translate("CoreOp", "Cancel"), 0, 0, self.owner)
        dialog.setWindowTitle(self.title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(self.PROGRESS_AFTER_MS)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        self.dialog = dialog
        self._op = BackgroundOp(
            self.work, self._ok, self._failed, self._progress, on_cancelled=self._end, owner=self.owner
        ).start()
        dialog.canceled.connect(self._op.cancel)
        return self

    def cancel(self) -> None:
        if self._op is not None:
            self._op.cancel()

    def _progress(self, done: int, total: int, text: str) -> None:
        if self.dialog is not None:
            self.dialog.setMaximum(max(total, 0))
            self.dialog.setValue(done)
            if text:
                self.dialog.setLabelText(text)

    def _end(self) -> None:
        self.busy = False
        if self.dialog is not None:
            self.dialog.reset()
            self.dialog.deleteLater()
            self.dialog = None

    def _ok(self, result: Any) -> None:
        self._end()
        self.on_success(result)

    def _failed(self, exc: BaseException) -> None:
        self._end()
        if self.on_failure is not None:
            self.on_failure(exc)
        else:
            show_error(self.owner, self.title, exc)


def error_text(exc: BaseException) -> str:
    """What the user reads for a failure: a ClerkAppError's message in the UI language; anything else
    is unexpected — a generic sentence (the traceback went to the log without personal data)."""
    if isinstance(exc, ClerkAppError):
        return exc.user_message()
    return QCoreApplication.translate(
        "CoreOp", "Something unexpected went wrong; nothing was lost. Please try again or call IT support."
    )


def show_error(parent: QWidget | None, title: str, exc: BaseException) -> None:
    """The one error dialog."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, error_text(exc), QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorDialog")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    box.open()
