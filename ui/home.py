"""Home page: greeting and the window's queue of drafts and handed-over cases (read off the GUI thread;
each line from ``clerk_app.worklists.queue_text``)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from clerk_app import i18n
from clerk_app.promised_dates import schedule_warning
from clerk_app.roles import ROLE_LABELS, Permission
from clerk_app.worklists import queue_text
from ui.operations import error_text
from ui.typed_qt import QT_TRANSLATE_NOOP
from ui.widgets.slim_b import NOTE_STYLE, ListReader, Retranslating, add, label, shortcut

if TYPE_CHECKING:
    from ui.pages import PageHost


SCOPES = ("mine", "window", "all")
SCOPE_TEXT = {
    "mine": QT_TRANSLATE_NOOP("HomePage", "Mine (Ctrl+1)"),
    "window": QT_TRANSLATE_NOOP("HomePage", "This window (Ctrl+2)"),
    "all": QT_TRANSLATE_NOOP("HomePage", "Whole hall (Ctrl+3)"),
}


class HomePage(Retranslating, QWidget):
    open_case = Signal(str)

    def __init__(self, window: PageHost) -> None:
        super().__init__()
        self.window_ = window
        self.reader = ListReader(
            self,
            lambda rows: self._fill(rows, self.tr("(no open drafts)")),
            lambda exc: self._fill([], error_text(exc)),
        )
        self.greeting = label(name="greeting", style="font-size: 18px; padding: 8px;")
        # Next year's holiday schedule missing (supervisors, admins).
        self.calendar_warning = label(name="calendarWarning", style=NOTE_STYLE, wrap=True)
        self.queue_title = label(style="font-weight: bold; padding-top: 12px;")
        self.queue = QListWidget()
        self.queue.setObjectName("draftQueue")
        self.queue.itemActivated.connect(self._activated)
        # 通办: the queue is the hall's; Ctrl+1 / Ctrl+2 / Ctrl+3 narrow it to mine / this window / all.
        self.scope = "all"
        self.scope_buttons: dict[str, QRadioButton] = {}
        self.scope_group = QButtonGroup(self)
        scope_row = QHBoxLayout()
        for i, key in enumerate(SCOPES, start=1):
            radio = QRadioButton()
            radio.setObjectName(f"scope_{key}")
            radio.setChecked(key == self.scope)
            radio.toggled.connect(lambda on, k=key: self.set_scope(k) if on else None)
            self.scope_group.addButton(radio)
            self.scope_buttons[key] = radio
            scope_row.addWidget(radio)
            shortcut(self, f"Ctrl+{i}", partial(self.set_scope, key))
        scope_row.addStretch(1)
        add(QVBoxLayout(self), self.greeting, self.calendar_warning, self.queue_title, scope_row, (self.queue, 1))
        self.retranslate()

    def retranslate(self) -> None:
        actor = self.window_.actor
        role = i18n.text(ROLE_LABELS[actor.role])
        name = self.window_.ctx.users.display_name(actor.user_id) if actor.user_id is not None else actor.username
        self.greeting.setText(self.tr("Welcome, %1 (%2)").replace("%1", name).replace("%2", role))
        self.queue_title.setText(self.tr("Drafts and cases handed over to the windows of the hall"))
        for key, button in self.scope_buttons.items():
            button.setText(self.tr(SCOPE_TEXT[key]))
        ctx = self.window_.ctx
        warning = schedule_warning(ctx.calendar, ctx.clock.now().date(), actor.role)
        self.calendar_warning.setText(warning or "")
        self.calendar_warning.setVisible(warning is not None)
        self.refresh()

    def showEvent(self, event) -> None:
        self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        """Read the queue off the GUI thread (the hall's drafts with their claims: two queries)."""
        actor, cases, scope = self.window_.actor, self.window_.ctx.cases, self.scope
        if not actor.can(Permission.CASE_EDIT_DRAFT):
            self._fill([], self.tr("(no intake work for this role)"))
            return

        def read() -> list[tuple[str, str]]:
            drafts = cases.drafts(actor, scope=scope)  # type: ignore[arg-type]
            claims = cases.claims_of([c.id for c in drafts])  # one query for the whole list
            return [(c.id, queue_text(c, claims.get(c.id), actor.user_id)) for c in drafts]

        self.reader.read(read, self.tr("Drafts and cases handed over to the windows of the hall"))

    def _fill(self, rows: list[tuple[str, str]], empty: str) -> None:
        self.queue.clear()
        for case_id, text in rows:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, case_id)
            self.queue.addItem(item)
        if not rows:
            self.queue.addItem(QListWidgetItem(empty))

    def set_scope(self, scope: str) -> None:
        if scope in SCOPES and scope != self.scope:
            self.scope = scope
            self.scope_buttons[scope].setChecked(True)
            self.refresh()

    def _activated(self, item: QListWidgetItem) -> None:
        case_id = item.data(Qt.ItemDataRole.UserRole)
        if case_id:
            self.open_case.emit(case_id)
