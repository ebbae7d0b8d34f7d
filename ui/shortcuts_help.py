"""Keyboard help overlay (F12): every action of the window and its pages that has a shortcut,
read from the live QActions so the list can never go stale."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget


def collect_shortcuts(root: QWidget) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for action in root.findChildren(QAction):
        if action.shortcut().isEmpty() or not action.isVisible():
            continue
        text = action.text().replace("&", "") or action.objectName()
        key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if text and (text, key) not in seen:
            seen.add((text, key))
            rows.append((key, text))
    return sorted(rows, key=lambda r: (len(r[0]), r[0]))


class ShortcutsHelp(QDialog):
    def __init__(self, root: QWidget, extra: list[tuple[str, str]] | None = None) -> None:
        super().__init__(root)
        self.setObjectName("shortcutsHelp")
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.resize(520, 560)
        rows = collect_shortcuts(root) + (extra or [])
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels([self.tr("Keys"), self.tr("Action")])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for i, (key, text) in enumerate(rows):
            self.table.setItem(i, 0, QTableWidgetItem(key))
            self.table.setItem(i, 1, QTableWidgetItem(text))
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
