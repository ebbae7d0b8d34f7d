"""Start-up of the GUI: QApplication, translations, the login dialog, then the main window."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from clerk_app.errors import ClerkAppError
from clerk_app.settings import Settings
from clerk_app.startup import PendingContext

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)
TRANSLATIONS = Path(__file__).resolve().parent.parent / "resources" / "translations"


class Translations:
    """Installs Qt's own and our translators for a language; switchable at run time."""

    def __init__(self, app: QApplication) -> None:
        self._app = app
        self._installed: list[QTranslator] = []

    def apply(self, language: str) -> None:
        for t in self._installed:
            self._app.removeTranslator(t)
        self._installed.clear()
        if language == "en":
            return
        qt = QTranslator(self._app)
        if qt.load(QLocale(language), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            self._app.installTranslator(qt)
            self._installed.append(qt)
        ours = QTranslator(self._app)
        if ours.load(str(TRANSLATIONS / f"clerk_app_{language}.qm")):
            self._app.installTranslator(ours)
            self._installed.append(ours)
        else:
            log.warning("translation file for %s missing; run scripts/setup.sh to build it", language)


def create_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv)
    assert isinstance(app, QApplication)  # a widget application, never a bare QCoreApplication
    app.setApplicationName("clerk-app")
    app.setApplicationDisplayName("一窗受理工作台")
    from ui.collector import install

    install(app)  # garbage cycles (which may hold widgets) are collected on the GUI thread only
    return app


class Session:
    """The login window, then the main window; signing out brings the login window back, Quit or a
    cancelled login ends the program (``on_quit``). Driven by signals, so a test walks the same loop
    as the running program (login dialog → window → Ctrl+Shift+L → login dialog)."""

    def __init__(self, pending: Any, translations: Translations, on_quit: Callable[[], None]) -> None:
        self.pending = pending
        self.translations = translations
        self.on_quit = on_quit
        self.dialog: Any = None  # the login dialog on screen, if any
        self.window: Any = None  # the main window of the signed-in user, if any

    def show_login(self) -> None:
        from ui.login import LoginDialog

        dialog = LoginDialog(self.pending, self.translations)
        self.dialog = dialog
        dialog.finished.connect(lambda code: self._signed_in(dialog, code))
        dialog.open()

    def _signed_in(self, dialog: Any, code: int) -> None:
        from ui.login import LoginDialog

        self.dialog = None
        actor = dialog.actor if code == LoginDialog.DialogCode.Accepted.value else None
        if actor is None:
            if isinstance(self.pending, PendingContext) and self.pending.ready and not _started_ok(self.pending):
                QMessageBox.critical(None, "一窗受理工作台", _start_error(self.pending))
            self.on_quit()
            return
        from ui.main_window import MainWindow

        window = MainWindow(dialog.ctx, actor, self.translations)
        window.logged_out.connect(self._signed_out)
        window.closed_by_user.connect(self.on_quit)
        self.window = window
        window.show()

    def _signed_out(self) -> None:
        self.window = None
        QTimer.singleShot(0, self.show_login)


def run(settings: Settings) -> int:
    """The login window first; the context is built on a worker thread meanwhile (clerk_app.startup)."""
    app = create_application()
    app.setQuitOnLastWindowClosed(False)  # signing out closes the main window and shows the login again
    translations = Translations(app)
    translations.apply(settings.language)
    from clerk_app.logging_setup import setup_logging

    setup_logging(settings.resolved_data_dir())  # idempotent: cli.main may have done it already
    pending = PendingContext(settings).start()
    session = Session(pending, translations, app.quit)
    QTimer.singleShot(0, session.show_login)
    code = app.exec()
    pending.finish()  # a quit during first-start migrations waits for them, then closes the store
    return code


def _started_ok(pending: PendingContext) -> bool:
    try:
        pending.result(timeout=0)
    except BaseException:
        return False
    return True


def _start_error(pending: PendingContext) -> str:
    try:
        pending.result(timeout=0)
    except ClerkAppError as exc:
        return exc.user_message()
    except BaseException:
        log.exception("start-up failed")
        return "启动失败，详细信息已写入日志。"
    return ""
