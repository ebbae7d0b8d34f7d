"""The result list of a case search as a lazy Qt model (after Anki's browser table model): it holds
only the row ids in result order plus a small cache of rows; rows are read in batches around the
one being drawn, pages of ids arrive through fetchMore as the view scrolls. A row that cannot be
read shows as a disabled "unavailable" row instead of raising inside data()."""

from __future__ import annotations

import logging
from collections import OrderedDict

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from clerk_app.errors import ClerkAppError
from clerk_app.roles import Actor
from clerk_app.search import PAGE_SIZE, CaseRow, CaseSearch, Cursor, ResultPage, SearchCriteria

log = logging.getLogger(__name__)
Index = QModelIndex | QPersistentModelIndex


class CaseResultModel(QAbstractTableModel):
    """Columns: case number, item, status, applicant (masked), decided at."""

    COLUMNS = 5
    failed = Signal(str)  # a page or a batch could not be read: message for the clerk

    def __init__(
        self, search: CaseSearch, actor: Actor, *, page_size: int = PAGE_SIZE, cache_size: int = 300, batch: int = 50
    ) -> None:
        super().__init__()
        self._search = search
        self._actor = actor
        self._page_size = page_size
        self._cache_size = max(cache_size, batch * 2)
        self._batch = batch
        self._criteria: SearchCriteria | None = None
        self._ids: list[str] = []
        self._cache: OrderedDict[str, CaseRow] = OrderedDict()
        self._next: Cursor | None = None
        self._broken: set[str] = set()

    # -- loading -------------------------------------------------------------------------------
    def set_criteria(self, criteria: SearchCriteria) -> None:
        """Run a new search; its first page is read now, so a refused search raises here (the
        page shows the message) and the model keeps its previous rows."""
        self.show_first(criteria, self.read_first(criteria))

    def read_first(self, criteria: SearchCriteria) -> ResultPage:
        """The first page of a new search (may run off the GUI thread: it touches no model state)."""
        return self._search.search(self._actor, criteria, limit=self._page_size)

    def show_first(self, criteria: SearchCriteria, first: ResultPage) -> None:
        """Show a new search from its first page (read by ``read_first``)."""
        self.beginResetModel()
        self._criteria = criteria
        self._ids = [r.id for r in first.rows]
        self._cache.clear()
        self._broken.clear()
        self._remember(first.rows)
        self._next = first.next
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self._criteria, self._ids, self._next = None, [], None
        self._cache.clear()
        self._broken.clear()
        self.endResetModel()

    def has_more(self) -> bool:
        return self._next is not None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and self._next is not None

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid() or self._next is None or self._criteria is None:
            return
        try:
            page = self._search.search(self._actor, self._criteria, after=self._next, limit=self._page_size)
        except ClerkAppError as exc:
            log.warning("case search: next page failed: %s", exc)
            self._next = None
            self.failed.emit(exc.user_message())
            return
        new = [r.id for r in page.rows]  # keyset paging: never a row twice
        if new:
            self.beginInsertRows(QModelIndex(), len(self._ids), len(self._ids) + len(new) - 1)
            self._ids.extend(new)
            self._remember(page.rows)
            self.endInsertRows()
        self._next = page.next

    def _remember(self, rows: tuple[CaseRow, ...] | list[CaseRow]) -> None:
        for r in rows:
            self._cache[r.id] = r
            self._cache.move_to_end(r.id)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def row_at(self, row: int) -> CaseRow | None:
        """The row's data, reading a batch around it when it is not cached; None if unreadable."""
        if not 0 <= row < len(self._ids):
            return None
        case_id = self._ids[row]
        cached = self._cache.get(case_id)
        if cached is not None:
            self._cache.move_to_end(case_id)
            return cached
        if case_id in self._broken:
            return None
        lo, hi = max(0, row - self._batch // 2), min(len(self._ids), row + self._batch // 2 + 1)
        wanted = [i for i in self._ids[lo:hi] if i not in self._cache]
        try:
            got = self._search.rows(self._actor, wanted)
        except ClerkAppError as exc:
            log.warning("case search: reading rows failed: %s", exc)
            got = {}
        self._remember([got[i] for i in wanted if i in got])
        self._broken.update(i for i in wanted if i not in got)
        return self._cache.get(case_id)

    def case_id(self, row: int) -> str | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def cached_rows(self) -> int:
        return len(self._cache)

    # -- Qt model interface --------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else self.COLUMNS

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self.row_at(index.row()) is None:
            return Qt.ItemFlag.NoItemFlags  # disabled: the row could not be read
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._ids) or index.column() >= self.COLUMNS:
            return None
        if role == Qt.ItemDataRole.UserRole:
            return self._ids[index.row()]
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        r = self.row_at(index.row())
        if r is None:
            return self.tr("(unavailable)") if index.column() == 0 else ""
        return r.cells()[index.column()]

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        titles = (
            self.tr("Case number"),
            self.tr("Item"),
            self.tr("Status"),
            self.tr("Applicant"),
            self.tr("Decided at"),
        )
        return titles[section] if 0 <= section < len(titles) else None
