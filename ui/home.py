"""Home page: greeting and the window's queue of drafts and handed-over cases. Everything it shows is
read off the GUI thread in one call (``clerk_app.worklists.home_view``): the user's name, the calendar
warning, each line of the queue."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from clerk_app.cases import QueueScope
from clerk_app.worklists import HomeView, home_view
from ui.operations import error_text
from ui.typed_qt import QT_TRANSLATE_NOOP
from ui.widgets.common import NOTE_STYLE, ListReader, Retranslating, add, label, shortcut

if TYPE_CHECKING:
    from ui.pages import PageHost


SCOPES: tuple[QueueScope, ...] = ("mine", "window", "all")
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
        self.reader = ListReader(self, self._show, lambda exc: self._fill([(None, error_text(exc))]))
        self.greeting = label(name="greeting", style="font-size: 18px; padding: 8px;")
        # Next year's holiday schedule missing (supervisors, admins).
        self.calendar_warning = label(name="calendarWarning", style=NOTE_STYLE, wrap=True, visible=False)
        self.queue_title = label(style="font-weight: bold; padding-top: 12px;")
        self.queue = QListWidget()
        self.queue.setObjectName("draftQueue")
        self.queue.itemActivated.connect(self._activated)
        # 通办: the queue is the hall's; Ctrl+1 / Ctrl+2 / Ctrl+3 narrow it to mine / this window / all.
        self.scope: QueueScope = "all"
        self.scope_buttons: dict[str, QRadioButton] = {}  # one parent: they exclude each other
        scope_row = QHBoxLayout()
        for i, key in enumerate(SCOPES, start=1):
            radio = QRadioButton()
            radio.setObjectName(f"scope_{key}")
            radio.setChecked(key == self.scope)
            radio.toggled.connect(lambda on, k=key: self.set_scope(k) if on else None)
            self.scope_buttons[key] = radio
            scope_row.addWidget(radio)
            shortcut(self, f"Ctrl+{i}", partial(self.set_scope, key))
        scope_row.addStretch(1)
        add(QVBoxLayout(self), self.greeting, self.calendar_warning, self.queue_title, scope_row, (self.queue, 1))
        self.retranslate()

    def retranslate(self) -> None:
        self.queue_title.setText(self.tr("Drafts and cases handed over to the windows of the hall"))
        for key, button in self.scope_buttons.items():
            button.setText(self.tr(SCOPE_TEXT[key]))
        self.refresh()  # the greeting and the queue's lines are the core's texts: read them again

    def showEvent(self, event) -> None:
        self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        """Read what the page shows off the GUI thread; when reads overlap only the latest is shown."""
        ctx, actor, scope = self.window_.ctx, self.window_.actor, self.scope
        today = ctx.clock.now().date()
        self.reader.read(
            lambda: home_view(ctx.users, ctx.cases, ctx.calendar, today, actor, scope),
            self.tr("Drafts and cases handed over to the windows of the hall"),
        )

    def _show(self, view: HomeView) -> None:
        self.greeting.setText(view.greeting)
        self.calendar_warning.setText(view.calendar_warning or "")
        self.calendar_warning.setVisible(view.calendar_warning is not None)
        self._fill(view.queue)

    def _fill(self, rows: list[tuple[str | None, str]]) -> None:
        self.queue.clear()
        for case_id, text in rows:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, case_id)
            self.queue.addItem(item)

    def set_scope(self, scope: QueueScope) -> None:
        if scope != self.scope:
            self.scope = scope
            self.scope_buttons[scope].setChecked(True)
            self.refresh()

    def _activated(self, item: QListWidgetItem) -> None:
        case_id = item.data(Qt.ItemDataRole.UserRole)
        if case_id:
            self.open_case.emit(case_id)
