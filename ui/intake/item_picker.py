"""Item picker: type a name, an item code or pinyin initials; filter by theme; recent items first
when the search is empty. Enter (or a double click) picks the highlighted item."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clerk_app.catalogue.model import ServiceItem
from clerk_app.item_search import ItemIndex


class ItemPicker(QWidget):
    picked = Signal(str)  # item code

    def __init__(self, index: ItemIndex, recent: list[str] | None = None) -> None:
        super().__init__()
        self.index = index
        self.recent = recent or []
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold;")
        self.query = QLineEdit()
        self.query.setObjectName("itemQuery")
        self.query.setClearButtonEnabled(True)
        self.theme = QComboBox()
        self.theme.setObjectName("itemTheme")
        self.results = QListWidget()
        self.results.setObjectName("itemResults")
        row = QHBoxLayout()
        row.addWidget(self.query, 3)
        row.addWidget(self.theme, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addLayout(row)
        layout.addWidget(self.results, 1)
        self.query.textChanged.connect(self.refresh)
        self.theme.currentIndexChanged.connect(self.refresh)
        self.query.returnPressed.connect(self.pick_current)
        self.results.itemActivated.connect(lambda _item: self.pick_current())
        self.query.installEventFilter(self)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Service item (name, code or pinyin initials, e.g. gtgsh)"))
        self.query.setPlaceholderText(self.tr("Search items…"))
        current = self.theme.currentData()
        self.theme.blockSignals(True)
        self.theme.clear()
        self.theme.addItem(self.tr("All themes"), None)
        for theme in self.index.themes:
            self.theme.addItem(theme, theme)
        self.theme.setCurrentIndex(max(0, self.theme.findData(current)))
        self.theme.blockSignals(False)
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

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
        query = self.query.text()
        items = self.index.search(query, self.theme.currentData())
        if not query.strip() and self.recent:
            recent = [i for code in self.recent for i in items if i.code == code]
            items = recent + [i for i in items if i not in recent]
        self.results.clear()
        for item in items:
            self._add(item, recent=not query.strip() and item.code in self.recent)
        if self.results.count():
            self.results.setCurrentRow(0)

    def _add(self, item: ServiceItem, recent: bool) -> None:
        mark = "★ " if recent else ""  # in every CJK font (🕘 needs an emoji font)
        entry = QListWidgetItem(f"{mark}{item.name}    [{item.theme} · {item.department} · {item.code}]")
        entry.setData(Qt.ItemDataRole.UserRole, item.code)
        self.results.addItem(entry)

    def pick_current(self) -> None:
        entry = self.results.currentItem()
        if entry is not None:
            self.picked.emit(entry.data(Qt.ItemDataRole.UserRole))

    def focus_search(self) -> None:
        self.query.setFocus()
        self.query.selectAll()
