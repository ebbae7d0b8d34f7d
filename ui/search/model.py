"""The result list of a case search as a lazy Qt model: it holds the rows of the pages read so far;
the first page comes with the search (the page reads it off the GUI thread: ``read_first``, then
``show_first``), later pages are read off the GUI thread as the view scrolls (``fetchMore`` starts the
read and returns; the rows are appended when they arrive). A new search drops a page of the previous
one still on its way."""

from __future__ import annotations

import logging

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from clerk_app.case_sheet import columns
from clerk_app.roles import Actor
from clerk_app.search import PAGE_SIZE, CaseRow, CaseSearch, Cursor, ResultPage, SearchCriteria
from ui.operations import BackgroundOp, error_text

log = logging.getLogger(__name__)
Index = QModelIndex | QPersistentModelIndex


class CaseResultModel(QAbstractTableModel):
    """Columns: case number, item, status, applicant (masked), decided at."""

    failed = Signal(str)  # a later page could not be read: message for the clerk

    def __init__(
        self, search: CaseSearch, actor: Actor, parent: QObject | None = None, *, page_size: int = PAGE_SIZE
    ) -> None:
        super().__init__(parent)
        self._search, self._actor, self._page_size = search, actor, page_size
        self._criteria: SearchCriteria | None = None
        self._rows: list[CaseRow] = []
        self._next: Cursor | None = None
        self.reading: BackgroundOp | None = None  # the next page, on its way

    def read_first(self, criteria: SearchCriteria) -> ResultPage:
        """The first page of a new search (runs off the GUI thread: it touches no model state)."""
        return self._search.search(self._actor, criteria, limit=self._page_size)

    def show_first(self, criteria: SearchCriteria | None, first: ResultPage | None = None) -> None:
        """Show a new search from its first page (read by ``read_first``); no criteria: an empty list."""
        self.beginResetModel()
        self._criteria, self.reading = criteria, None
        self._rows = list(first.rows) if first else []
        self._next = first.next if first else None
        self.endResetModel()

    def clear(self) -> None:
        self.show_first(None)

    def has_more(self) -> bool:
        return self._next is not None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and self._next is not None and self.reading is None

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if not self.canFetchMore(parent) or self._criteria is None:
            return
        search, actor, criteria, after, limit = self._search, self._actor, self._criteria, self._next, self._page_size
        op = BackgroundOp(
            lambda _report, _cancel: search.search(actor, criteria, after=after, limit=limit),
            lambda page: self._append(op, page),
            lambda exc: self._refused(op, exc),
            owner=self,
        )
        self.reading = op.start()

    def _append(self, op: BackgroundOp, page: ResultPage) -> None:
        if op is not self.reading:  # a new search started meanwhile
            return
        self.reading, self._next = None, page.next  # before the insert: a view may ask for more then
        if page.rows:  # keyset paging: never a row twice
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(page.rows) - 1)
            self._rows.extend(page.rows)
            self.endInsertRows()

    def _refused(self, op: BackgroundOp, exc: BaseException) -> None:
        if op is self.reading:
            log.warning("case search: next page failed: %s", exc)
            self.reading, self._next = None, None
            self.failed.emit(error_text(exc))

    def case_id(self, row: int) -> str | None:
        return self._rows[row].id if 0 <= row < len(self._rows) else None

    # -- Qt model interface --------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(columns("results"))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= self.columnCount():
            return None
        if role == Qt.ItemDataRole.UserRole:
            return self._rows[index.row()].id
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._rows[index.row()].cells()[index.column()]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        titles = columns("results")
        return titles[section] if 0 <= section < len(titles) else None
