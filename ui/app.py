"""Start-up of the GUI: QApplication, translations, the login dialog, then the main window."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

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
    return app


def run(settings: Settings) -> int:
    """The login window first; the context is built on a worker thread meanwhile (clerk_app.startup)."""
    from ui.login import LoginDialog

    app = create_application()
    app.setQuitOnLastWindowClosed(False)  # signing out closes the main window and shows the login again
    translations = Translations(app)
    translations.apply(settings.language)
    from clerk_app.logging_setup import setup_logging

    setup_logging(settings.resolved_data_dir())  # idempotent: cli.main may have done it already
    pending = PendingContext(settings).start()
    windows: list[QWidget] = []

    def show_login() -> None:
        dialog = LoginDialog(pending, translations)
        actor = dialog.actor if dialog.exec() == LoginDialog.DialogCode.Accepted else None
        if actor is None:
            if pending.ready and not _started_ok(pending):
                QMessageBox.critical(None, "一窗受理工作台", _start_error(pending))
            app.quit()
            return
        from ui.main_window import MainWindow

        window = MainWindow(dialog.ctx, actor, translations)

        def logged_out() -> None:
            windows.clear()
            QTimer.singleShot(0, show_login)

        window.logged_out.connect(logged_out)
        window.closed_by_user.connect(app.quit)
        windows[:] = [window]
        window.show()

    QTimer.singleShot(0, show_login)
    code = app.exec()
    if pending.ready and _started_ok(pending):
        pending.result().close()
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
