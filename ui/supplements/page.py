"""Owed materials (补齐材料, F11): the hall-wide worklist of decided cases that still owe 容缺 materials
or materials the department requested (补正) — due today, overdue, or all owed. Every clerk sees the
whole hall's list; the applicant's name is masked as in every list. Enter (or a double click) opens
the case for supplements (ui/supplements/dialog.py), which claims it.

Core: ``CaseService.owed_materials`` (when = today / overdue / due / all), read off the GUI thread;
the cells: ``clerk_app.worklists``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, cast

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QVBoxLayout, QWidget

from clerk_app.cases import OwedCase
from clerk_app.worklists import OwedRow, owed_headers, owed_row, owed_summary
from ui.operations import error_text
from ui.typed_qt import QT_TRANSLATE_NOOP
from ui.widgets.common import (
    ERROR_TEXT_STYLE,
    ListReader,
    Retranslating,
    add,
    button,
    fill,
    key_of,
    label,
    shortcut,
    table,
)

if TYPE_CHECKING:
    from ui.pages import PageHost

OVERDUE = QColor("#f8d7da")
TODAY = QColor("#fff4e0")
FILTERS = (
    ("all", QT_TRANSLATE_NOOP("OwedPage", "All owed")),
    ("due", QT_TRANSLATE_NOOP("OwedPage", "Due today and overdue")),
    ("today", QT_TRANSLATE_NOOP("OwedPage", "Due today")),
    ("overdue", QT_TRANSLATE_NOOP("OwedPage", "Overdue")),
)


class OwedPage(Retranslating, QWidget):
    def __init__(self, window: PageHost) -> None:
        super().__init__()
        self.window_ = window
        self.rows: list[OwedCase] = []
        self.dialog: QWidget | None = None
        self.reader = ListReader(self, self._show_rows, self._failed)
        self.title = label(style="font-size: 16px; font-weight: bold; padding: 4px;")
        self.filter = QComboBox()
        self.filter.setObjectName("owedFilter")
        for key, _label in FILTERS:
            self.filter.addItem("", key)
        self.filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.filter_label = label()
        self.filter_label.setBuddy(self.filter)
        self.refresh_button = button("owedRefresh", self.refresh)
        self.table = table("owedTable", len(owed_headers()))
        self.table.setWordWrap(True)
        self.table.cellDoubleClicked.connect(lambda _row, _col: self.open_current())  # the row is current now
        self.summary = label(name="owedSummary")
        self.error = label(name="owedError", style=ERROR_TEXT_STYLE, wrap=True, visible=False)
        # Enter opens the selected case (while this page shows); listed by the F12 overlay.
        self.open_action = shortcut(self.table, [Qt.Key.Key_Return, Qt.Key.Key_Enter], self.open_current)
        top = add(QHBoxLayout(), self.filter_label, self.filter, None, self.refresh_button)
        add(QVBoxLayout(self), self.title, top, (self.table, 1), self.summary, self.error)
        self.retranslate()

    # -- texts ------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(self.tr("Owed materials of the whole hall"))
        self.filter_label.setText(self.tr("&Show:"))
        for i, (_key, text) in enumerate(FILTERS):
            self.filter.setItemText(i, self.tr(text))
        self.refresh_button.setText(self.tr("Refresh"))
        self.open_action.setText(self.tr("Open the case for supplements"))
        self.table.setHorizontalHeaderLabels(owed_headers())
        self._update_summary()

    def showEvent(self, event) -> None:
        self.refresh()
        super().showEvent(event)

    def focus_first(self) -> None:
        self.table.setFocus()
        if self.table.rowCount() and self.table.currentRow() < 0:
            self.table.selectRow(0)

    # -- the list ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the list off the GUI thread (a hall-wide query); what each cell says comes from the core."""
        ctx, actor = self.window_.ctx, self.window_.actor
        when = cast(Literal["today", "overdue", "due", "all"], self.filter.currentData() or "all")
        self.reader.read(lambda: ctx.cases.owed_materials(actor, when=when), self.tr("Refresh"))

    def _failed(self, exc: BaseException) -> None:
        self.error.setText(error_text(exc))
        self._show_rows([])
        self.error.setVisible(True)

    def _show_rows(self, rows: list[OwedCase]) -> None:
        self.error.setVisible(False)
        self.rows = rows
        owed = [owed_row(row) for row in rows]
        fill(self.table, [r.cells for r in owed], keys=[r.case_id for r in owed], colours=[_colour(r) for r in owed])
        self.table.resizeRowsToContents()
        if self.rows and self.table.currentRow() < 0:
            self.table.selectRow(0)
        self._update_summary()

    def _update_summary(self) -> None:
        self.summary.setText(owed_summary(self.rows) + "    " + self.tr("Enter: open the case for supplements"))

    def open_current(self) -> None:
        case_id = key_of(self.table, self.table.currentRow())
        if case_id:
            self.open_case(str(case_id))

    def open_case(self, case_id: str) -> None:
        from ui.supplements.dialog import SupplementDialog

        dialog = SupplementDialog(self.window_, case_id, self)
        dialog.finished.connect(lambda _r: self.refresh())
        self.dialog = dialog
        dialog.open()


def _colour(row: OwedRow) -> QColor | None:
    return OVERDUE if row.overdue else TODAY if row.due_today else None
