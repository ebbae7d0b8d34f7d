"""The builders every window, page and dialog shares, so each says what it shows and not how Qt
builds it: labels, buttons, keyboard actions, layouts, read-only tables filled from rows of text,
date fields, the result line under a panel (ok / error), a yes/no question, a "give the reason"
dialog, the list reader (off the GUI thread, latest read wins) and the mixin that re-applies a
widget's texts when the language changes.

Texts stay at the call sites (``self.tr("…")``) so that lupdate still finds them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.operations import CoreOp

L = TypeVar("L", bound=QBoxLayout)

ERROR_TEXT_STYLE = "color: #b00020;"  # an error line under a list or a field
NOTE_STYLE = "color: #8a4b00; background: #fff4e0; padding: 6px;"  # banners: claims, calendar warnings
OK_STYLE = "color: #1e6b2f; background: #e8f5e9; padding: 6px;"  # the result line: done
ERROR_STYLE = "color: #8a1c1c; background: #fdecea; padding: 6px;"  # the result line: refused
MARKED = QColor("#f8d7da")  # a row that needs attention (a broken audit event, a locked account, a bad setting)


class Retranslating:
    """Mixin (put it before the Qt class): ``retranslate()`` runs again on every language change."""

    def retranslate(self) -> None:
        raise NotImplementedError

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)  # type: ignore[misc]


def label(
    text: str = "",
    *,
    name: str | None = None,
    style: str | None = None,
    wrap: bool = False,
    align: Qt.AlignmentFlag | None = None,
    visible: bool = True,
) -> QLabel:
    widget = QLabel(text)
    if name:
        widget.setObjectName(name)
    if style:
        widget.setStyleSheet(style)
    widget.setWordWrap(wrap)
    if align is not None:
        widget.setAlignment(align)
    if not visible:
        widget.setVisible(False)
    return widget


def button(name: str, slot: Callable[[], Any] | None = None) -> QPushButton:
    widget = QPushButton()
    widget.setObjectName(name)
    if slot is not None:
        widget.clicked.connect(lambda _=False: slot())
    return widget


def shortcut(
    parent: QWidget,
    keys: str | Qt.Key | Sequence[str | Qt.Key],
    slot: Callable[[], Any],
    *,
    context: Qt.ShortcutContext = Qt.ShortcutContext.WidgetWithChildrenShortcut,
) -> QAction:
    """A keyboard action on ``parent`` (its text, for the F12 overlay, is set in ``retranslate``).
    Keys live on actions, not on buttons: a button's text replaces its shortcut on a language switch."""
    action = QAction(parent)
    many: Sequence[str | Qt.Key] = [keys] if isinstance(keys, str | Qt.Key) else keys
    action.setShortcuts([QKeySequence(k) for k in many])
    action.setShortcutContext(context)
    action.triggered.connect(lambda _=False: slot())
    parent.addAction(action)
    return action


def add(layout: L, *items: QWidget | QLayout | int | tuple[QWidget | QLayout, int] | None) -> L:
    """Fill a box layout in order: a widget or a layout; ``(item, stretch)``; an int is a stretch; None
    is ``addStretch(1)``."""
    for item in items:
        stretch = 0
        if isinstance(item, tuple):
            item, stretch = item
        if item is None:
            layout.addStretch(1)
        elif isinstance(item, int):
            layout.addStretch(item)
        elif isinstance(item, QLayout):
            layout.addLayout(item, stretch)
        else:
            layout.addWidget(item, stretch)
    return layout


class ReasonDialog(QDialog):
    """Asks why (the answer goes to the audit trail); OK only with a non-empty reason."""

    def __init__(
        self, parent: QWidget | None, *, name: str, field_name: str, title: str, text: str, placeholder: str = ""
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.text = label(text, wrap=True)
        self.reason = QLineEdit()
        self.reason.setObjectName(field_name)
        self.reason.setPlaceholderText(placeholder)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setEnabled(False)
        self.reason.textChanged.connect(lambda t: self.ok.setEnabled(bool(t.strip())))
        add(QVBoxLayout(self), self.text, self.reason, self.buttons)

    def ask(self) -> str | None:
        """Run it modally: the reason, or None when cancelled."""
        if self.exec() != QDialog.DialogCode.Accepted:
            return None
        return self.reason.text().strip() or None


class ListReader:
    """Reads a page's list off the GUI thread (``CoreOp``, no progress dialog: lists refresh by
    themselves); when reads overlap (a filter changed while the list was being read) only the result
    of the latest is shown. ``show(result)`` and ``failed(exc)`` run on the GUI thread."""

    def __init__(self, owner: QWidget, show: Callable[[Any], None], failed: Callable[[BaseException], None]) -> None:
        self.owner, self.show, self.failed = owner, show, failed
        self.reads = 0

    def read(self, work: Callable[[], Any], title: str) -> None:
        self.reads += 1
        number = self.reads
        CoreOp(
            self.owner,
            lambda _report, _cancel: work(),
            lambda result: self.show(result) if number == self.reads else None,
            title=title,
            on_failure=lambda exc: self.failed(exc) if number == self.reads else None,
            progress=False,
        ).run()


# -- added by the counter helper (ui/delivery/page.py, ui/supplements/dialog.py) --------------------------
def show_facts(form: QFormLayout, facts: Iterable[tuple[str, str, str]]) -> dict[str, QLabel]:
    """Replace the rows of ``form`` with the core's facts about a case, (key, label, value) each, the
    value selectable; returns the value labels by key (named ``fact_<key>``)."""
    while form.rowCount():
        form.removeRow(0)
    values: dict[str, QLabel] = {}
    for key, text, value in facts:
        values[key] = label(value, name=f"fact_{key}")
        values[key].setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(text, values[key])
    return values


# -- appended by the intake helper (issue 13): used by ui/intake/applicant_panel.py and item_picker.py --
def refill(combo: QComboBox, entries: Iterable[tuple[str, object]]) -> None:
    """Replace a combo box's entries (their texts in a new language, a new list) keeping the choice,
    without announcing a change."""
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    for text, value in entries:
        combo.addItem(text, value)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    combo.blockSignals(False)


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
