"""Sync with the back office in the workstation (issue 7): the state in the status bar, "Sync now"
with a progress dialog, "Retry failed".

The worker (clerk_app/sync, built and started by the composition root when ``backoffice_url`` is
set) calls back on its own thread; a :class:`~ui.operations.Relay` delivers those calls on the GUI
thread, and nothing here ever waits for the network: a manual cycle runs in a
:class:`~ui.operations.BackgroundOp`. What the status bar and the dialog say is decided by
clerk_app.sync_display (``后台：在线 · 待上传 3 · 失败 2 · 上次同步 10:32``; the tooltip says the last
problem and the full time of the last successful exchange).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QProgressBar, QVBoxLayout, QWidget

from clerk_app import sync_display
from clerk_app.sync.worker import CycleReport, SyncProgress, SyncState
from ui.operations import BackgroundOp, Relay, error_text
from ui.widgets.common import add, arg, label, shortcut

if TYPE_CHECKING:
    from clerk_app.sync.runtime import SyncRuntime
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)
SYNC_NOW_SHORTCUT = "Ctrl+Shift+S"


class SyncUi(QObject):
    """Sync state, "Sync now" and "Retry failed" for one main window."""

    def __init__(self, window: MainWindow, runtime: SyncRuntime) -> None:
        super().__init__(window)
        self.window = window
        self.runtime = runtime
        self.label = window.sync_label
        self.dialog: SyncNowDialog | None = None
        # The worker calls on its thread; the relay shows state and progress on the GUI thread (a call
        # arriving after the window closed is dropped).
        relay = Relay(self.label)
        self.on_state, self.on_progress = relay.wrap(self.show_state), relay.wrap(self.show_progress)
        on_state, on_progress = self.on_state, self.on_progress  # the lambda below outlives ``self``
        runtime.add_listener(on_state, on_progress)
        # Signing out drops the window; the worker keeps running for the next user.
        window.destroyed.connect(lambda *_: runtime.remove_listener(on_state, on_progress))

        self.menu = window.menuBar().addMenu("")
        window_wide = Qt.ShortcutContext.WindowShortcut
        self.sync_now_action = shortcut(window, SYNC_NOW_SHORTCUT, self.sync_now, context=window_wide)
        self.retry_action = QAction(window)
        self.retry_action.triggered.connect(self.retry_failed)
        self.menu.addActions([self.sync_now_action, self.retry_action])
        # What the worker last said; the store's counts follow, unless the worker speaks first.
        self.state: SyncState = runtime.last_state
        first = self.state
        self.retranslate()
        BackgroundOp(
            lambda _r, _c: runtime.current_state(),
            lambda state: self.show_state(state) if self.state is first else None,
            lambda exc: log.warning("sync state not read: %s", type(exc).__name__),  # keep the last word
            owner=self.label,
        ).start()

    def retranslate(self) -> None:
        self.menu.setTitle(self.tr("S&ync"))
        self.sync_now_action.setText(self.tr("Sync now"))
        self.retry_action.setText(self.tr("Retry failed entries"))
        self.show_state(self.state)

    def show_state(self, state: SyncState) -> None:
        self.state = state
        self.label.setText(sync_display.status_line(state))
        self.label.setToolTip(sync_display.status_tooltip(state, SYNC_NOW_SHORTCUT))
        self.label.setStyleSheet("color: #b00020;" if sync_display.needs_attention(state) else "")

    def show_progress(self, progress: SyncProgress) -> None:
        if self.dialog is not None:
            self.dialog.show_progress(progress)

    def sync_now(self) -> SyncNowDialog:
        if self.dialog is None or not (self.dialog.isVisible() or self.dialog.running):
            if self.dialog is not None:
                self.dialog.deleteLater()
            self.dialog = SyncNowDialog(self.runtime, self.window)
            self.dialog.start()
        self.dialog.show()  # one manual sync at a time: a second Ctrl+Shift+S shows the one still running
        self.dialog.raise_()
        return self.dialog

    def retry_failed(self) -> None:
        def done(count: int) -> None:
            self.window.statusBar().showMessage(arg(self.tr("%1 refused entries queued again"), count), 8000)

        BackgroundOp(
            lambda _r, _c: int(self.runtime.retry_failed()),
            done,
            lambda exc: self.window.statusBar().showMessage(error_text(exc), 8000),
            owner=self.label,
        ).start()


class SyncNowDialog(QDialog):
    """A manual cycle off the GUI thread: progress of the case being sent, then a summary. Cancel stops
    after the case being sent (nothing is half-sent: the outbox entry stays pending); Close hides the
    dialog while the cycle finishes in the background."""

    finished_cycle = Signal(object)  # CycleReport, or the exception

    def __init__(self, runtime: SyncRuntime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncNowDialog")
        self.setWindowTitle(self.tr("Sync with the back office"))
        self.setMinimumWidth(440)
        self.runtime = runtime
        self.text = label(name="syncNowText", wrap=True)
        self.detail = label(name="syncNowDetail", wrap=True)
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
        self.text.setText(sync_display.sending_line(self.runtime.last_state.pending))  # no store read here
        self.running = True
        self.op = BackgroundOp(
            lambda _report, cancel: self.runtime.run_once(cancel), self._done, self._failed, owner=self
        ).start()

    def show_progress(self, p: SyncProgress) -> None:
        if not self.running:
            return
        if p.bytes_total:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * p.bytes_sent / p.bytes_total))
        self.detail.setText(sync_display.progress_line(p))

    def cancel(self) -> None:
        if self.op is not None and self.running:
            self.op.cancel()
            self.cancel_button.setEnabled(False)
            self.text.setText(self.tr("Stopping after the case being sent…"))

    def _done(self, report: CycleReport) -> None:
        self.report = report
        self.bar.setValue(1)
        self._end(sync_display.cycle_summary(report), report)
        self.detail.setText("")
        self.close_button.setFocus()

    def _failed(self, exc: BaseException) -> None:
        self._end(sync_display.not_finished(error_text(exc)), exc)

    def _end(self, text: str, outcome: object) -> None:
        self.running = False
        self.bar.setRange(0, 1)
        self.cancel_button.setEnabled(False)
        self.text.setText(text)
        self.finished_cycle.emit(outcome)

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
