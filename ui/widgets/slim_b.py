"""Small builders the window's pages share, so each page says what it shows and not how Qt builds it:
labels, buttons, keyboard actions, read-only tables, layouts, a "give the reason" dialog, and the
mixin that re-applies a widget's texts when the language changes.

Texts stay at the call sites (``self.tr("…")``) so that lupdate still finds them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.operations import CoreOp

L = TypeVar("L", bound=QBoxLayout)

ERROR_STYLE = "color: #b00020;"
NOTE_STYLE = "color: #8a4b00; background: #fff4e0; padding: 6px;"  # banners: claims, calendar warnings


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
