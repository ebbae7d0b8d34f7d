"""Builders of the supervisor, search and admin pages, next to the general ones in ui.widgets.slim_b
(labels, buttons, keys, layouts, the Retranslating mixin): long read-only lists filled from rows of
text and sized once, date fields, the result line under a panel (ok / error) and a yes/no question.
Texts stay at the call sites (``self.tr("…")``) so lupdate still finds them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

OK_STYLE = "color: #1e6b2f; background: #e8f5e9; padding: 6px;"
ERROR_STYLE = "color: #8a1c1c; background: #fdecea; padding: 6px;"
MARKED = QColor("#f8d7da")  # a row that needs attention (a broken audit event, a locked account, a bad setting)


def buddies(*pairs: tuple[QLabel, QWidget]) -> list[QWidget]:
    """Labels and their fields in a row (a filter bar): each label's mnemonic moves to its field."""
    for text, field in pairs:
        text.setBuddy(field)
    return [widget for pair in pairs for widget in pair]


def line_edit(name: str, *, secret: bool = False, on_enter: Callable[[], object] | None = None) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    if secret:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    if on_enter is not None:
        edit.returnPressed.connect(lambda: on_enter())
    return edit


def date_edit(name: str, day: dt.date | QDate) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    set_day(edit, day)
    return edit


def set_day(edit: QDateEdit, day: dt.date | QDate) -> None:
    edit.setDate(day if isinstance(day, QDate) else QDate(day.year, day.month, day.day))


def table(name: str, columns: int, *, rows_selectable: bool = True, min_height: int = 0) -> QTableWidget:
    """A read-only table; columns are sized once after filling (``fill``): ResizeToContents would
    re-measure every row on each setItem (seconds for a few hundred rows)."""
    widget = QTableWidget(0, columns)
    widget.setObjectName(name)
    widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    if rows_selectable:
        widget.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        widget.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    widget.verticalHeader().setVisible(False)
    widget.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    widget.horizontalHeader().setStretchLastSection(True)
    if min_height:
        widget.setMinimumHeight(min_height)
    return widget


def fill(
    widget: QTableWidget,
    rows: Sequence[Sequence[str]],
    *,
    keys: Sequence[object] | None = None,
    marked: Sequence[bool] | None = None,
    colours: Sequence[QColor | None] | None = None,
    append: bool = False,
) -> None:
    """Put rows of text into a table: ``keys[i]`` is kept as the user data of row i's first cell,
    ``marked[i]`` colours the whole row as needing attention, ``colours[i]`` with a colour of its own."""
    start = widget.rowCount() if append else 0
    widget.setRowCount(start + len(rows))
    for i, values in enumerate(rows):
        colour = MARKED if marked is not None and marked[i] else colours[i] if colours is not None else None
        for col, value in enumerate(values):
            item = QTableWidgetItem(value)
            if keys is not None and col == 0:
                item.setData(Qt.ItemDataRole.UserRole, keys[i])
            if colour is not None:
                item.setBackground(QBrush(colour))
            widget.setItem(start + i, col, item)
    widget.resizeColumnsToContents()
    header = widget.horizontalHeader()
    if header.stretchLastSection():  # sizing to contents undid the stretch: the last column fills the width
        header.setStretchLastSection(False)
        header.setStretchLastSection(True)


def cell(widget: QTableWidget, row_index: int, col: int = 0) -> QTableWidgetItem:
    item = widget.item(row_index, col)
    assert item is not None, f"no item at {row_index},{col}"  # ``fill`` sets every cell of a row
    return item


def key_of(widget: QTableWidget, row_index: int) -> object:
    """The key ``fill`` kept for a row (None for no row)."""
    item = widget.item(row_index, 0) if row_index >= 0 else None
    return item.data(Qt.ItemDataRole.UserRole) if item is not None else None


def set_headers(widget: QTableWidget, *headers: str) -> None:
    widget.setHorizontalHeaderLabels(list(headers))


class ResultLine(QLabel):
    """The line under a panel that says what the last action did (green) or why it did not (red)."""

    def __init__(self, name: str, status: Callable[[str, int], None] | None = None) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()
        self._status = status

    def say(self, text: str, *, error: bool = False) -> None:
        self.setText(text)
        self.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.show()
        if self._status is not None:
            self._status(text.replace("\n", " "), 8000)


def ask(parent: QWidget, title: str, text: str) -> bool:
    """A yes/no question, No by default (pages let tests replace it with a scripted answer)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    yes = box.addButton(QMessageBox.StandardButton.Yes)
    box.addButton(QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.exec()
    return box.clickedButton() is yes


def arg(text: str, *values: object) -> str:
    """QString.arg for a translated text: ``arg(self.tr("%1 of %2 events"), 5, 9)``."""
    return re.sub(r"%([1-9])", lambda m: str(values[int(m[1]) - 1]) if int(m[1]) <= len(values) else m[0], text)
