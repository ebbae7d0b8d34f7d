"""Case search page (F3): criteria on top, the lazy result list below, Enter opens the case view.

Keyboard: Enter in any criterion searches and moves to the results; Enter on a result opens it;
Alt+S / Alt+C search / clear; Ctrl+L back to the case-number field. A receipt scanned with a
keyboard-wedge scanner anywhere on the page searches for that case. The search itself runs off the
GUI thread (ListReader: of overlapping searches only the latest is shown); later pages of the list
are read off it too as it scrolls (ui/search/model.py).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QEvent, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clerk_app.case_sheet import list_summary
from clerk_app.errors import ClerkAppError
from clerk_app.lifecycle import CaseStatus, status_label
from clerk_app.search import ResultPage, SearchCriteria
from ui.operations import error_text
from ui.search.case_view import CaseViewDialog
from ui.search.model import CaseResultModel
from ui.wedge import WedgeScanDetector
from ui.widgets.common import ListReader, Retranslating, add, button, date_edit, label, line_edit, shortcut

if TYPE_CHECKING:
    from ui.pages import PageHost

log = logging.getLogger(__name__)
_NO_DATE = QDate(2000, 1, 1)  # the date edits' "not set" value, shown as the special text
LABELS = ("case_number", "id_number", "name", "dates", "status", "item", "to")  # the fields' labels in order, "to"


class SearchPage(Retranslating, QWidget):
    case_opened = Signal(str)  # case id shown in the case view

    def __init__(self, window: PageHost) -> None:
        super().__init__()
        self.window_ = window
        self.search = window.ctx.search
        self.model = CaseResultModel(self.search, window.actor, self)  # its reads are the page's (busy)
        self.model.failed.connect(self._show_error)
        self.reader = ListReader(self, self._found, self._refused)
        self.searched = False

        self.case_number, self.id_number, self.name = (
            line_edit(n, on_enter=self.run_search) for n in ("searchCaseNumber", "searchIdNumber", "searchName")
        )
        self.date_from, self.date_to = date_edit("searchDateFrom", _NO_DATE), date_edit("searchDateTo", _NO_DATE)
        self.status, self.item = QComboBox(), QComboBox()
        self.status.setObjectName("searchStatus")
        self.item.setObjectName("searchItem")
        self.search_button = button("searchButton", self.run_search)
        self.clear_button = button("clearButton", self.clear)
        self.open_button = button("openCaseButton", self.open_current)
        for date in (self.date_from, self.date_to):
            date.setMinimumDate(_NO_DATE)
            date.installEventFilter(self)

        self.labels = {key: label() for key in LABELS}
        dates = QWidget()
        dates_row = add(QHBoxLayout(dates), (self.date_from, 1), self.labels["to"], (self.date_to, 1))
        dates_row.setContentsMargins(0, 0, 0, 0)
        fields = (self.case_number, self.id_number, self.name, dates, self.status, self.item)
        grid = QGridLayout()
        for i, (key, field) in enumerate(zip(LABELS, fields)):  # two rows of three
            self.labels[key].setBuddy(self.date_from if field is dates else field)
            grid.addWidget(self.labels[key], i // 3, i % 3 * 2)
            grid.addWidget(field, i // 3, i % 3 * 2 + 1)
        for col in (1, 3, 5):
            grid.setColumnStretch(col, 1)

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
        self.summary = label(name="searchSummary")
        self.error = label(name="searchError", style="color: #b00020;", wrap=True)
        add(
            QVBoxLayout(self),
            grid,
            add(QHBoxLayout(), self.search_button, self.clear_button, 1, self.open_button),
            self.error,
            (self.table, 1),
            self.summary,
        )
        self.setFocusProxy(self.case_number)

        # Page actions as QActions (listed by the F12 overlay), active only while this page shows.
        self.new_search_action = shortcut(self, "Ctrl+L", self._new_search)
        self.wedge = WedgeScanDetector(self)
        self.wedge.scanned.connect(self.on_scan)
        self.model.rowsInserted.connect(lambda *_: self._update_summary())
        self.model.modelReset.connect(self._update_summary)
        self.retranslate()

    # -- texts ---------------------------------------------------------------------------------
    def retranslate(self) -> None:
        texts = (self.tr("Case &number"), self.tr("&ID number"), self.tr("Na&me"), self.tr("&Registered"))
        for key, text in zip(LABELS, (*texts, self.tr("S&tatus"), self.tr("It&em"), self.tr("to"))):
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
        try:
            items = sorted(self.window_.ctx.catalogue.active().items.values(), key=lambda i: i.code)
        except ClerkAppError as exc:  # no active catalogue: searching by item is simply unavailable
            log.warning("case search: no catalogue: %s", exc)
            items = []
        for combo, anything, choices in (
            (self.status, self.tr("any status"), [(status_label(s.value), s.value) for s in CaseStatus]),
            (self.item, self.tr("any item"), [(f"{it.name}（{it.code}）", it.code) for it in items]),
        ):
            current = combo.currentData()
            combo.clear()
            combo.addItem(anything, "")
            for text, value in choices:
                combo.addItem(text, value)
            combo.setCurrentIndex(max(0, combo.findData(current)))
        self._update_summary()

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

        status = self.status.currentData()
        return SearchCriteria(
            case_number=self.case_number.text(),
            id_number=self.id_number.text(),
            name=self.name.text(),
            date_from=day(self.date_from),
            date_to=day(self.date_to),
            status=CaseStatus(status) if status else None,
            item_code=self.item.currentData() or "",
        )

    def run_search(self) -> None:
        """Read the first page off the GUI thread; a refused search says why and keeps the list; when
        searches overlap (a scan while a search runs) only the latest is shown."""
        criteria, model = self.criteria(), self.model
        self.searched = True
        self.reader.read(lambda: (criteria, model.read_first(criteria)), self.tr("Case search"))

    def _found(self, got: tuple[SearchCriteria, ResultPage]) -> None:
        self.model.show_first(*got)
        self.error.setVisible(False)
        if self.model.rowCount():
            self.table.setFocus()
            self.table.selectRow(0)

    def _refused(self, exc: BaseException) -> None:
        log.info("case search refused: %s", exc)
        self._show_error(error_text(exc))

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
        self.summary.setText(list_summary(self.model.rowCount(), self.searched, self.model.has_more()))
