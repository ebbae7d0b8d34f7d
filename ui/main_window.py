"""The main window shell: menus, a home page with the window's draft queue, and a status bar that
later parts fill (card reader, scanner, printer, sync). Keyboard-first: every action has a shortcut."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QLabel, QListWidget, QListWidgetItem, QMainWindow, QStatusBar,
                               QVBoxLayout, QWidget)

from clerk_app import i18n
from clerk_app.app_context import AppContext
from clerk_app.lifecycle import STATUS_LABELS
from clerk_app.roles import ROLE_LABELS, Actor, Permission


class MainWindow(QMainWindow):
    logged_out = Signal()

    def __init__(self, ctx: AppContext, actor: Actor, translations: object) -> None:
        super().__init__()
        self.ctx = ctx
        self.actor = actor
        self._translations = translations
        self.setObjectName("mainWindow")
        self.resize(1280, 800)

        self.home = QWidget()
        self.home.setObjectName("home")
        self.greeting = QLabel()
        self.greeting.setObjectName("greeting")
        self.greeting.setStyleSheet("font-size: 18px; padding: 8px;")
        self.queue_title = QLabel()
        self.queue_title.setStyleSheet("font-weight: bold; padding-top: 12px;")
        self.queue = QListWidget()
        self.queue.setObjectName("draftQueue")
        layout = QVBoxLayout(self.home)
        layout.addWidget(self.greeting)
        layout.addWidget(self.queue_title)
        layout.addWidget(self.queue, 1)
        self.setCentralWidget(self.home)

        status = QStatusBar()
        self.setStatusBar(status)
        self.user_label = QLabel()
        self.user_label.setObjectName("statusUser")
        self.station_label = QLabel()
        self.card_label = QLabel()
        self.card_label.setObjectName("statusCard")
        self.scanner_label = QLabel()
        self.scanner_label.setObjectName("statusScanner")
        self.printer_label = QLabel()
        self.printer_label.setObjectName("statusPrinter")
        self.sync_label = QLabel()
        self.sync_label.setObjectName("statusSync")
        for w in (self.user_label, self.station_label):
            status.addWidget(w)
        for w in (self.card_label, self.scanner_label, self.printer_label, self.sync_label):
            status.addPermanentWidget(w)

        self.logout_action = QAction(self)
        self.logout_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.logout_action.triggered.connect(self.logout)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        self.lang_zh = QAction("简体中文", self)
        self.lang_zh.triggered.connect(lambda: self.set_language("zh_CN"))
        self.lang_en = QAction("English", self)
        self.lang_en.triggered.connect(lambda: self.set_language("en"))
        self.file_menu = self.menuBar().addMenu("")
        self.file_menu.addAction(self.logout_action)
        self.file_menu.addAction(self.quit_action)
        self.view_menu = self.menuBar().addMenu("")
        self.view_menu.addAction(self.lang_zh)
        self.view_menu.addAction(self.lang_en)
        self.retranslate()
        self.refresh_queue()

    def retranslate(self) -> None:
        s = self.ctx.settings
        self.setWindowTitle(self.tr("Comprehensive Window Workstation") + f" — {s.hall_name}")
        self.file_menu.setTitle(self.tr("&Session"))
        self.view_menu.setTitle(self.tr("&Language"))
        self.logout_action.setText(self.tr("Sign &out"))
        self.quit_action.setText(self.tr("&Quit"))
        role = i18n.text(ROLE_LABELS[self.actor.role])
        self.greeting.setText(self.tr("Welcome, %1 (%2)").replace("%1", self.actor.username).replace("%2", role))
        self.queue_title.setText(self.tr("Drafts and cases handed over to this window"))
        self.user_label.setText(self.tr("User: %1 · No. %2 · %3").replace("%1", self.actor.username)
                                .replace("%2", self.actor.staff_no).replace("%3", role))
        self.station_label.setText(self.tr("Station %1 · Window %2").replace("%1", s.station_code)
                                   .replace("%2", s.window_no))
        self.card_label.setText(self.tr("Card reader: %1").replace("%1", s.card_backend))
        self.scanner_label.setText(self.tr("Scanner: %1").replace("%1", s.scanner_backend))
        self.printer_label.setText(self.tr("Printer: %1").replace("%1", s.printer_backend))
        self.sync_label.setText(self.tr("Back office: offline") if not s.backoffice_url else self.tr("Back office: %1").replace("%1", s.backoffice_url))

    def refresh_queue(self) -> None:
        self.queue.clear()
        if not self.actor.can(Permission.CASE_EDIT_DRAFT):
            self.queue.addItem(QListWidgetItem(self.tr("(no intake work for this role)")))
            return
        for case in self.ctx.cases.drafts(self.actor):
            item = QListWidgetItem(f"{i18n.text(STATUS_LABELS[case.status])}  ·  {case.item_name}  ·  "
                                   f"{case.applicant.name if case.applicant else '—'}")
            item.setData(Qt.ItemDataRole.UserRole, case.id)
            self.queue.addItem(item)
        if self.queue.count() == 0:
            self.queue.addItem(QListWidgetItem(self.tr("(no open drafts)")))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt naming)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def set_language(self, language: str) -> None:
        i18n.set_language(language)
        self._translations.apply(language)  # type: ignore[attr-defined]
        self.ctx.auditor.record_now(self.actor, "settings.language", language=language)

    def logout(self) -> None:
        self.ctx.users.logout(self.actor)
        self.close()
        self.logged_out.emit()
