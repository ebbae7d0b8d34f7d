"""Start-up of the GUI: QApplication, translations, the login dialog, then the main window."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from clerk_app.app_context import AppContext, build_context
from clerk_app.errors import ClerkAppError
from clerk_app.settings import Settings

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
    app.setApplicationName("clerk-app")
    app.setApplicationDisplayName("一窗受理工作台")
    return app  # type: ignore[return-value]


def run(settings: Settings) -> int:
    from ui.login import LoginDialog
    from ui.main_window import MainWindow

    app = create_application()
    translations = Translations(app)
    translations.apply(settings.language)
    from clerk_app.logging_setup import setup_logging

    setup_logging(settings.resolved_data_dir())  # idempotent: cli.main may have done it already
    try:
        ctx: AppContext = build_context(settings)
    except ClerkAppError as exc:
        QMessageBox.critical(None, "一窗受理工作台", exc.user_message())
        return 2
    if settings.demo:
        from clerk_app.demo import seed_demo_users

        seed_demo_users(ctx)
    ctx.purge_expired_in_background()
    windows: list[MainWindow] = []

    def show_login() -> None:
        dialog = LoginDialog(ctx, translations)
        if dialog.exec() != LoginDialog.DialogCode.Accepted or dialog.actor is None:
            app.quit()
            return
        window = MainWindow(ctx, dialog.actor, translations)
        window.logged_out.connect(lambda: (windows.clear(), QTimer.singleShot(0, show_login)))
        windows[:] = [window]
        window.show()

    QTimer.singleShot(0, show_login)
    code = app.exec()
    ctx.close()
    return code
