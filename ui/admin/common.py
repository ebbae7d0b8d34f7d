"""Small shared pieces of the admin page: a read-only table, times in China time, yes/no."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMessageBox, QTableWidget, QWidget

from clerk_app.clock import CHINA_TZ


def when(value: object) -> str:
    return value.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") if isinstance(value, dt.datetime) else "—"


def table(name: str, columns: int) -> QTableWidget:
    t = QTableWidget(0, columns)
    t.setObjectName(name)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def ask(parent: QWidget, title: str, text: str) -> bool:
    """A yes/no question (tests replace the panel's ``confirm`` with a scripted answer)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    yes = box.addButton(QMessageBox.StandardButton.Yes)
    box.addButton(QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.exec()
    return box.clickedButton() is yes
