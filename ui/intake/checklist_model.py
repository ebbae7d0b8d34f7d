"""The checklist as a Qt table model over the core's LineView rows (read-only display; edits go
through CaseService so the rules stay in the core)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from clerk_app import i18n
from clerk_app.cases import LineView
from clerk_app.lifecycle import LINE_STATUS_LABELS, LineStatus
from ui.typed_qt import QT_TRANSLATE_NOOP

_Index = QModelIndex | QPersistentModelIndex
C = "ChecklistModel"
FORM_TEXT = {
    "original": QT_TRANSLATE_NOOP("ChecklistModel", "Original"),
    "copy": QT_TRANSLATE_NOOP("ChecklistModel", "Copy"),
    "original_and_copy": QT_TRANSLATE_NOOP("ChecklistModel", "Original + copy"),
    "electronic": QT_TRANSLATE_NOOP("ChecklistModel", "Electronic"),
}
_OPTIONAL = QT_TRANSLATE_NOOP("ChecklistModel", "(optional)")
_DUE = QT_TRANSLATE_NOOP("ChecklistModel", "due %1")
_DEFERRABLE = QT_TRANSLATE_NOOP("ChecklistModel", "deferrable")
STATUS_COLOURS = {
    LineStatus.PENDING: "#fff4e5",
    LineStatus.RECEIVED: "#e8f4fd",
    LineStatus.VERIFIED: "#e6f4ea",
    LineStatus.DEFECTIVE: "#fdecea",
    LineStatus.DEFERRED: "#f3e8fd",
    LineStatus.NOT_REQUIRED: "#f1f3f4",
}


def tr(text: str) -> str:
    return QCoreApplication.translate(C, text)


class ChecklistModel(QAbstractTableModel):
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

    def __init__(self) -> None:
        super().__init__()
        self._lines: list[LineView] = []

    def set_lines(self, lines: tuple[LineView, ...] | list[LineView]) -> None:
        self.beginResetModel()
        self._lines = list(lines)
        self.endResetModel()

    def line(self, row: int) -> LineView:
        return self._lines[row]

    def lines(self) -> list[LineView]:
        return list(self._lines)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS):
            return tr(self.COLUMNS[section])
        if orientation == Qt.Orientation.Vertical:
            return section + 1
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._lines):
            return None
        line = self._lines[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                marks = ""
                if line.key_material:
                    marks += " ★"
                if line.necessity == "optional":
                    marks += " " + tr(_OPTIONAL)
                return line.name + marks
            if col == 1:
                return tr(FORM_TEXT.get(line.form, line.form))
            if col == 2:
                return f"{line.originals_required} / {line.copies_required}"
            if col == 3:
                return line.originals_received
            if col == 4:
                return line.copies_received
            if col == 5:
                return i18n.text(LINE_STATUS_LABELS[line.status])
            if col == 6:
                if line.status is LineStatus.DEFERRED and line.due_date:
                    return tr(_DUE).replace("%1", line.due_date.isoformat())
                if line.reason:
                    return line.reason
                return tr(_DEFERRABLE) if line.deferrable else ""
            if col == 7:
                return line.page_count
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(STATUS_COLOURS[line.status]))
        if role == Qt.ItemDataRole.ToolTipRole and col == 0:
            return line.reason or line.name
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (2, 3, 4, 7):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.UserRole:
            return line.code
        return None
