"""Home page: greeting and the window's queue of drafts and handed-over cases."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from clerk_app import i18n
from clerk_app.lifecycle import STATUS_LABELS
from clerk_app.promised_dates import schedule_warning
from clerk_app.roles import ROLE_LABELS, Permission

if TYPE_CHECKING:
    from ui.pages import PageHost


class HomePage(QWidget):
    open_case = Signal(str)

    def __init__(self, window: PageHost) -> None:
        super().__init__()
        self.window_ = window
        self.greeting = QLabel()
        self.greeting.setObjectName("greeting")
        self.greeting.setStyleSheet("font-size: 18px; padding: 8px;")
        self.calendar_warning = QLabel()  # next year's holiday schedule missing (supervisors, admins)
        self.calendar_warning.setObjectName("calendarWarning")
        self.calendar_warning.setWordWrap(True)
        self.calendar_warning.setStyleSheet("color: #8a4b00; background: #fff4e0; padding: 6px;")
        self.queue_title = QLabel()
        self.queue_title.setStyleSheet("font-weight: bold; padding-top: 12px;")
        self.queue = QListWidget()
        self.queue.setObjectName("draftQueue")
        self.queue.itemActivated.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.addWidget(self.greeting)
        layout.addWidget(self.calendar_warning)
        layout.addWidget(self.queue_title)
        layout.addWidget(self.queue, 1)
        self.retranslate()
        self.refresh()

    def retranslate(self) -> None:
        actor = self.window_.actor
        role = i18n.text(ROLE_LABELS[actor.role])
        name = self.window_.ctx.users.display_name(actor.user_id) if actor.user_id is not None else actor.username
        self.greeting.setText(self.tr("Welcome, %1 (%2)").replace("%1", name).replace("%2", role))
        self.queue_title.setText(self.tr("Drafts and cases handed over to this window"))
        ctx = self.window_.ctx
        warning = schedule_warning(ctx.calendar, ctx.clock.now().date(), actor.role)
        self.calendar_warning.setText(warning or "")
        self.calendar_warning.setVisible(warning is not None)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            self.refresh()
        super().changeEvent(event)

    def showEvent(self, event) -> None:
        self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        self.queue.clear()
        actor = self.window_.actor
        if not actor.can(Permission.CASE_EDIT_DRAFT):
            self.queue.addItem(QListWidgetItem(self.tr("(no intake work for this role)")))
            return
        for case in self.window_.ctx.cases.drafts(actor):
            who = case.applicant.name if case.applicant else "—"
            item = QListWidgetItem(f"{i18n.text(STATUS_LABELS[case.status])}  ·  {case.item_name}  ·  {who}")
            item.setData(Qt.ItemDataRole.UserRole, case.id)
            self.queue.addItem(item)
        if self.queue.count() == 0:
            self.queue.addItem(QListWidgetItem(self.tr("(no open drafts)")))

    def _activated(self, item: QListWidgetItem) -> None:
        case_id = item.data(Qt.ItemDataRole.UserRole)
        if case_id:
            self.open_case.emit(case_id)
