"""Find English a clerk would see: every visible text of a widget tree (titles, labels, buttons,
placeholders, tabs, menus, combo entries, table headers and cells, text panes, tool tips)."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

# Words that are Chinese usage too: key names, file formats, device and standard names, units.
ALLOWED = {
    "ctrl", "shift", "alt", "esc", "tab", "enter", "backspace", "del", "pgup", "pgdown", "home", "end",
    "pdf", "csv", "png", "jpeg", "jpg", "tiff", "id", "qr", "ocr", "mrz", "atr", "can", "bac", "pace",
    "cups", "sane", "pc", "sc", "usb", "ga", "icao", "adf", "dpi", "mm", "ok", "ems", "sm", "url",
    "http", "https", "v", "a", "b", "no", "x",
    "english",  # the language menu names English in English, as every program does
    "sim",  # the simulated scanner's device id (sim:0), shown after its Chinese name
    "gtgsh",  # the pinyin-initials example in the item search's label
}  # fmt: skip
_WORD = re.compile(r"[A-Za-z]{2,}")
_TAGS = re.compile(r"<[^>]+>")


def english_words(text: str) -> list[str]:
    text = _TAGS.sub(" ", text)
    text = re.sub(r"[0-9a-f]{12,}", " ", text)  # ids (print jobs, hashes)
    text = re.sub(r"(?:/[\w.\-]+)+/?", " ", text)  # absolute paths (folders the admin picks)
    text = re.sub(r"\b[\w\-]+(?:\.[a-z]{2,4}\b|/)", " ", text)  # file and folder names (catalogue.toml, items/)
    text = re.sub(r"\S*\d[\w.]*-\w+", " ", text)  # version numbers (2026.11-sample)
    text = re.sub(r"\bF\d{1,2}\b", " ", text)  # F1 … F12
    # ALL-CAPS tokens are codes and acronyms (SC-GTGSH-SL, WH01, ADF), not words a clerk must read.
    return [w for w in _WORD.findall(text) if w.lower() not in ALLOWED and not w.isupper()]


def visible_texts(root: QWidget) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []

    def add(w: QWidget, what: str, text: object) -> None:
        if isinstance(text, str) and text:
            out.append((f"{type(w).__name__}({w.objectName()}).{what}", text))

    widgets = [root, *root.findChildren(QWidget)]
    for w in widgets:
        if w is not root and not w.isVisibleTo(root) and not isinstance(w, QMenu):
            continue
        if w.isWindow():
            add(w, "windowTitle", w.windowTitle())
        add(w, "toolTip", w.toolTip())
        if isinstance(w, QLabel):
            add(w, "text", w.text())
        elif isinstance(w, QAbstractButton):
            add(w, "text", w.text())
        elif isinstance(w, QGroupBox):
            add(w, "title", w.title())
        elif isinstance(w, QLineEdit):
            add(w, "placeholder", w.placeholderText())
        elif isinstance(w, QTabBar):
            for i in range(w.count()):
                add(w, f"tab{i}", w.tabText(i))
        elif isinstance(w, QMenu):
            add(w, "title", w.title())
            for a in w.actions():
                add(w, "action", a.text().replace("&", ""))
        elif isinstance(w, QComboBox):
            for i in range(w.count()):
                add(w, f"item{i}", w.itemText(i))
        elif isinstance(w, QPlainTextEdit | QTextEdit):
            add(w, "placeholder", w.placeholderText())
            add(w, "text", w.toPlainText())
        if isinstance(w, QAbstractItemView) and not isinstance(w, QHeaderView) and w.model() is not None:
            model = w.model()
            try:
                columns = model.columnCount()
            except TypeError:  # a list model: one column (its columnCount is private in PySide6)
                columns = 1
            for c in range(columns):
                add(w, f"header{c}", model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole))
            for r in range(min(model.rowCount(), 30)):
                for c in range(columns):
                    value = model.data(model.index(r, c), Qt.ItemDataRole.DisplayRole)
                    add(w, f"cell{r},{c}", value if isinstance(value, str) else None)
    return out


def english_leaks(root: QWidget, also_allowed: set[str] = frozenset()) -> list[str]:
    """ "where: text" for every visible text with an English word in it."""
    allowed = {a.lower() for a in also_allowed}
    leaks = []
    for where, text in visible_texts(root):
        words = [w for w in english_words(text) if w.lower() not in allowed]
        if words:
            leaks.append(f"{where}: {text!r} ({', '.join(sorted(set(words)))})")
    return leaks
