"""Owed materials (补齐材料, F11): the hall-wide worklist of decided cases that still owe 容缺 materials
or materials the department requested (补正) — due today, overdue, or all owed. Every clerk sees the
whole hall's list; the applicant's name is masked as in every list. Enter (or a double click) opens
the case for supplements (ui/supplements/dialog.py), which claims it.

Core: ``CaseService.owed_materials`` (when = today / overdue / due / all).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, cast

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clerk_app.cases import OwedCase
from clerk_app.errors import ClerkAppError
from ui.typed_qt import QT_TRANSLATE_NOOP

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


class OwedPage(QWidget):
    def __init__(self, window: PageHost) -> None:
        super().__init__()
        self.window_ = window
        self.rows: list[OwedCase] = []
        self.dialog: QWidget | None = None
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 16px; font-weight: bold; padding: 4px;")
        self.filter = QComboBox()
        self.filter.setObjectName("owedFilter")
        for key, _label in FILTERS:
            self.filter.addItem("", key)
        self.filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.filter_label = QLabel()
        self.filter_label.setBuddy(self.filter)
        self.refresh_button = QPushButton()
        self.refresh_button.setObjectName("owedRefresh")
        self.refresh_button.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(self.filter_label)
        top.addWidget(self.filter)
        top.addStretch(1)
        top.addWidget(self.refresh_button)

        self.table = QTableWidget(0, 8)
        self.table.setObjectName("owedTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(True)
        self.table.cellDoubleClicked.connect(lambda row, _col: self.open_row(row))
        self.summary = QLabel()
        self.summary.setObjectName("owedSummary")
        self.error = QLabel()
        self.error.setObjectName("owedError")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.setVisible(False)

        # Enter opens the selected case (while this page shows); listed by the F12 overlay.
        self.open_action = QAction(self)
        self.open_action.setShortcuts([QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)])
        self.open_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.open_action.triggered.connect(self.open_current)
        self.table.addAction(self.open_action)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.error)
        self.retranslate()

    # -- texts ------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(self.tr("Owed materials of the whole hall"))
        self.filter_label.setText(self.tr("&Show:"))
        for i, (_key, label) in enumerate(FILTERS):
            self.filter.setItemText(i, self.tr(label))
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

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

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
        self.table.setRowCount(len(self.rows))
        for r, owed in enumerate(self.rows):
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
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if late > 0:
                    item.setBackground(QBrush(OVERDUE))
                elif late == 0:
                    item.setBackground(QBrush(TODAY))
                if c == 0:
                    item.setData(Qt.ItemDataRole.UserRole, owed.case_id)
                self.table.setItem(r, c, item)
        self.table.resizeRowsToContents()
        if self.rows and self.table.currentRow() < 0:
            self.table.selectRow(0)
        self._update_summary()

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
