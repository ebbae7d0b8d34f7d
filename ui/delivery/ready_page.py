"""Results ready for pickup (待领取, Shift+F4): every case of the hall whose result is ready, oldest first,
whichever window accepted it (通办: any window hands it out). Each row says whether the department's
result document has arrived and who, if anyone, is handing the case out right now.

Keyboard: the list has the focus; Enter (or a double click) opens the case on the 出件 page (F4);
type in the filter field (Ctrl+F) to narrow by case number, item or the masked name; the list is read
again every 30 s while shown (the selection stays) and with Ctrl+R
(F5 is the window's 下一位, calling the next ticket).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from clerk_app.cases import ReadyCase
from clerk_app.worklists import ready_cells, ready_headers, ready_matches, ready_summary
from ui.operations import error_text
from ui.widgets.common import (
    ERROR_TEXT_STYLE,
    ListReader,
    Retranslating,
    add,
    button,
    cell,
    fill,
    label,
    line_edit,
    shortcut,
    table,
)

if TYPE_CHECKING:
    from ui.pages import PageHost

log = logging.getLogger(__name__)
AUTO_REFRESH_MS = 30_000  # results arrive with the sync: read the list again while it is shown


class ReadyPage(Retranslating, QWidget):
    def __init__(self, window: PageHost) -> None:
        super().__init__()
        self.window_ = window
        self.rows: list[ReadyCase] = []
        self.with_document: set[str] = set()
        self.reader = ListReader(self, self._show_rows, self._failed)
        self.title = label(style="font-weight: bold; font-size: 15px;")
        self.filter = line_edit("readyFilter", on_enter=lambda: self.table.setFocus())
        self.filter.textChanged.connect(lambda _text: self._fill())
        self.filter_label = label()
        self.filter_label.setBuddy(self.filter)
        self.refresh_button = button("readyRefresh", self.refresh)
        self.open_button = button("readyOpen", self.open_current)
        self.table = table("readyTable", len(ready_headers()))
        self.table.activated.connect(lambda _index: self.open_current())  # Enter, or a double click
        self.count = label(name="readyCount")
        self.error = label(name="readyError", style=ERROR_TEXT_STYLE, wrap=True)
        self.hint = label(style="color: #555;")
        top = add(QHBoxLayout(), self.filter_label, (self.filter, 1), self.refresh_button, self.open_button)
        add(QVBoxLayout(self), self.title, top, (self.table, 1), self.count, self.error, self.hint)
        self.setFocusProxy(self.table)
        self.refresh_action = shortcut(self, "Ctrl+R", self.refresh)  # F5 calls the next ticket, window-wide
        self.filter_action = shortcut(self, "Ctrl+F", self.focus_filter)
        self.auto_refresh = QTimer(self)
        self.auto_refresh.setInterval(AUTO_REFRESH_MS)
        self.auto_refresh.timeout.connect(self.refresh)
        self.retranslate()

    # -- texts ---------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(self.tr("Results ready for pickup in the hall (oldest first)"))
        self.filter_label.setText(self.tr("&Filter"))
        self.filter.setPlaceholderText(self.tr("case number, item or name"))
        self.refresh_button.setText(self.tr("Refresh (Ctrl+R)"))
        self.open_button.setText(self.tr("&Hand out (Enter)"))
        self.refresh_action.setText(self.tr("Refresh the list"))
        self.filter_action.setText(self.tr("Filter the list"))
        self.hint.setText(
            self.tr("Enter: hand out on the delivery page (F4) · Ctrl+F: filter · Ctrl+R: refresh · any window")
        )
        self.table.setHorizontalHeaderLabels(ready_headers())
        self._fill()

    def showEvent(self, event) -> None:
        self.refresh()
        self.auto_refresh.start()
        super().showEvent(event)

    def hideEvent(self, event) -> None:
        self.auto_refresh.stop()
        super().hideEvent(event)

    def focus_filter(self) -> None:
        self.filter.setFocus()
        self.filter.selectAll()

    def focus_first(self) -> None:
        self.table.setFocus()
        if self.table.currentRow() < 0 and self.table.rowCount():
            self.table.selectRow(0)

    # -- data ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the list off the GUI thread (hall-wide); what each cell says comes from the core."""
        ctx, actor = self.window_.ctx, self.window_.actor

        def read() -> tuple[list[ReadyCase], set[str]]:
            rows = ctx.cases.results_ready(actor)
            return rows, ctx.results.cases_with_document(actor, [r.case_id for r in rows])

        self.reader.read(read, self.tr("Refresh the list"))

    def _failed(self, exc: BaseException) -> None:
        log.warning("results ready: %s", exc)
        self._show_rows(([], set()))
        self.error.setText(error_text(exc))

    def _show_rows(self, result: tuple[list[ReadyCase], set[str]]) -> None:
        self.rows, self.with_document = result
        self.error.clear()
        self._fill()

    def _fill(self) -> None:
        """Show the rows the filter lets through; the selection stays on its case (else the first row)."""
        current, needle = self.current_case_number(), self.filter.text()
        shown = [row for row in self.rows if ready_matches(row, needle)]
        cells = [ready_cells(row, row.case_id in self.with_document) for row in shown]
        fill(self.table, cells, keys=[values[0] for values in cells])
        self.count.setText(ready_summary(self.rows))
        if not (current and self.select_case(current)) and shown:
            self.table.selectRow(0)

    def select_case(self, case_number: str) -> bool:
        for r in range(self.table.rowCount()):
            if cell(self.table, r).text() == case_number:
                self.table.selectRow(r)
                return True
        return False

    def current_case_number(self) -> str | None:
        item = self.table.item(self.table.currentRow(), 0)
        return item.text() or None if item is not None else None

    def open_current(self) -> None:
        """Hand the selected case out: the 出件 page looks it up (and claims it there)."""
        number = self.current_case_number()
        if not number:
            return
        delivery = self.window_.pages.get("delivery")
        if delivery is not None:
            self.window_.show_page(delivery)
            delivery.open_case_number(number)  # type: ignore[attr-defined]
