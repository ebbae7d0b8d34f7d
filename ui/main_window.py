"""The main window: one tab per page (ui/pages.py) the role may use, each with a function-key
shortcut; a status bar that the device, print and sync parts fill. Keyboard-first throughout."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox, QStatusBar, QTabWidget, QWidget

from clerk_app import i18n
from clerk_app.app_context import AppContext
from clerk_app.roles import ROLE_LABELS, Actor, Permission
from clerk_app.version import app_version
from ui.current_case import CurrentCase
from ui.operations import BackgroundOp, Relay, error_text
from ui.pages import PAGES, Page
from ui.session_lock import IdleLock
from ui.typed_qt import QT_TRANSLATE_NOOP
from ui.widgets.common import Retranslating, arg, label

if TYPE_CHECKING:
    from devices.cards.api import CardReaderService

log = logging.getLogger(__name__)

# Backend names from the settings, as the status bar says them (they leaked as English before).
_BACKEND_LABELS = {
    "simulated": QT_TRANSLATE_NOOP("Backends", "simulated (demo)"),
    "pyscard": QT_TRANSLATE_NOOP("Backends", "PC/SC reader"),
    "ga467": QT_TRANSLATE_NOOP("Backends", "resident ID reader"),
    "both": QT_TRANSLATE_NOOP("Backends", "PC/SC + resident ID readers"),
    "sane": QT_TRANSLATE_NOOP("Backends", "SANE scanner"),
    "folder": QT_TRANSLATE_NOOP("Backends", "import folder"),
    "pdf-folder": QT_TRANSLATE_NOOP("Backends", "PDF folder"),
    "cups": QT_TRANSLATE_NOOP("Backends", "CUPS printer"),
    "none": QT_TRANSLATE_NOOP("Backends", "not configured"),
}


def backend_label(name: str) -> str:
    source = _BACKEND_LABELS.get(name)
    return QCoreApplication.translate("Backends", source) if source else name


class MainWindow(Retranslating, QMainWindow):
    logged_out = Signal()
    closed_by_user = Signal()  # closed other than by signing out (Quit, the window's close button)

    def __init__(self, ctx: AppContext, actor: Actor, translations: object) -> None:
        super().__init__()
        self.ctx = ctx
        self.actor = actor
        self.translations = translations
        self.current_case = CurrentCase()
        self.setObjectName("mainWindow")
        self.resize(1366, 800)

        self.tabs = QTabWidget()  # pages across the top (issue 17): the width is the desk's
        self.tabs.setObjectName("pages")
        self.pages: dict[str, QWidget] = {}
        self._page_defs: list[Page] = []
        for page in PAGES:
            if page.permission is not None and not actor.can(page.permission):
                continue
            widget = page.factory(self)
            widget.setObjectName(f"page_{page.key}")
            self.pages[page.key] = widget
            self._page_defs.append(page)
            self.tabs.addTab(widget, "")
            action = QAction(self)
            action.setShortcut(QKeySequence(page.shortcut))
            action.triggered.connect(lambda _=False, w=widget: self.show_page(w))
            self.addAction(action)
        self.setCentralWidget(self.tabs)
        home, intake = self.pages.get("home"), self.pages.get("intake")
        if home is not None and intake is not None:
            home.open_case.connect(self.open_case)  # type: ignore[attr-defined]
        if intake is not None:  # Ctrl+N and F5 (下一位) work from every page: to intake, desk cleared
            for name in ("new_action", "call_next_action"):
                action = getattr(intake, name)
                action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
                action.triggered.connect(lambda _=False: self.tabs.setCurrentWidget(intake))
                self.addAction(action)
        self._card_service: CardReaderService | None = None

        status = QStatusBar()
        self.setStatusBar(status)
        self.user_label, self.station_label = label(name="statusUser"), label()
        status.addWidget(self.user_label)
        status.addWidget(self.station_label)
        self.card_label, self.scanner_label = label(name="statusCard"), label(name="statusScanner")
        self.printer_label, self.sync_label = label(name="statusPrinter"), label(name="statusSync")
        self.version_label = label(name="statusVersion")
        for widget in (self.card_label, self.scanner_label, self.printer_label, self.sync_label, self.version_label):
            status.addPermanentWidget(widget)

        self.lock_action = self._action("Ctrl+Alt+L", lambda: self.idle_lock.lock("manual"))
        self.lock_action.setObjectName("lockAction")
        self.logout_action = self._action("Ctrl+Shift+L", self.logout)
        self.quit_action = self._action("Ctrl+Q", self.close)
        self.help_action = self._action("F12", self.show_shortcuts)
        self.card_diag_action = self._action("Ctrl+Shift+D", self.show_card_diagnostics)
        self.lang_zh = self._action("", lambda: self.set_language("zh_CN"), "简体中文")
        self.lang_en = self._action("", lambda: self.set_language("en"), "English")
        self.about_action = self._action("", self.show_about)
        self.file_menu = self.menuBar().addMenu("")
        self.file_menu.addActions([self.lock_action, self.logout_action, self.quit_action])
        self.view_menu = self.menuBar().addMenu("")
        self.view_menu.addActions([self.help_action, self.card_diag_action])
        self.view_menu.addSeparator()
        self.view_menu.addActions([self.lang_zh, self.lang_en])
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.about_action)
        self.retranslate()
        self._reader_states: dict[str, str] = {}
        if actor.can(Permission.CASE_CREATE):  # reader state visible from the start of the session
            devices = ctx.devices  # built off the GUI thread (loading pyscard, opening the PC/SC context)
            BackgroundOp(lambda _r, _c: devices.card_reader(), self._watch, self._no_reader, owner=self).start()
        # Idle lock (ui/session_lock.py): signals warning/locked/unlocked; the draft stays open.
        self.idle_lock = IdleLock(self)
        # The applicant's screen (ui/customer, issue 9): for clerks, unless switched off in settings.
        if actor.can(Permission.CASE_DECIDE) and ctx.settings.customer_window:
            from ui.customer.window import attach_customer_window

            attach_customer_window(self)
        # Printing (issue 6): documents on decision, preview, reprint, queue and retry (ui/printing_ui.py).
        if actor.can(Permission.PRINT):
            from ui.printing_ui import attach_printing

            attach_printing(self)
        # Sync with the back office (issue 7): state in the status bar, Sync now, Retry failed (ui/sync_ui.py).
        from ui.sync_ui import attach_sync

        attach_sync(self)

    def _action(self, keys: str, slot: Callable[[], object], text: str = "") -> QAction:
        """A window-wide action (its text, when translated, is set in ``retranslate``)."""
        action = QAction(text, self)
        if keys:
            action.setShortcut(QKeySequence(keys))
        action.triggered.connect(lambda _=False: slot())
        return action

    # -- PageHost (ui/pages.py): what the pages may use ---------------------------------------------
    def show_status(self, text: str, timeout_ms: int = 0) -> None:
        """A transient message in the status line; an empty text clears it."""
        if text:
            self.statusBar().showMessage(text, timeout_ms)
        else:
            self.statusBar().clearMessage()

    def show_device_status(self, device: str, text: str) -> None:
        """The permanent label of a device in the status bar ("card", "scanner", "printer")."""
        label = {"card": self.card_label, "scanner": self.scanner_label, "printer": self.printer_label}[device]
        label.setText(text)

    def open_case(self, case_id: str) -> None:
        """Put a draft (or a handed-over case) on the desk in the intake page, claimed for this clerk; one
        another window holds opens read-only in the case view instead (ui/claims.py)."""
        from ui.claims import open_for_work

        intake = self.pages.get("intake")
        if intake is None:
            return

        def claimed() -> None:
            intake.open_case(case_id)  # type: ignore[attr-defined]
            self.show_page(intake)

        open_for_work(self, case_id, claimed, owner=intake)

    def card_service(self) -> CardReaderService | None:
        """The station's card reader (built by the composition root on first use); its reader states
        reach the status bar on the GUI thread through a Relay."""
        if self._card_service is None:
            from clerk_app.errors import ClerkAppError

            try:
                self._watch(self.ctx.devices.card_reader())
            except ClerkAppError as exc:
                self._no_reader(exc)
        return self._card_service

    def _watch(self, service: CardReaderService | None) -> None:
        if service is not None and self._card_service is None:
            self._card_relay = Relay(self)
            service.start_watching(self._card_relay.wrap(self._card_state))
            self._card_service = service

    def _no_reader(self, exc: BaseException) -> None:  # e.g. pyscard missing: say why, keep working
        self.card_label.setText(arg(self.tr("Card reader: %1"), error_text(exc)))

    def _card_state(self, reader: str, reader_state: object, error: object = None) -> None:
        state = str(getattr(reader_state, "value", reader_state))
        before = self._reader_states.get(reader)
        self._reader_states[reader] = state
        if (
            state == "card_present"
            and before in ("reader_ready", "no_reader", "error")  # placed now: not a card already there
            and self.ctx.settings.card_read_on_placement
        ):
            intake = self.pages.get("intake")
            if intake is not None and self.tabs.currentWidget() is intake:
                intake.read_on_placement(reader)  # type: ignore[attr-defined]
        self._last_card_state = state
        if error is not None and hasattr(error, "user_message"):
            self.card_label.setToolTip(error.user_message())
        self.card_label.setText(arg(self.tr("Card reader: %1"), self._card_state_text()))

    def _card_state_text(self) -> str:
        from clerk_app.card_diagnostics import state_text

        state = getattr(self, "_last_card_state", None)
        return state_text(state) if state else backend_label(self.ctx.devices.card_backend)

    def show_card_diagnostics(self) -> None:
        from ui.card_diagnostics import CardDiagnosticsDialog

        self.card_diagnostics = CardDiagnosticsDialog(self.card_service(), self)
        self.card_diagnostics.show()

    def show_about(self) -> None:
        text = self.tr("Comprehensive Window Workstation") + "\n" + arg(self.tr("Version %1"), app_version())
        QMessageBox.about(self, self.tr("About"), text)

    def show_shortcuts(self) -> None:
        from ui.shortcuts_help import ShortcutsHelp

        extra = [(p.shortcut, QCoreApplication.translate("Pages", p.title)) for p in self._page_defs]
        sections = [(QCoreApplication.translate("Pages", p.title), self.pages[p.key]) for p in self._page_defs]
        self.shortcuts_dialog = ShortcutsHelp(self, extra, sections)
        self.shortcuts_dialog.show()

    def show_page(self, widget: QWidget | str) -> None:
        if isinstance(widget, str):
            widget = self.pages[widget]
        self.tabs.setCurrentWidget(widget)
        focus_first = getattr(widget, "focus_first", None)  # e.g. intake: the item search (F2)
        if callable(focus_first):
            focus_first()
        else:
            widget.setFocus()

    def retranslate(self) -> None:
        s = self.ctx.settings
        self.setWindowTitle(self.tr("Comprehensive Window Workstation") + f" — {s.hall_name}")
        for i, page in enumerate(self._page_defs):
            self.tabs.setTabText(i, f"{QCoreApplication.translate('Pages', page.title)}  {page.shortcut}")
        self.file_menu.setTitle(self.tr("&Session"))
        self.view_menu.setTitle(self.tr("&View"))
        self.logout_action.setText(self.tr("Sign &out"))
        self.lock_action.setText(self.tr("&Lock screen"))
        self.quit_action.setText(self.tr("&Quit"))
        self.help_action.setText(self.tr("Keyboard shortcuts"))
        self.card_diag_action.setText(self.tr("Card reader diagnostics"))
        self.about_action.setText(self.tr("&About"))
        self.version_label.setText(arg(self.tr("Version %1"), app_version()))
        role = i18n.text(ROLE_LABELS[self.actor.role])
        self.user_label.setText(arg(self.tr("User: %1 · No. %2 · %3"), self.actor.username, self.actor.staff_no, role))
        self.station_label.setText(arg(self.tr("Station %1 · Window %2"), s.station_code, s.window_no))
        self.card_label.setText(arg(self.tr("Card reader: %1"), self._card_state_text()))
        self.scanner_label.setText(arg(self.tr("Scanner: %1"), backend_label(self.ctx.devices.scanner_backend)))
        self.printer_label.setText(arg(self.tr("Printer: %1"), backend_label(s.printer_backend)))
        printing = getattr(self, "printing", None)  # the print service shows printer state and queue
        if printing is not None:
            printing.update_status_label()
        sync_ui = getattr(self, "sync_ui", None)  # the running worker's state, when sync is configured
        if sync_ui is not None:
            sync_ui.retranslate()
        else:
            offline = self.tr("Back office: offline")
            self.sync_label.setText(arg(self.tr("Back office: %1"), s.backoffice_url) if s.backoffice_url else offline)

    def set_language(self, language: str) -> None:
        i18n.set_language(language)
        self.translations.apply(language)  # type: ignore[attr-defined]
        auditor, actor = self.ctx.auditor, self.actor
        self._core(lambda: auditor.record_now(actor, "settings.language", language=language))

    def _core(self, work: Callable[[], object], then: Callable[[], None] | None = None) -> None:
        """A core write of the window itself, off the GUI thread in order with the pages' writes; a
        failure is logged (the window's own writes never stop the clerk) and ``then`` runs anyway."""

        def finish(outcome: object) -> None:
            if isinstance(outcome, BaseException):
                log.warning("window: core call failed: %s", type(outcome).__name__)
            if then is not None:
                then()

        BackgroundOp(lambda _r, _c: work(), finish, finish, owner=self, ordered=True).start()

    def closeEvent(self, event) -> None:
        service, self._card_service = self._card_service, None
        if service is not None:
            service.stop_watching()  # the context closes the reader itself
        super().closeEvent(event)
        if not getattr(self, "_signing_out", False):
            self.closed_by_user.emit()

    def logout(self) -> None:
        """Sign out: back to the login window (the program keeps running, the store stays open)."""
        self._signing_out = True
        self.idle_lock.stop()
        self.current_case.close()
        cases, users, actor = self.ctx.cases, self.ctx.users, self.actor

        def sign_out() -> None:
            cases.release_mine(actor)  # the cases this clerk held are free for the other windows
            users.logout(actor)

        def done() -> None:
            self.close()
            self.logged_out.emit()

        self._core(sign_out, done)  # after the writes the pages started before
