"""Case search page (F3): criteria on top, the lazy result list below, Enter opens the case view.

Keyboard: Enter in any criterion searches and moves to the results; Enter on a result opens it;
Alt+S / Alt+C search / clear; Ctrl+L back to the case-number field. A receipt scanned with a
keyboard-wedge scanner anywhere on the page searches for that case.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QEvent, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clerk_app import i18n
from clerk_app.errors import ClerkAppError
from clerk_app.lifecycle import STATUS_LABELS, CaseStatus
from clerk_app.search import SearchCriteria
from ui.search.case_view import CaseViewDialog
from ui.search.model import CaseResultModel
from ui.wedge import WedgeScanDetector

if TYPE_CHECKING:
    from ui.pages import PageHost

log = logging.getLogger(__name__)
_NO_DATE = QDate(2000, 1, 1)  # the date edits' "not set" value, shown as the special text


class SearchPage(QWidget):
    case_opened = Signal(str)  # case id shown in the case view

    def __init__(self, window: PageHost) -> None:
        super().__init__()
        self.window_ = window
        ctx = window.ctx
        self.search = ctx.search
        self.model = CaseResultModel(self.search, window.actor)
        self.model.failed.connect(self._show_error)

        self.case_number = QLineEdit()
        self.case_number.setObjectName("searchCaseNumber")
        self.id_number = QLineEdit()
        self.id_number.setObjectName("searchIdNumber")
        self.name = QLineEdit()
        self.name.setObjectName("searchName")
        self.date_from = self._date_edit("searchDateFrom")
        self.date_to = self._date_edit("searchDateTo")
        self.status = QComboBox()
        self.status.setObjectName("searchStatus")
        self.item = QComboBox()
        self.item.setObjectName("searchItem")
        self.search_button = QPushButton()
        self.search_button.setObjectName("searchButton")
        self.search_button.clicked.connect(self.run_search)
        self.clear_button = QPushButton()
        self.clear_button.setObjectName("clearButton")
        self.clear_button.clicked.connect(self.clear)
        self.open_button = QPushButton()
        self.open_button.setObjectName("openCaseButton")
        self.open_button.clicked.connect(self.open_current)
        for edit in (self.case_number, self.id_number, self.name):
            edit.returnPressed.connect(self.run_search)
        for date_edit in (self.date_from, self.date_to):
            date_edit.installEventFilter(self)

        self.labels = {k: QLabel() for k in ("case_number", "id_number", "name", "dates", "to", "status", "item")}
        self.labels["case_number"].setBuddy(self.case_number)
        self.labels["id_number"].setBuddy(self.id_number)
        self.labels["name"].setBuddy(self.name)
        self.labels["dates"].setBuddy(self.date_from)
        self.labels["status"].setBuddy(self.status)
        self.labels["item"].setBuddy(self.item)
        grid = QGridLayout()
        grid.addWidget(self.labels["case_number"], 0, 0)
        grid.addWidget(self.case_number, 0, 1)
        grid.addWidget(self.labels["id_number"], 0, 2)
        grid.addWidget(self.id_number, 0, 3)
        grid.addWidget(self.labels["name"], 0, 4)
        grid.addWidget(self.name, 0, 5)
        dates = QHBoxLayout()
        dates.addWidget(self.date_from, 1)
        dates.addWidget(self.labels["to"])
        dates.addWidget(self.date_to, 1)
        grid.addWidget(self.labels["dates"], 1, 0)
        grid.addLayout(dates, 1, 1)
        grid.addWidget(self.labels["status"], 1, 2)
        grid.addWidget(self.status, 1, 3)
        grid.addWidget(self.labels["item"], 1, 4)
        grid.addWidget(self.item, 1, 5)
        for col in (1, 3, 5):
            grid.setColumnStretch(col, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.search_button)
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)

        self.table = QTableView()
        self.table.setObjectName("searchResults")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for col, width in ((0, 200), (2, 130), (3, 110), (4, 150)):
            self.table.setColumnWidth(col, width)
        self.table.activated.connect(self._activated)  # Enter or double-click
        self.summary = QLabel()
        self.summary.setObjectName("searchSummary")
        self.error = QLabel()
        self.error.setObjectName("searchError")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        self.setFocusProxy(self.case_number)

        # Page actions as QActions (listed by the F12 overlay), active only while this page shows.
        self.new_search_action = QAction(self)
        self.new_search_action.setShortcut(QKeySequence("Ctrl+L"))
        self.new_search_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.new_search_action.triggered.connect(self._new_search)
        self.addAction(self.new_search_action)
        self.wedge = WedgeScanDetector(self)
        self.wedge.scanned.connect(self.on_scan)
        self.model.rowsInserted.connect(lambda *_: self._update_summary())
        self.model.modelReset.connect(self._update_summary)
        self.retranslate()

    def _date_edit(self, name: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setMinimumDate(_NO_DATE)
        edit.setDate(_NO_DATE)
        return edit

    # -- texts ---------------------------------------------------------------------------------
    def retranslate(self) -> None:
        texts = {
            "case_number": self.tr("Case &number"),
            "id_number": self.tr("&ID number"),
            "name": self.tr("Na&me"),
            "dates": self.tr("&Registered"),
            "to": self.tr("to"),
            "status": self.tr("S&tatus"),
            "item": self.tr("It&em"),
        }
        for key, text in texts.items():
            self.labels[key].setText(text)
        self.case_number.setPlaceholderText(self.tr("type or scan the receipt code"))
        self.id_number.setPlaceholderText(self.tr("exact, applicant or agent"))
        self.name.setPlaceholderText(self.tr("exact full name"))
        for edit in (self.date_from, self.date_to):
            edit.setSpecialValueText(self.tr("any"))
        self.search_button.setText(self.tr("&Search"))
        self.clear_button.setText(self.tr("&Clear"))
        self.open_button.setText(self.tr("&Open case"))
        self.new_search_action.setText(self.tr("New search"))
        current_status = self.status.currentData()
        self.status.clear()
        self.status.addItem(self.tr("any status"), "")
        for s in CaseStatus:
            self.status.addItem(i18n.text(STATUS_LABELS[s]), s.value)
        self.status.setCurrentIndex(max(0, self.status.findData(current_status)))
        current_item = self.item.currentData()
        self.item.clear()
        self.item.addItem(self.tr("any item"), "")
        try:
            items = sorted(self.window_.ctx.catalogue.active().items.values(), key=lambda i: i.code)
        except ClerkAppError as exc:  # no active catalogue: searching by item is simply unavailable
            log.warning("case search: no catalogue: %s", exc)
            items = []
        for it in items:
            self.item.addItem(f"{it.name}（{it.code}）", it.code)
        self.item.setCurrentIndex(max(0, self.item.findData(current_item)))
        self._update_summary()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if obj in (self.date_from, self.date_to):
                self.run_search()
                return True
        return super().eventFilter(obj, event)

    # -- actions -------------------------------------------------------------------------------
    def criteria(self) -> SearchCriteria:
        def day(edit: QDateEdit) -> dt.date | None:
            d = edit.date()
            return None if d == _NO_DATE else dt.date(d.year(), d.month(), d.day())

        return SearchCriteria(
            case_number=self.case_number.text(),
            id_number=self.id_number.text(),
            name=self.name.text(),
            date_from=day(self.date_from),
            date_to=day(self.date_to),
            status=CaseStatus(self.status.currentData()) if self.status.currentData() else None,
            item_code=self.item.currentData() or "",
        )

    def run_search(self) -> None:
        try:
            self.searched = True
            self.model.set_criteria(self.criteria())
        except ClerkAppError as exc:
            log.info("case search refused: %s", exc)
            self._show_error(exc.user_message())
            return
        self.error.clear()
        self.error.setVisible(False)
        if self.model.rowCount():
            self.table.setFocus()
            self.table.selectRow(0)

    def on_scan(self, text: str) -> None:
        """A receipt code read by the wedge scanner: search for exactly that case."""
        self.clear()
        self.case_number.setText(text.strip())
        self.run_search()

    def clear(self) -> None:
        self.searched = False
        for edit in (self.case_number, self.id_number, self.name):
            edit.clear()
        self.date_from.setDate(_NO_DATE)
        self.date_to.setDate(_NO_DATE)
        self.status.setCurrentIndex(0)
        self.item.setCurrentIndex(0)
        self.model.clear()
        self.error.setVisible(False)
        self.case_number.setFocus()

    def _new_search(self) -> None:
        self.case_number.setFocus()
        self.case_number.selectAll()

    def open_current(self) -> None:
        self._activated(self.table.currentIndex())

    def _activated(self, index: QModelIndex) -> None:
        case_id = self.model.case_id(index.row()) if index.isValid() else None
        if case_id is None:
            return
        ctx = self.window_.ctx
        self.dialog = CaseViewDialog(ctx.cases, self.search, self.window_.actor, case_id, self, results=ctx.results)
        self.case_opened.emit(case_id)
        self.dialog.open()

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(True)

    def _update_summary(self) -> None:
        n = self.model.rowCount()
        if n == 0 and getattr(self, "searched", False):
            text = self.tr("No case matches these criteria.")
        elif n == 0:
            text = self.tr("No cases listed. Give one or more criteria and press Enter.")
        elif self.model.has_more():
            text = self.tr("%1 cases shown, more below (scroll down to load)").replace("%1", str(n))
        else:
            text = self.tr("%1 case(s) found").replace("%1", str(n))
        self.summary.setText(text + "    " + self.tr("Enter: open · Ctrl+L: new search"))
