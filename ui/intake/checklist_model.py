"""The checklist as a Qt table model over the core's LineView rows (read-only display; edits go
through CaseService so the rules stay in the core; the cell texts are ``intake_desk.line_cells``)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from clerk_app.cases import LineView
from clerk_app.intake_desk import line_cells
from clerk_app.lifecycle import LineStatus
from ui.typed_qt import QT_TRANSLATE_NOOP

_Index = QModelIndex | QPersistentModelIndex
COLUMNS = (
    QT_TRANSLATE_NOOP("ChecklistModel", "Material"),
    QT_TRANSLATE_NOOP("ChecklistModel", "Form"),
    QT_TRANSLATE_NOOP("ChecklistModel", "Required (orig./copies)"),
    QT_TRANSLATE_NOOP("ChecklistModel", "Originals"),
    QT_TRANSLATE_NOOP("ChecklistModel", "Copies"),
    QT_TRANSLATE_NOOP("ChecklistModel", "Status"),
    QT_TRANSLATE_NOOP("ChecklistModel", "Note"),
    QT_TRANSLATE_NOOP("ChecklistModel", "Pages"),
)
CENTRED = (2, 3, 4, 7)
STATUS_COLOURS = {
    LineStatus.PENDING: "#fff4e5",
    LineStatus.RECEIVED: "#e8f4fd",
    LineStatus.VERIFIED: "#e6f4ea",
    LineStatus.DEFECTIVE: "#fdecea",
    LineStatus.DEFERRED: "#f3e8fd",
    LineStatus.NOT_REQUIRED: "#f1f3f4",
}


class ChecklistModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._lines: list[LineView] = []
        self._cells: list[tuple[str, ...]] = []

    def set_lines(self, lines: tuple[LineView, ...] | list[LineView]) -> None:
        self.beginResetModel()
        self._lines = list(lines)
        self._cells = [line_cells(line) for line in lines]
        self.endResetModel()

    def line(self, row: int) -> LineView:
        return self._lines[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return QCoreApplication.translate("ChecklistModel", COLUMNS[section]) if section < len(COLUMNS) else None
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._lines):
            return None
        line, col = self._lines[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells[index.row()][col]
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(STATUS_COLOURS[line.status]))
        if role == Qt.ItemDataRole.ToolTipRole and col == 0:
            return line.reason or line.name
        if role == Qt.ItemDataRole.TextAlignmentRole and col in CENTRED:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.UserRole:
            return line.code
        return None
