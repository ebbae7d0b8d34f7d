"""Keyboard help overlay (F12): every action of the window and its pages that has a shortcut,
read from the live QActions so the list can never go stale."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from ui.widgets.common import add, fill, set_headers, table


def collect_shortcuts(root: QWidget, sections: list[tuple[str, QWidget]] | None = None) -> list[tuple[str, str]]:
    """(keys, what) of every action with a shortcut; an action that belongs to a page is named with
    its page ("受理 · 读卡"), so the same key on two pages reads as two entries, not a duplicate.
    Window-wide actions first, then page by page in navigation order, keys in order within each."""
    sections = sections or []
    groups: dict[int, list[tuple[str, str]]] = {}
    seen: set[tuple[str, str]] = set()
    for action in root.findChildren(QAction):
        if action.shortcut().isEmpty() or not action.isVisible():
            continue
        text = action.text().replace("&", "") or action.objectName()
        key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        owner, index = action.parent(), -1
        if isinstance(owner, QWidget):
            index = next((i for i, (_, page) in enumerate(sections) if page is owner or page.isAncestorOf(owner)), -1)
        label = f"{sections[index][0]} · {text}" if index >= 0 else text
        if text and (label, key) not in seen:
            seen.add((label, key))
            groups.setdefault(index, []).append((key, label))
    rows: list[tuple[str, str]] = []
    for index in sorted(groups):
        rows += sorted(groups[index], key=lambda r: (len(r[0]), r[0]))
    return rows


class ShortcutsHelp(QDialog):
    def __init__(
        self,
        root: QWidget,
        extra: list[tuple[str, str]] | None = None,
        sections: list[tuple[str, QWidget]] | None = None,
    ) -> None:
        super().__init__(root)
        self.setObjectName("shortcutsHelp")
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.resize(520, 560)
        self.table = table("shortcutsTable", 2)
        set_headers(self.table, self.tr("Keys"), self.tr("Action"))
        fill(self.table, (extra or []) + collect_shortcuts(root, sections))
        add(QVBoxLayout(self), self.table)
