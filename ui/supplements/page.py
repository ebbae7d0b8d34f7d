"""Owed materials (补齐材料, F11): the hall-wide worklist of decided cases that still owe 容缺 materials
or materials the department requested (补正) — due today, overdue, or all owed. Every clerk sees the
whole hall's list; the applicant's name is masked as in every list. Enter (or a double click) opens
the case for supplements (ui/supplements/dialog.py), which claims it.

Core: ``CaseService.owed_materials`` (when = today / overdue / due / all).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, cast

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QVBoxLayout, QWidget

from clerk_app.cases import OwedCase
from clerk_app.errors import ClerkAppError
from ui.typed_qt import QT_TRANSLATE_NOOP
from ui.widgets.slim_b import ERROR_STYLE, Retranslating, add, button, fill_table, label, readonly_table, shortcut

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
        self.title = label(style="font-size: 16px; font-weight: bold; padding: 4px;")
        self.filter = QComboBox()
        self.filter.setObjectName("owedFilter")
        for key, _label in FILTERS:
            self.filter.addItem("", key)
        self.filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.filter_label = label()
        self.filter_label.setBuddy(self.filter)
        self.refresh_button = button("owedRefresh", self.refresh)
        self.table = readonly_table("owedTable", 8)
        self.table.setWordWrap(True)
        self.table.cellDoubleClicked.connect(lambda row, _col: self.open_row(row))
        self.summary = label(name="owedSummary")
        self.error = label(name="owedError", style=ERROR_STYLE, wrap=True, visible=False)
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
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Case number"),
                self.tr("Item"),
                self.tr("Applicant"),
                self.tr("Materials owed"),
                self.tr("Due"),
                self.tr("Overdue"),
                self.tr("Being handled by"),
                self.tr("Department's request"),
            ]
        )
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
        self.error.setVisible(False)
        when = cast(Literal["today", "overdue", "due", "all"], self.filter.currentData() or "all")
        try:
            self.rows = self.window_.ctx.cases.owed_materials(self.window_.actor, when=when)
        except ClerkAppError as exc:
            self.rows = []
            self.error.setText(exc.user_message())
            self.error.setVisible(True)
        fill_table(self.table, (self._row(owed) for owed in self.rows))
        self.table.resizeRowsToContents()
        if self.rows and self.table.currentRow() < 0:
            self.table.selectRow(0)
        self._update_summary()

    def _row(self, owed: OwedCase) -> tuple[list[str], str, QColor | None]:
        late = owed.days_overdue
        values = [
            owed.case_number or "—",
            owed.item_name,
            owed.applicant_name or "—",
            "、".join(owed.owed_names or owed.owed),
            owed.due.isoformat(),
            self.tr("%1 days").replace("%1", str(late)) if late > 0 else (self.tr("today") if late == 0 else ""),
            (
                self.tr("%1 (station %2, window %3)")
                .replace("%1", owed.claim.user_name)
                .replace("%2", owed.claim.station_code)
                .replace("%3", owed.claim.window_no)
                if owed.claim is not None
                else ""
            ),
            "；".join(owed.requests) or "—",
        ]
        return values, owed.case_id, OVERDUE if late > 0 else TODAY if late == 0 else None

    def _update_summary(self) -> None:
        n = len(self.rows)
        late = sum(1 for o in self.rows if o.days_overdue > 0)
        text = (
            self.tr("%1 case(s) owe materials, %2 overdue").replace("%1", str(n)).replace("%2", str(late))
            if n
            else self.tr("No case owes materials in this list.")
        )
        self.summary.setText(text + "    " + self.tr("Enter: open the case for supplements"))

    def open_current(self) -> None:
        self.open_row(self.table.currentRow())

    def open_row(self, row: int) -> None:
        if not 0 <= row < len(self.rows):
            return
        self.open_case(self.rows[row].case_id)

    def open_case(self, case_id: str) -> None:
        from ui.supplements.dialog import SupplementDialog

        dialog = SupplementDialog(self.window_, case_id, self)
        dialog.finished.connect(lambda _r: self.refresh())
        self.dialog = dialog
        dialog.open()
