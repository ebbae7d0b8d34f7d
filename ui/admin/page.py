"""The administrator's page (F10): one tab per area the admin manages, each shown only with its
permission — catalogue versions (CATALOGUE_MANAGE), user accounts (USER_MANAGE), settings and
devices (SETTINGS_MANAGE)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from clerk_app.roles import Permission

if TYPE_CHECKING:
    from ui.pages import PageHost


class AdminPage(QWidget):
    def __init__(self, host: PageHost) -> None:
        super().__init__()
        self.host = host
        self.tabs = QTabWidget()
        self.tabs.setObjectName("adminTabs")
        self.catalogue = None
        self.users = None
        if host.actor.can(Permission.CATALOGUE_MANAGE):
            from ui.admin.catalogue_panel import CataloguePanel

            self.catalogue = CataloguePanel(host)
            self.tabs.addTab(self.catalogue, "")
        if host.actor.can(Permission.USER_MANAGE):
            from ui.admin.users_panel import UsersPanel

            self.users = UsersPanel(host)
            self.tabs.addTab(self.users, "")
        self.settings = None
        if host.actor.can(Permission.SETTINGS_MANAGE):
            from ui.admin.settings_panel import SettingsPanel

            self.settings = SettingsPanel(host)
            self.tabs.addTab(self.settings, "")
        self.devices = None
        if host.actor.can(Permission.SETTINGS_MANAGE):
            from ui.admin.devices_panel import DevicesPanel

            self.devices = DevicesPanel(host)
            self.tabs.addTab(self.devices, "")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        self.retranslate()

    def focus_first(self) -> None:
        current = self.tabs.currentWidget()
        target = getattr(current, "table", None)
        (target or self.tabs).setFocus()

    def retranslate(self) -> None:
        for i in range(self.tabs.count()):
            widget = self.tabs.widget(i)
            if widget is self.catalogue:
                self.tabs.setTabText(i, self.tr("Catalogue versions"))
            elif widget is self.users:
                self.tabs.setTabText(i, self.tr("User accounts"))
            elif widget is self.settings:
                self.tabs.setTabText(i, self.tr("Settings"))
            elif widget is self.devices:
                self.tabs.setTabText(i, self.tr("Devices"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
