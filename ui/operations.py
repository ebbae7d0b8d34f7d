"""The one way off the GUI thread (the shape of Anki's QueryOp/CollectionOp), and the one way back.

- ``CoreOp`` — what pages use for work the user starts: a core write, a long read, a card read, a
  print. The work runs on a pool thread and calls only the core (never a widget); progress and Cancel
  appear when it takes long; the result comes back on the GUI thread; a failure goes to the one error
  dialog. ``ordered=True`` runs it on the one "core writes" thread, so a clerk's quick key presses
  (receive, receive, decide) commit in the order they were made.
- ``BackgroundOp`` — the bare mechanism under it (no dialog): for work nobody waits on (the printer's
  state, a sync retry).
- ``Relay`` — callbacks made on any thread (a device monitor, the print worker, the sync worker)
  delivered on the GUI thread: ``runtime.add_listener(relay.wrap(self.on_state))``. Every thread→GUI
  bridge of the window is one of these; BackgroundOp itself reports through one.
"""

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


class Relay(QObject):
    """Delivers calls made on any thread to the GUI thread, in order (one queued signal).

    ``relay.wrap(fn)`` returns a plain callable that may be called from any thread; ``fn`` runs later on
    the GUI thread with the same arguments. When ``owner`` (the widget the callbacks touch) has been
    deleted by then, the call is dropped. The relay has no Qt parent on purpose: a worker holding the
    wrapped callable after the window closed never reaches a deleted C++ object. ``in_transit`` counts
    calls made but not yet delivered (a test or an "idle" check waits for zero)."""

    _call = Signal(object, object)  # fn, args

    def __init__(self, owner: QObject | None = None) -> None:
        super().__init__()
        self._owner = owner
        self._lock = threading.Lock()
        self._in_transit = 0
        self._call.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def wrap(self, fn: Callable[..., Any]) -> Callable[..., None]:
        def relayed(*args: Any) -> None:  # any thread
            with self._lock:
                self._in_transit += 1
            self._call.emit(fn, args)

        return relayed

    @property
    def in_transit(self) -> int:
        with self._lock:
            return self._in_transit

    def owner_gone(self) -> bool:
        return self._owner is not None and not shiboken6.isValid(self._owner)

    def _deliver(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        with self._lock:
            self._in_transit -= 1
        if self.owner_gone():
            return
        fn(*args)


def _core_writes_pool() -> QThreadPool:
    """One thread for ordered core work: writes commit in the order the clerk made them."""
    global _CORE_POOL
    if _CORE_POOL is None:
        _CORE_POOL = QThreadPool()
        _CORE_POOL.setMaxThreadCount(1)
        _CORE_POOL.setExpiryTimeout(-1)
    return _CORE_POOL


_CORE_POOL: QThreadPool | None = None


class _Job(QRunnable):
    """The pool's task. A Python subclass, not ``QRunnable.create(fn)``: the pool deletes a finished task,
    and shiboken keeps the wrapper of a created one registered — a later Qt object at the same address
    then came back as that stale QRunnable (seen as ``QPieSeries.append`` returning a QRunnable)."""

    def __init__(self, fn: Callable[[], None]) -> None:
        super().__init__()
        self.fn = fn
        self.setAutoDelete(True)

    def run(self) -> None:
        self.fn()


class BackgroundOp:
    """``BackgroundOp(work, on_success, on_failure, on_progress).start()``.

    ``work(report, cancel_event)`` runs on a pool thread; ``report(done, total, text)`` feeds a progress
    dialog; it should check ``cancel_event`` between steps. UserCancelled is not reported as failure.
    ``ordered=True`` runs it on the one core-writes thread (after the ops started before it).
    ``post(item)`` (from the work, any thread) hands one result of a long run to ``on_item`` on the GUI
    thread as it comes, in order, before the final result (e.g. each page of a scan batch).
    ``thread_name``: run on a thread of its own instead of the shared pool — for work that waits on a
    device for minutes (a scan batch), so it never holds one of the pool's few threads.
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
        *,
        ordered: bool = False,
        on_item: Callable[[Any], None] | None = None,
        thread_name: str | None = None,
    ) -> None:
        self.cancel_event = threading.Event()
        self._work, self._ok, self._err, self._cancelled = work, on_success, on_failure, on_cancelled
        self._on_progress = on_progress
        self._ordered = ordered
        # The widget the callbacks touch: if it is gone when the work ends (window closed, user
        # signed out), the result is dropped instead of touching a deleted C++ object.
        self._owner = owner
        self._relay = Relay()
        self._on_item, self._thread_name = on_item, thread_name
        self.post: Callable[[Any], None] = self._relay.wrap(self._item) if on_item else _ignore

    def start(self) -> BackgroundOp:
        BackgroundOp._alive.add(self)
        relay = self._relay
        ok, err = relay.wrap(self._finish_ok), relay.wrap(self._finish_err)
        report = relay.wrap(self._report) if self._on_progress else _ignore

        def run() -> None:  # on the worker thread
            try:
                result = self._work(report, self.cancel_event)
            except BaseException as exc:  # delivered to the GUI thread; nothing is swallowed here
                if not isinstance(exc, ClerkAppError):
                    log.exception("background operation failed")
                err(exc)
            else:
                ok(result)

        if self._thread_name:
            threading.Thread(target=run, name=self._thread_name, daemon=True).start()
        else:
            (_core_writes_pool() if self._ordered else QThreadPool.globalInstance()).start(_Job(run))
        return self

    def cancel(self) -> None:
        self.cancel_event.set()

    def _owner_gone(self) -> bool:
        return self._owner is not None and not shiboken6.isValid(self._owner)

    def _item(self, item: Any) -> None:
        if self._on_item is not None and not self._owner_gone():
            self._on_item(item)

    def _report(self, done: int, total: int, text: str = "") -> None:
        if self._on_progress is not None and not self._owner_gone():
            self._on_progress(done, total, text)

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


def _ignore(*_args: Any) -> None:
    pass


def busy(widget: QObject) -> bool:
    """True while an operation started for ``widget`` or a widget inside it (a page, a dialog, the
    window) has not come back; tests wait on it (``qtbot.waitUntil(lambda: not busy(page))``)."""
    for op in list(BackgroundOp._alive):
        owner = op._owner
        while owner is not None and shiboken6.isValid(owner):
            if owner is widget:
                return True
            owner = owner.parent()
    return False


class CoreOp:
    """The one way off the GUI thread for core work started by the user (the shape of Anki's
    CollectionOp): ``CoreOp(owner, work, on_success, title=…).run()``.

    ``work(report, cancel)`` runs on a pool thread and calls only the core (never a widget); progress
    and a Cancel button appear when it takes longer than ``PROGRESS_AFTER_MS``; the result comes back on
    the GUI thread; a failure goes to the one error dialog (``show_error``) unless ``on_failure`` is
    given: a ClerkAppError in the clerk's words, anything else as "unexpected" with the detail in the
    log only. ``ordered=True`` for core writes (one thread, in the order started). ``busy`` is true
    while it runs (the caller may disable its button; tests wait on ``busy(owner)``)."""

    PROGRESS_AFTER_MS = 400

    def __init__(
        self,
        owner: QWidget,
        work: Callable[[Callable[[int, int, str], None], threading.Event], Any],
        on_success: Callable[[Any], None],
        *,
        title: str,
        on_failure: Callable[[BaseException], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
        ordered: bool = False,
        progress: bool = True,
    ) -> None:
        self.owner, self.work, self.on_success, self.title = owner, work, on_success, title
        self.on_failure, self.on_cancelled = on_failure, on_cancelled
        self.ordered, self.progress = ordered, progress
        self.busy = False
        self.dialog: QProgressDialog | None = None
        self._op: BackgroundOp | None = None

    def run(self) -> CoreOp:
        self.busy = True
        if self.progress:
            dialog = QProgressDialog(self.title, QCoreApplication.translate("CoreOp", "Cancel"), 0, 0, self.owner)
            dialog.setWindowTitle(self.title)
            dialog.setWindowModality(Qt.WindowModality.WindowModal)
            dialog.setMinimumDuration(self.PROGRESS_AFTER_MS)
            dialog.setAutoClose(False)
            dialog.setAutoReset(False)
            self.dialog = dialog
        self._op = BackgroundOp(
            self.work,
            self._ok,
            self._failed,
            self._progress,
            on_cancelled=self._cancelled,
            owner=self.owner,
            ordered=self.ordered,
        ).start()
        if self.dialog is not None:
            self.dialog.canceled.connect(self._op.cancel)
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

    def _cancelled(self) -> None:
        self._end()
        if self.on_cancelled is not None:
            self.on_cancelled()

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


def show_error(parent: QWidget | None, title: str, exc: BaseException | str) -> None:
    """The one error dialog (window-modal, does not block the caller): an exception in the clerk's
    words (``error_text``), or a text already in them."""
    text = exc if isinstance(exc, str) else error_text(exc)
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorDialog")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    box.open()
