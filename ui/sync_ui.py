"""Sync with the back office in the workstation (issue 7): the state in the status bar, "Sync now"
with a progress dialog, "Retry failed".

The worker (clerk_app/sync, built and started by the composition root when ``backoffice_url`` is
set) calls back on its own thread; a :class:`~ui.operations.Relay` delivers those calls on the GUI
thread, and nothing here ever waits for the network: a manual cycle runs in a
:class:`~ui.operations.BackgroundOp`.

Status bar: ``Back office: online · 3 waiting · 2 failed · last sync 10:32``; the tooltip says the last
problem (back office away, station not authorised, a refused catalogue/calendar push) and the full time
of the last successful exchange.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QProgressBar, QVBoxLayout, QWidget

from clerk_app.clock import CHINA_TZ
from clerk_app.errors import ClerkAppError
from clerk_app.sync.worker import CycleReport, SyncProgress, SyncState
from ui.operations import BackgroundOp, Relay
from ui.widgets.slim_b import add

if TYPE_CHECKING:
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)
SYNC_NOW_SHORTCUT = "Ctrl+Shift+S"


def _time(value: Any, with_date: bool = False) -> str:
    if value is None:
        return "—"
    return value.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S" if with_date else "%H:%M")


class SyncUi(QObject):
    """Sync state, "Sync now" and "Retry failed" for one main window."""

    def __init__(self, window: MainWindow, runtime: Any) -> None:
        super().__init__(window)
        self.window = window
        self.runtime = runtime
        self.label = window.sync_label
        self.state: SyncState = SyncState()
        self.dialog: SyncNowDialog | None = None
        # The worker calls on its thread; the relay shows state and progress on the GUI thread (a call
        # arriving after the window closed is dropped).
        relay = Relay(self.label)
        self.on_state, self.on_progress = relay.wrap(self.show_state), relay.wrap(self.show_progress)
        on_state, on_progress = self.on_state, self.on_progress
        runtime.add_listener(on_state, on_progress)
        # Signing out drops the window; the worker keeps running for the next user.
        window.destroyed.connect(lambda *_: runtime.remove_listener(on_state, on_progress))

        self.menu = window.menuBar().addMenu("")
        self.sync_now_action = QAction(window)
        self.sync_now_action.setObjectName("syncNowAction")
        self.sync_now_action.setShortcut(QKeySequence(SYNC_NOW_SHORTCUT))
        self.sync_now_action.triggered.connect(self.sync_now)
        self.retry_action = QAction(window)
        self.retry_action.setObjectName("syncRetryAction")
        self.retry_action.triggered.connect(self.retry_failed)
        self.menu.addAction(self.sync_now_action)
        self.menu.addAction(self.retry_action)
        window.addAction(self.sync_now_action)
        self.state = runtime.last_state  # what the worker last said; the store's counts follow
        self.retranslate()
        BackgroundOp(
            lambda _r, _c: runtime.current_state(), self.show_state, self._state_unread, owner=self.label
        ).start()

    def _state_unread(self, exc: BaseException) -> None:  # the store is busy or gone: keep the last word
        log.warning("sync state not read: %s", type(exc).__name__)

    # -- status bar ------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.menu.setTitle(self.tr("S&ync"))
        self.sync_now_action.setText(self.tr("Sync now"))
        self.retry_action.setText(self.tr("Retry failed entries"))
        self.update_label()

    def show_state(self, state: SyncState) -> None:
        self.state = state
        self.update_label()

    def show_progress(self, progress: SyncProgress) -> None:
        if self.dialog is not None:
            self.dialog.show_progress(progress)

    def status_text(self) -> str:
        s = self.state
        if s.online is None:  # no exchange yet: still trying, or stopped before the network (no secret)
            head = self.tr("Back office: not connected") if s.problem else self.tr("Back office: connecting…")
        elif s.online:
            head = self.tr("Back office: online")
        else:
            head = self.tr("Back office: offline")
        parts = [head, self.tr("%1 to send").replace("%1", str(s.pending))]
        if s.failed:
            parts.append(self.tr("%1 failed").replace("%1", str(s.failed)))
        if s.last_success is not None:
            parts.append(self.tr("last sync %1").replace("%1", _time(s.last_success)))
        return " · ".join(parts)

    def tooltip_text(self) -> str:
        s = self.state
        lines = [self.tr("Last successful exchange: %1").replace("%1", _time(s.last_success, True))]
        if s.problem:
            lines.append(self.tr("Problem: %1").replace("%1", s.problem))
        if s.catalogue_problem:
            lines.append(self.tr("Refused update: %1").replace("%1", s.catalogue_problem))
        if s.failed:
            lines.append(
                self.tr(
                    "%1 entries were refused by the back office; fix the cause, then Sync ▸ Retry failed entries."
                ).replace("%1", str(s.failed))
            )
        lines.append(self.tr("Sync now: %1").replace("%1", SYNC_NOW_SHORTCUT))
        return "\n".join(lines)

    def update_label(self) -> None:
        self.label.setText(self.status_text())
        self.label.setToolTip(self.tooltip_text())
        problem = self.state.online is False or bool(self.state.failed) or bool(self.state.problem)
        self.label.setStyleSheet("color: #b00020;" if problem else "")

    # -- actions ---------------------------------------------------------------------------------
    def sync_now(self) -> SyncNowDialog:
        if self.dialog is not None and (self.dialog.isVisible() or self.dialog.running):
            self.dialog.show()  # one manual sync at a time: show the one still running
            self.dialog.raise_()
            return self.dialog
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = SyncNowDialog(self.runtime, self.window)
        self.dialog.show()
        self.dialog.start()
        return self.dialog

    def retry_failed(self) -> None:
        def work(_report: Any, _cancel: threading.Event) -> int:
            return int(self.runtime.retry_failed())

        def done(count: int) -> None:
            self.window.statusBar().showMessage(
                self.tr("%1 refused entries queued again").replace("%1", str(count)), 8000
            )

        def failed(exc: BaseException) -> None:
            text = exc.user_message() if isinstance(exc, ClerkAppError) else type(exc).__name__
            self.window.statusBar().showMessage(text, 8000)

        BackgroundOp(work, done, failed, owner=self.label).start()


class SyncNowDialog(QDialog):
    """A manual cycle off the GUI thread: progress of the case being sent, then a summary. Cancel stops
    after the case being sent (nothing is half-sent: the outbox entry stays pending); Close hides the
    dialog while the cycle finishes in the background."""

    finished_cycle = Signal(object)  # CycleReport, or the exception

    def __init__(self, runtime: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncNowDialog")
        self.setWindowTitle(self.tr("Sync with the back office"))
        self.setMinimumWidth(440)
        self.runtime = runtime
        self.text = QLabel()
        self.text.setObjectName("syncNowText")
        self.text.setWordWrap(True)
        self.detail = QLabel()
        self.detail.setObjectName("syncNowDetail")
        self.detail.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy until the first progress report
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setText(self.tr("Stop"))
        self.close_button = self.buttons.addButton(self.tr("Close"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.close)
        add(QVBoxLayout(self), self.text, self.bar, self.detail, self.buttons)
        self.op: BackgroundOp | None = None
        self.report: CycleReport | None = None
        self.running = False

    def start(self) -> None:
        pending = self.runtime.last_state.pending  # as the worker last counted (no store read here)
        self.text.setText(
            self.tr("Sending %1 waiting entries and fetching status changes…").replace("%1", str(pending))
        )
        self.running = True

        def work(_report: Any, cancel: threading.Event) -> CycleReport:
            return self.runtime.run_once(cancel)

        self.op = BackgroundOp(work, self._done, self._failed, owner=self).start()

    def show_progress(self, p: SyncProgress) -> None:
        if not self.running:
            return
        if p.bytes_total:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * p.bytes_sent / p.bytes_total))
        self.detail.setText(
            self.tr("Case %1: file %2 of %3, %4 of %5 KB")
            .replace("%1", p.case_id[:8])
            .replace("%2", str(p.files_done))
            .replace("%3", str(p.files_total))
            .replace("%4", str(p.bytes_sent // 1024))
            .replace("%5", str(p.bytes_total // 1024))
        )

    def cancel(self) -> None:
        if self.op is not None and self.running:
            self.op.cancel()
            self.cancel_button.setEnabled(False)
            self.text.setText(self.tr("Stopping after the case being sent…"))

    def _done(self, report: CycleReport) -> None:
        self.running = False
        self.report = report
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.cancel_button.setEnabled(False)
        error = report.upload_error or report.pull_error
        if report.cancelled:
            head = self.tr("Stopped. Sent: %1; the rest waits for the next sync.").replace("%1", str(report.sent))
        elif error is not None:
            head = self.tr("Not finished: %1").replace("%1", error.user_message())
        else:
            head = self.tr("Done.")
        lines = [
            head,
            self.tr("Sent: %1 · refused: %2 · status changes: %3")
            .replace("%1", str(report.sent))
            .replace("%2", str(report.failed))
            .replace("%3", str(report.statuses_applied)),
        ]
        if report.installed:
            lines.append(self.tr("Installed: %1").replace("%1", ", ".join(report.installed)))
        if report.refused:
            lines.append(self.tr("Refused: %1").replace("%1", ", ".join(report.refused)))
        self.text.setText("\n".join(lines))
        self.detail.setText("")
        self.close_button.setFocus()
        self.finished_cycle.emit(report)

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        self.bar.setRange(0, 1)
        self.cancel_button.setEnabled(False)
        text = exc.user_message() if isinstance(exc, ClerkAppError) else type(exc).__name__
        self.text.setText(self.tr("Not finished: %1").replace("%1", text))
        self.finished_cycle.emit(exc)

    def reject(self) -> None:  # Esc: stop if running, then close
        self.cancel()
        super().reject()


def attach_sync(window: MainWindow) -> SyncUi | None:
    """Called by MainWindow; without a configured back office the label keeps saying offline."""
    runtime = getattr(window.ctx, "sync", None)
    if runtime is None:
        return None
    window.sync_ui = SyncUi(window, runtime)  # type: ignore[attr-defined]
    return window.sync_ui  # type: ignore[attr-defined]
