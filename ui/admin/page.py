"""The administrator's page (F10): one tab per area the admin manages, each shown only with its
permission — catalogue versions (CATALOGUE_MANAGE), user accounts (USER_MANAGE), settings and
devices (SETTINGS_MANAGE)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from clerk_app.roles import Permission
from ui.admin.catalogue_panel import CataloguePanel
from ui.admin.devices_panel import DevicesPanel
from ui.admin.settings_panel import SettingsPanel
from ui.admin.users_panel import UsersPanel
from ui.widgets.common import Retranslating, add

if TYPE_CHECKING:
    from ui.pages import PageHost


class AdminPage(Retranslating, QWidget):
    def __init__(self, host: PageHost) -> None:
        super().__init__()
        self.host = host
        self.tabs = QTabWidget()
        self.tabs.setObjectName("adminTabs")
        can = host.actor.can
        self.catalogue = CataloguePanel(host) if can(Permission.CATALOGUE_MANAGE) else None
        self.users = UsersPanel(host) if can(Permission.USER_MANAGE) else None
        self.settings = SettingsPanel(host) if can(Permission.SETTINGS_MANAGE) else None
        self.devices = DevicesPanel(host) if can(Permission.SETTINGS_MANAGE) else None
        for panel in self._panels():
            if panel is not None:
                self.tabs.addTab(panel, "")
        add(QVBoxLayout(self), self.tabs)
        self.retranslate()

    def _panels(self) -> tuple[QWidget | None, ...]:
        return (self.catalogue, self.users, self.settings, self.devices)

    def focus_first(self) -> None:
        target = getattr(self.tabs.currentWidget(), "table", None)
        (target or self.tabs).setFocus()

    def retranslate(self) -> None:
        titles = (self.tr("Catalogue versions"), self.tr("User accounts"), self.tr("Settings"), self.tr("Devices"))
        for panel, title in zip(self._panels(), titles):
            if panel is not None:
                self.tabs.setTabText(self.tabs.indexOf(panel), title)
