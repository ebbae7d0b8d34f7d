"""Item picker: type a name, an item code or pinyin initials; filter by theme; recent items first
when the search is empty. Enter (or a double click) picks the highlighted item.

The index is built off the GUI thread (the page's ``load_items``) and given with ``set_index``; Enter
pressed before it arrived picks as soon as it has."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from clerk_app.intake_desk import item_entries
from clerk_app.item_search import ItemIndex
from ui.widgets.common import Retranslating, add, label, line_edit, refill


class ItemPicker(Retranslating, QWidget):
    picked = Signal(str)  # item code

    def __init__(self, index: ItemIndex | None = None, recent: list[str] | None = None) -> None:
        super().__init__()
        self.index = index
        self.recent = recent or []
        self.pick_when_ready = False
        self.title = label(style="font-weight: bold;")
        self.query = line_edit("itemQuery", on_enter=self.pick_current)
        self.query.setClearButtonEnabled(True)
        self.theme = QComboBox()
        self.theme.setObjectName("itemTheme")
        self.results = QListWidget()
        self.results.setObjectName("itemResults")
        layout = add(
            QVBoxLayout(self), self.title, add(QHBoxLayout(), (self.query, 3), (self.theme, 1)), (self.results, 1)
        )
        layout.setContentsMargins(0, 0, 0, 0)
        self.query.textChanged.connect(self.refresh)
        self.theme.currentIndexChanged.connect(self.refresh)
        self.results.itemActivated.connect(lambda _item: self.pick_current())
        self.query.installEventFilter(self)
        self.retranslate()

    def set_index(self, index: ItemIndex, recent: list[str]) -> None:
        self.index, self.recent = index, recent
        self.retranslate()
        if self.pick_when_ready:
            self.pick_current()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Service item (name, code or pinyin initials, e.g. gtgsh)"))
        self.query.setPlaceholderText(self.tr("Search items…"))
        themes = [(theme, theme) for theme in (self.index.themes if self.index else ())]
        refill(self.theme, [(self.tr("All themes"), None), *themes])
        self.refresh()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        # Up/Down in the search field move through the results: no mouse needed.
        if obj is self.query and event.type() == QEvent.Type.KeyPress:
            key = event.key() if isinstance(event, QKeyEvent) else None
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                row = self.results.currentRow() + (1 if key == Qt.Key.Key_Down else -1)
                self.results.setCurrentRow(max(0, min(row, self.results.count() - 1)))
                return True
        return super().eventFilter(obj, event)

    def refresh(self) -> None:
        self.results.clear()
        for text, code in item_entries(self.index, self.query.text(), self.theme.currentData(), self.recent):
            entry = QListWidgetItem(text)
            entry.setData(Qt.ItemDataRole.UserRole, code)
            self.results.addItem(entry)
        if self.results.count():
            self.results.setCurrentRow(0)

    def pick_current(self) -> None:
        self.pick_when_ready = self.index is None
        entry = self.results.currentItem()
        if entry is not None:
            self.picked.emit(entry.data(Qt.ItemDataRole.UserRole))

    def focus_search(self) -> None:
        self.query.setFocus()
        self.query.selectAll()
