"""Background operations for the GUI (the shape of Anki's QueryOp): run blocking work — a card
read, a scan batch, a print, a sync — on a worker thread, then call success or failure on the GUI
thread through a queued Qt signal. The work function must not touch widgets."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

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
